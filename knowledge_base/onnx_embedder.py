"""A sentence-transformers model exported to ONNX, run by onnxruntime + tokenizers (no torch at run time).

The folder (made by knowledge_base/provision_gemma.py) holds:
  model.onnx (and model.int8.onnx)  the transformer: input_ids, attention_mask -> token_embeddings
  tokenizer.json                    the model's tokenizer (adds its own <bos>/<eos>)
  dense.npz                         the Dense layers after pooling, as arrays dense{i}_weight (out, in) [+ dense{i}_bias]
  embedder.json                     prompts, pooling, dense activations, normalise, output dimension, max tokens
The sentence-transformers steps are applied here: prompt + text, mean pooling over the attention mask (prompt
tokens included, as the model's pooling config says), the Dense layers, then L2 normalisation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

CONFIG_FILE = "embedder.json"
DENSE_FILE = "dense.npz"
DEFAULT_ONNX_FILE = "model.onnx"


class OnnxSession(Protocol):
    """The part of onnxruntime.InferenceSession used here (a fake one serves the unit tests)."""

    def run(self, output_names: Sequence[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...


def apply_prompt(prompt: str, texts: Sequence[str]) -> list[str]:
    return [prompt + text for text in texts]


def mean_pool(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """(batch, seq, dim) and (batch, seq) -> (batch, dim): the mean over the tokens the mask keeps."""
    mask = attention_mask.astype(np.float32)[:, :, None]
    summed = (token_embeddings.astype(np.float32) * mask).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1), 1e-9)


def apply_dense(vectors: np.ndarray, layers: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
    """Linear layers (weight (out, in), optional bias) with identity activation, as sentence-transformers' Dense."""
    for weight, bias in layers:
        vectors = vectors @ weight.T
        if bias is not None:
            vectors = vectors + bias
    return vectors


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def load_dense(path: Path, count: int) -> list[tuple[np.ndarray, np.ndarray | None]]:
    if count == 0:
        return []
    with np.load(path) as arrays:
        return [
            (arrays[f"dense{i}_weight"].astype(np.float32),
             arrays[f"dense{i}_bias"].astype(np.float32) if f"dense{i}_bias" in arrays else None)
            for i in range(count)
        ]  # fmt: skip


def choose_providers(available: Sequence[str]) -> list[str]:
    """CUDA first when this onnxruntime build has it, else the CPU."""
    return ["CUDAExecutionProvider", "CPUExecutionProvider"] if "CUDAExecutionProvider" in available else ["CPUExecutionProvider"]


class OnnxSentenceEmbedder:
    """Embedder for a converted sentence-transformers folder. `model_path` is the folder or an .onnx file in it."""

    def __init__(
        self,
        model_path: Path,
        threads: int = 2,
        batch_size: int = 16,
        max_length: int | None = None,
        session: OnnxSession | None = None,
    ) -> None:
        model_path = Path(model_path)
        self.folder = model_path.parent if model_path.suffix == ".onnx" else model_path
        self.onnx_file = model_path if model_path.suffix == ".onnx" else model_path / DEFAULT_ONNX_FILE
        config_path = self.folder / CONFIG_FILE
        try:
            self.config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise self._error("embedder-missing", f"{config_path} not found; run `python -m knowledge_base.provision_gemma`") from None
        self.dimension: int = int(self.config["dimension"])
        self.model_name = f"{self.config.get('name', self.folder.name)}:{self.onnx_file.stem}"
        self.threads = threads
        self.batch_size = batch_size
        self.max_length = int(max_length or self.config.get("max_length", 512))
        self.query_prompt: str = self.config["prompts"].get("query", "")
        self.document_prompt: str = self.config["prompts"].get("document", "")
        self._session = session
        self._tokenizer: Any = None
        self._dense: list[tuple[np.ndarray, np.ndarray | None]] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _error(code: str, message: str) -> Exception:
        from core.errors import KnowledgeBaseError

        return KnowledgeBaseError(code, message)

    def _load(self) -> tuple[OnnxSession, Any]:
        with self._lock:
            if self._tokenizer is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                tokenizer.enable_truncation(self.max_length)
                tokenizer.enable_padding(pad_id=int(self.config.get("pad_id", 0)), pad_token=self.config.get("pad_token", "<pad>"))
                self._tokenizer = tokenizer
                self._dense = load_dense(self.folder / DENSE_FILE, len(self.config.get("dense", [])))
            if self._session is None:
                if not self.onnx_file.exists():
                    raise self._error("embedder-missing", f"{self.onnx_file} not found; run `python -m knowledge_base.provision_gemma`")
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                providers = choose_providers(ort.get_available_providers())
                try:
                    self._session = ort.InferenceSession(str(self.onnx_file), options, providers=providers)
                except Exception as exc:  # onnxruntime raises its own exception types
                    raise self._error("embedder-load", f"could not load {self.onnx_file}: {exc}") from None
        return self._session, self._tokenizer

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        input_ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        attention_mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        (token_embeddings,) = session.run(
            [self.config.get("output_name", "token_embeddings")], {"input_ids": input_ids, "attention_mask": attention_mask}
        )
        vectors = apply_dense(mean_pool(token_embeddings, attention_mask), self._dense or [])
        return l2_normalise(vectors) if self.config.get("normalize", True) else vectors

    def embed_texts(self, texts: Sequence[str], prompt: str, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Prompted texts in batches of similar length (less padding); rows come back in the input order."""
        prompted = apply_prompt(prompt, texts)
        out = np.zeros((len(prompted), self.dimension), dtype=np.float32)
        order = sorted(range(len(prompted)), key=lambda i: len(prompted[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._embed([prompted[i] for i in rows])
            if progress:
                progress(len(rows))
        return out

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.embed_texts(texts, self.document_prompt, progress)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_texts([text], self.query_prompt)[0].tolist()
