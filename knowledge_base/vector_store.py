"""Passage vectors in Chroma, used through langchain-chroma's vector store.

On disk by default (PersistentClient under <kb>/chroma); a Chroma server (HttpClient) when configured, so several
kiosks can share one index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import chromadb
from chromadb.config import Settings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from kiosk.config import ChromaConfig
from kiosk.errors import KnowledgeBaseError

_BATCH = 1000  # well under Chroma's maximum batch size


def _client(config: ChromaConfig, kb_dir: Path) -> chromadb.ClientAPI:
    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        if config.mode == "http":
            return chromadb.HttpClient(host=config.host, port=config.port, ssl=config.ssl, settings=settings)
        return chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=settings)
    except Exception as exc:  # chromadb raises many unrelated types for connection and storage failures
        where = f"{config.host}:{config.port}" if config.mode == "http" else str(kb_dir / "chroma")
        raise KnowledgeBaseError("vector-store-unavailable", f"cannot open the Chroma store at {where}: {exc}") from None


class PassageVectors:
    def __init__(self, config: ChromaConfig, kb_dir: Path, embedder: Embeddings) -> None:
        self._config = config
        self._kb_dir = kb_dir
        self._embedder = embedder
        self._open()

    def _open(self) -> None:
        self._store = Chroma(
            collection_name=self._config.collection,
            embedding_function=self._embedder,
            client=_client(self._config, self._kb_dir),
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def reopen(self) -> None:
        """Drop the in-process cache of a persistent index that another process has written since."""
        if self._config.mode == "persistent":
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        self._open()

    def add(self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), _BATCH):
            end = start + _BATCH
            self._store.add_texts(list(texts[start:end]), metadatas=list(metadatas[start:end]), ids=list(ids[start:end]))

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            self._store.delete(ids=list(ids[start : start + _BATCH]))

    def all_ids(self) -> list[str]:
        return list(self._store.get(include=[])["ids"])

    def count(self) -> int:
        return len(self.all_ids())

    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest passages."""
        found = self._store.similarity_search_by_vector_with_relevance_scores(query_vector, k=k)
        # With the cosine space Chroma returns distance = 1 - cosine similarity.
        return [(doc.id or "", 1.0 - float(distance)) for doc, distance in found]
