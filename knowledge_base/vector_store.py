"""Passage vectors in Chroma, used through langchain-chroma's vector store.

On disk by default (PersistentClient under <kb>/chroma); a Chroma server (HttpClient) when configured, so several
kiosks can share one index.

Threads: every Chroma call holds `CHROMA_LOCK` for reading; `reopen()` (to see another process's writes) holds it
for writing, so a client is never torn down under a running search. Chroma keeps one shared system per process,
so a reopen makes every other `PassageVectors` of the process stale too; each notices by the epoch and opens a
fresh client before its next call. Processes: `reopen()` waits for the knowledge base's writer lock (shared), so
a reader never reloads an index that a writer is half-way through (a file lock, or a PostgreSQL advisory lock when
the registry is on a shared database).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import chromadb
from chromadb.config import Settings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from core.config import ChromaConfig
from core.errors import KnowledgeBaseError
from knowledge_base.locks import CHROMA_LOCK, FileWriterLock, WriterLock

log = logging.getLogger(__name__)

_BATCH = 1000  # well under Chroma's maximum batch size
_REOPEN_WAIT_S = 5.0  # a reader waits this long for a writer, then searches the index it already has
_T = TypeVar("_T")


class _Epoch:
    """Bumped each time this process's Chroma systems are torn down (under CHROMA_LOCK's write side)."""

    value = 0
    guard = threading.Lock()


def _client(config: ChromaConfig, kb_dir: Path) -> chromadb.ClientAPI:
    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        if config.mode == "http":
            return chromadb.HttpClient(host=config.host, port=config.port, ssl=config.ssl, settings=settings)
        return chromadb.PersistentClient(path=str(kb_dir / "chroma"), settings=settings)
    except Exception as exc:  # chromadb raises many unrelated types for connection and storage failures
        where = f"{config.host}:{config.port}" if config.mode == "http" else str(kb_dir / "chroma")
        raise KnowledgeBaseError("vector-store-unavailable", f"cannot open the Chroma store at {where}: {exc}") from None


def _ef_search(collection: chromadb.Collection) -> int | None:
    return ((collection.configuration or {}).get("hnsw") or {}).get("ef_search")


class PassageVectors:
    def __init__(
        self, config: ChromaConfig, kb_dir: Path, embedder: Embeddings, writer_lock: WriterLock | None = None
    ) -> None:
        self._config = config
        self._kb_dir = kb_dir
        self._writer_lock = writer_lock or FileWriterLock(kb_dir)
        self._embedder = embedder
        self._open_lock = threading.Lock()
        with CHROMA_LOCK.read():
            self._open()

    def _open(self) -> None:
        """Open a client on the current system; the caller holds CHROMA_LOCK (either side)."""
        self._store = Chroma(
            collection_name=self._config.collection,
            embedding_function=self._embedder,
            client=_client(self._config, self._kb_dir),
            collection_configuration={"hnsw": {"space": "cosine", "ef_search": self._config.ef_search}},
        )
        self._set_search_breadth()
        self._epoch = _Epoch.value

    def _set_search_breadth(self) -> None:
        """A collection keeps the configuration it was created with; bring an older one to the configured breadth."""
        collection = self._store._collection  # noqa: SLF001 - langchain-chroma exposes no accessor
        current = _ef_search(collection)
        if current is None or current == self._config.ef_search:
            return
        try:
            collection.modify(configuration={"hnsw": {"ef_search": self._config.ef_search}})
        except Exception as exc:  # noqa: BLE001 - a server that refuses still serves searches at its own breadth
            log.warning("could not set the vector index's search breadth to %d (%s)", self._config.ef_search, exc)
            return
        log.info("vector index search breadth %s -> %d", current, self._config.ef_search)

    def _call(self, action: Callable[[Chroma], _T]) -> _T:
        with CHROMA_LOCK.read():
            if self._epoch != _Epoch.value:  # another instance reopened this process's systems
                with self._open_lock:
                    if self._epoch != _Epoch.value:
                        self._open()
            return action(self._store)

    def reload(self) -> None:
        """Tear down this process's Chroma systems and open a fresh client on what is on disk now."""
        if self._config.mode != "persistent":
            return
        with CHROMA_LOCK.write():
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            _Epoch.value += 1
            self._open()

    def reopen(self) -> bool:
        """A reader's refresh, to see what another process wrote. False when a writer kept the index busy."""
        if self._config.mode != "persistent":
            return True
        try:
            with self._writer_lock.hold(timeout_s=_REOPEN_WAIT_S, shared=True):
                self.reload()
        except KnowledgeBaseError as exc:
            if exc.code != "kb-busy":
                raise
            log.warning("vector index not reloaded, a writer holds it: %s", exc.message)
            return False
        return True

    @contextmanager
    def writing(self, timeout_s: float = 600.0) -> Iterator[None]:
        """The single-writer section: the knowledge base's writer lock, and a fresh view of the index to write on
        (a stale in-memory index written back would drop what another process added)."""
        with self._writer_lock.hold(timeout_s=timeout_s):
            self.reload()
            yield

    def add(self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), _BATCH):
            end = start + _BATCH
            batch = (list(texts[start:end]), list(metadatas[start:end]), list(ids[start:end]))
            self._call(lambda s: s.add_texts(batch[0], metadatas=batch[1], ids=batch[2]))

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            batch = list(ids[start : start + _BATCH])
            self._call(lambda s: s.delete(ids=batch))

    def all_ids(self) -> list[str]:
        return list(self._call(lambda s: s.get(include=[]))["ids"])

    def _get(self, ids: Sequence[str], include: list[str]) -> Iterator[dict]:
        """Chroma's `get` for `ids`, a batch at a time."""
        for start in range(0, len(ids), _BATCH):
            batch = list(ids[start : start + _BATCH])
            yield self._call(lambda s: s.get(ids=batch, include=include))

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` have a vector."""
        return {i for got in self._get(ids, []) for i in got["ids"]}

    def metadata(self, ids: Sequence[str]) -> dict[str, dict]:
        """chunk_id → the metadata stored with its vector."""
        return {i: dict(m or {}) for got in self._get(ids, ["metadatas"]) for i, m in zip(got["ids"], got["metadatas"])}

    def contents(self, ids: Sequence[str]) -> dict[str, tuple[str, dict]]:
        """chunk_id → (the text that was embedded, its metadata), for embedding it again with another model."""
        return {
            i: (text, dict(meta or {}))
            for got in self._get(ids, ["documents", "metadatas"])
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
            if text
        }

    def count(self) -> int:
        return len(self.all_ids())

    def search_breadth(self) -> int | None:
        """The HNSW ef_search the collection records."""
        return self._call(lambda s: _ef_search(s._collection))  # noqa: SLF001

    def stored_dimension(self) -> int | None:
        """Length of the vectors stored (None when there are none), from the collection's record: reading a vector
        instead fails ("Nothing found on disk") while another process is still writing the index files."""
        # langchain-chroma has no public accessor for its collection; Chroma records the dimension at the first add
        dimension = self._call(lambda s: s._collection.get_model().dimension)  # noqa: SLF001
        return dimension if dimension and self.count() else None

    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest passages; one retry on a fresh client."""
        try:
            found = self._call(lambda s: s.similarity_search_by_vector_with_relevance_scores(query_vector, k=k))
        except Exception as first:  # noqa: BLE001 - chromadb raises assorted types for a torn-down client
            log.warning("vector search failed (%s: %s); retrying on a fresh client", type(first).__name__, first)
            with CHROMA_LOCK.read(), self._open_lock:
                self._open()
            found = self._call(lambda s: s.similarity_search_by_vector_with_relevance_scores(query_vector, k=k))
        # With the cosine space Chroma returns distance = 1 - cosine similarity.
        return [(doc.id or "", 1.0 - float(distance)) for doc, distance in found]
