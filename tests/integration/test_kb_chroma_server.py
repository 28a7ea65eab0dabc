"""The vector store against a real Chroma server (chroma.mode = http), as a multi-kiosk deployment uses it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.models import IngestStatus
from knowledge_base import open_knowledge_base
from tests.conftest import make_config
from tests.fakes import HashEmbedder
from tests.servers import free_port, running_server

pytestmark = pytest.mark.integration


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[int]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    command = [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)]
    with running_server(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", "chroma server"):
        yield port


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


def test_two_kiosks_share_one_chroma_server_and_one_postgres_registry(
    tmp_path: Path, chroma_server: int, postgres_url: str, shared_dir: Path
) -> None:
    """Two hosts (own data folders) on one Chroma server and one PostgreSQL database, as a city deployment."""
    kiosks = []
    for host in ("host-a", "host-b"):
        config = make_config(tmp_path / host, chroma={"mode": "http", "port": chroma_server})
        config.paths.database_url = postgres_url
        kiosks.append(open_knowledge_base(config, embedder=HashEmbedder()))
    writer, reader = kiosks
    [result] = writer.ingest([shared_dir / "corpus" / "statutes" / "护照法(2006-04-29).md"])
    assert result.status == IngestStatus.ADDED
    assert reader.version == writer.version > 0
    hit = reader.search("护照有效期 十六周岁以上 十年", k=1)[0]
    assert (hit.source, hit.article) == ("护照法(2006-04-29).md", "第七条")
    assert not any((tmp_path / host / "kb" / "registry.sqlite").exists() for host in ("host-a", "host-b"))
    reader.remove("护照法(2006-04-29).md")  # the other kiosk removes it: gone for the first one too
    assert writer.list_documents() == [] and writer.search("护照有效期", k=1) == []
