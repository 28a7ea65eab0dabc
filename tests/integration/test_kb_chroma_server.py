"""The vector store against a real Chroma server (chroma.mode = http), as a multi-kiosk deployment uses it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from kiosk.models import IngestStatus
from knowledge_base import open_knowledge_base
from tests.conftest import make_config
from tests.fakes import HashEmbedder

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path: Path):
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_search_remove_through_a_chroma_server(tmp_path: Path, chroma_server: int, shared_dir: Path) -> None:
    config = make_config(tmp_path, chroma={"mode": "http", "port": chroma_server})
    kb = open_knowledge_base(config, embedder=HashEmbedder())
    statute = shared_dir / "corpus" / "statutes" / "护照法(2006-04-29).md"
    [result] = kb.ingest([statute])
    assert result.status == IngestStatus.ADDED
    assert not (tmp_path / "kb" / "chroma").exists()  # nothing written to the local vector folder
    hit = kb.search("护照有效期 十六周岁以上 十年", k=1)[0]
    assert (hit.source, hit.article) == ("护照法(2006-04-29).md", "第七条")
    kb.remove("护照法(2006-04-29).md")
    assert kb.vectors.count() == 0
