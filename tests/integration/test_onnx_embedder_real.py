"""EmbeddingGemma-300M through onnxruntime, when its converted folder is present (knowledge_base/provision_gemma.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.onnx_embedder import OnnxSentenceEmbedder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("KIOSK_GEMMA_ONNX_DIR", REPO / "var" / "models" / "embeddinggemma-onnx"))


def _article(shared_dir: Path, file_prefix: str, article: str) -> str:
    path = next((shared_dir / "corpus" / "statutes").glob(f"{file_prefix}*.md"))
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(article + " "))


@pytest.fixture(scope="module", params=["model.onnx", "model.int8.onnx"])
def gemma(request: pytest.FixtureRequest) -> OnnxSentenceEmbedder:
    path = FOLDER / request.param
    if not path.exists():
        pytest.skip(
            f"{path} not found: run `python -m knowledge_base.provision_gemma` (or set KIOSK_GEMMA_ONNX_DIR); "
            "the int8 file is only kept when it matches the fp32 model closely"
        )
    return OnnxSentenceEmbedder(path, threads=2)


def test_juzhuzheng_question_ranks_the_juzhuzheng_article_first(gemma: OnnxSentenceEmbedder, shared_dir: Path) -> None:
    documents = [
        _article(shared_dir, "护照法", "第十七条"),
        _article(shared_dir, "居住证暂行条例", "第九条"),
        _article(shared_dir, "殡葬管理条例", "第一条"),
    ]
    vectors = np.asarray(gemma.embed_documents(documents))
    query = np.asarray(gemma.embed_query("办居住证需要带啥材料啊"))
    assert vectors.shape == (3, gemma.dimension) == (3, 768)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    scores = vectors @ query
    assert int(np.argmax(scores)) == 1, f"scores {scores.round(3).tolist()}"
    assert scores[1] - max(scores[0], scores[2]) > 0.05
