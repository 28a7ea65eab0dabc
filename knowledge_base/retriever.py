"""Hybrid retrieval: vector search plus BM25 for exact terms, fused, with a confidence score to gate on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.config import RetrievalConfig
from kiosk.models import Hit
from knowledge_base.lexical import LexicalIndex, rrf
from knowledge_base.query_expansion import expand_query
from knowledge_base.registry import Registry
from knowledge_base.vector_store import PassageVectors

# e5 cosine similarities sit in a narrow band; these bounds spread it over [0, 1] (see bench/RESULTS.md).
_COS_FLOOR = 0.78
_COS_CEIL = 0.92
_VECTOR_WEIGHT = 0.7


@dataclass(frozen=True)
class _Candidate:
    chunk_id: str
    cosine: float | None
    bm25: float


def confidence(cosine: float | None, bm25: float) -> float:
    """One calibrated number in [0, 1] the answering stage can gate on."""
    vec = 0.0 if cosine is None else float(np.clip((cosine - _COS_FLOOR) / (_COS_CEIL - _COS_FLOOR), 0.0, 1.0))
    return round(_VECTOR_WEIGHT * vec + (1 - _VECTOR_WEIGHT) * LexicalIndex.saturate(bm25), 4)


class HybridRetriever:
    """Implements kiosk.protocols.Retriever over the active documents of one knowledge base."""

    def __init__(
        self,
        registry: Registry,
        vectors: PassageVectors,
        embed_query: Callable[[str], list[float]],
        config: RetrievalConfig,
    ) -> None:
        self._registry = registry
        self._vectors = vectors
        self._embed_query = embed_query
        self._config = config
        self._loaded_version = -1
        # Swapped as one tuple, so a search in flight keeps the active set and lexical index it started with.
        self._index: tuple[dict[str, dict], LexicalIndex] = ({}, LexicalIndex([], []))
        self._refresh_lock = threading.Lock()

    def refresh(self, force: bool = False) -> None:
        """Reload the active set and lexical index when the registry changed (also by another process).

        One thread reloads while the others keep searching the previous view; the vector index is reloaded
        safely (see PassageVectors.reopen), never under a search in flight.
        """
        if self._registry.version == self._loaded_version and not force:
            return
        first = self._loaded_version == -1
        # The first load must finish before anyone searches; later, threads that find a reload under way go on
        # with the view they have instead of queueing behind it.
        if not self._refresh_lock.acquire(blocking=first or force):
            return
        try:
            version = self._registry.version
            if version == self._loaded_version and not force:
                return
            if self._loaded_version != -1 and not self._vectors.reopen():
                return  # a writer is busy: keep the current view, try again on the next search
            rows = self._registry.active_chunks()
            active = {r["chunk_id"]: r for r in rows}
            lexical = LexicalIndex([r["chunk_id"] for r in rows], [f"{r['title']} {r['text']}" for r in rows])
            self._index = (active, lexical)
            self._loaded_version = version
        finally:
            self._refresh_lock.release()

    def search(self, query: str, k: int | None = None, fusion: str | None = None) -> list[Hit]:
        self.refresh()
        active, lexical = self._index
        k = k or self._config.k
        query = query.strip()
        if not query or not active:
            return []
        fusion = fusion or self._config.fusion
        if self._config.expand_queries:
            query = expand_query(query)
        n = self._config.candidates
        # Over-fetch: vectors of superseded or retired documents are filtered out here.
        vector_hits = [(cid, cos) for cid, cos in self._vectors.search(self._embed_query(query), n * 2) if cid in active][:n]
        lexical_hits = lexical.search(query, n)
        cosines = dict(vector_hits)
        bm25 = dict(lexical_hits)
        if fusion == "vector":
            order = [cid for cid, _ in vector_hits]
        elif fusion == "lexical":
            order = [cid for cid, _ in lexical_hits]
        else:
            fused = rrf([[cid for cid, _ in vector_hits], [cid for cid, _ in lexical_hits]])
            order = sorted(fused, key=fused.__getitem__, reverse=True)
        candidates = [_Candidate(cid, cosines.get(cid), bm25.get(cid, 0.0)) for cid in order[:k]]
        return [self._hit(active[c.chunk_id], c) for c in candidates]

    @staticmethod
    def _hit(row: dict, c: _Candidate) -> Hit:
        return Hit(
            text=row["text"],
            score=confidence(c.cosine, c.bm25),
            source=row["source"],
            title=row["title"],
            article=row["article"],
            doc_id=row["doc_id"],
            effective_date=row["effective_date"],
            chunk_id=c.chunk_id,
            vector_score=None if c.cosine is None else round(c.cosine, 4),
            lexical_score=round(c.bm25, 4),
        )
