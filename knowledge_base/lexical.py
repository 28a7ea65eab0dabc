"""Lexical signal for exact terms (第十条, 居住证, document numbers): BM25 over CJK character bigrams."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import bm25s

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

_TOKEN_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")


def tokenize(text: str) -> list[str]:
    """CJK runs become overlapping bigrams (single characters when alone); Latin words and numbers stay whole."""
    tokens: list[str] = []
    for run in _TOKEN_RUNS.findall(text.lower()):
        if run[0] >= "\u4e00" and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


class LexicalIndex:
    """An in-memory BM25 index over the active chunks, rebuilt from the registry when the KB changes."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        self._bm25: bm25s.BM25 | None = None
        if self.ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if self._bm25 is None or not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._bm25.retrieve([tokens], k=k, show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    @staticmethod
    def saturate(score: float, half: float = 8.0) -> float:
        """Map an unbounded BM25 score into [0, 1): half the maximum at `half`."""
        return float(score / (score + half)) if score > 0 else 0.0


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion of several ranked id lists."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return fused


__all__ = ["LexicalIndex", "rrf", "tokenize"]
