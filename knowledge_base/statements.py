"""How near each statement of an article is to a question in meaning.

The spoken answer is one statement of the quoted article (answering/extract.py), chosen mostly by the words it
shares with the question. A citizen's words are often not the statute's: 我老婆没上班 asks about 职工未就业配偶,
俺儿子给的养老钱 about 赡养费. So each statement of an article of several is embedded too — at ingest, into the
embedding cache, so that a turn only looks its vectors up — and its cosine to the question, times the ranking
profile's `statement_weight`, counts beside the wording.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from core.sentences import article_statements, items_to_choose, statement_text
from knowledge_base.embeddings import embed_in_batches

_QUERY_VECTORS = 64  # questions whose vectors are kept: the parts and follow-ups of the turns in progress


def statement_texts(passage: str) -> list[str]:
    """The texts embedded for a passage's statements (none for a passage of one statement: nothing to choose), and
    for the items of each list of two or more (which case the question is about: 找到新工作了 → 重新就业的)."""
    found = article_statements(passage)
    return ([statement_text(s) for s in found] if len(found) > 1 else []) + items_to_choose(found)


class RecentQueries:
    """Query vectors of the last few texts asked: a turn's search and its statement closeness embed the same
    question once."""

    def __init__(self, embed_query: Callable[[str], Sequence[float]], size: int = _QUERY_VECTORS) -> None:
        self._embed_query = embed_query
        self._size = size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[float]:
        with self._lock:
            if text in self._vectors:
                self._vectors.move_to_end(text)
                return self._vectors[text]
        vector = list(self._embed_query(text))
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vector


class StatementCloseness:
    """Weighted cosines of a question to statements, their vectors from the (cached) passage embedder."""

    def __init__(
        self,
        embed_query: Callable[[str], Sequence[float]],
        embed_passages: Callable[[list[str]], Sequence[Sequence[float]]],
        weight: float,
    ) -> None:
        self._embed_query = embed_query
        self._embed_passages = embed_passages
        self.weight = weight

    def closeness(self, query: str, statements: Sequence[str]) -> list[float]:
        """`weight` × cosine of `query` to each statement (core.sentences.statements of one article)."""
        if not statements:
            return []
        query_vector = np.asarray(self._embed_query(query), dtype=np.float32)
        vectors = np.asarray(self._embed_passages([statement_text(s) for s in statements]), dtype=np.float32)
        norms = np.maximum(np.linalg.norm(vectors, axis=1) * np.linalg.norm(query_vector), 1e-12)
        return [self.weight * float(c) for c in (vectors @ query_vector) / norms]

    def prepare(self, passages: Iterable[str], batch: int = 64, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed the statements of `passages` the cache lacks; returns how many statements there are."""
        texts = [t for passage in passages for t in statement_texts(passage)]
        return embed_in_batches(self._embed_passages, texts, batch, progress)


__all__ = ["RecentQueries", "StatementCloseness", "statement_texts"]
