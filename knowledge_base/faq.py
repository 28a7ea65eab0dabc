"""Staff-curated question/answer pairs, matched against a citizen's question before anything else."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from core.freshness import Snapshot, VersionGate
from core.models import FaqEntry, FaqMatch
from knowledge_base.registry import Registry

_NOISE = re.compile(r"[\s\W_]+")


def _bigrams(text: str) -> set[str]:
    t = _NOISE.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def faq_similarity(cosine: float, question: str, faq_question: str) -> float:
    """Embedding cosine, discounted when the two questions share few words (e5 rates unrelated pairs ~0.8)."""
    a, b = _bigrams(question), _bigrams(faq_question)
    overlap = len(a & b) / max(1, len(a | b))
    return round(0.6 * cosine + 0.4 * min(1.0, overlap * 2.0), 4)


class FaqIndex:
    def __init__(
        self, registry: Registry, embed_query: Callable[[str], list[float]], gate: VersionGate[int] | None = None
    ) -> None:
        self._registry = registry
        self._embed_query = embed_query
        self._cache: dict[str, np.ndarray] = {}  # question → vector, kept across reloads (only new questions embed)
        self._index = Snapshot(gate or VersionGate(lambda: registry.version, 0.0), self._load, "FAQ index")

    def _load(self, version: int) -> tuple[list[FaqEntry], np.ndarray]:
        entries = self._registry.faq()
        vectors = []
        for entry in entries:
            if entry.question not in self._cache:
                self._cache[entry.question] = np.asarray(self._embed_query(entry.question), dtype=np.float32)
            vectors.append(self._cache[entry.question])
        current = {e.question for e in entries}
        for gone in [q for q in self._cache if q not in current]:
            del self._cache[gone]
        return entries, (np.stack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32))

    def match(self, question: str, threshold: float) -> FaqMatch | None:
        entries, vectors = self._index.get()
        if not entries or not question.strip():
            return None
        q = np.asarray(self._embed_query(question), dtype=np.float32)
        cosines = vectors @ q
        scored = [faq_similarity(float(c), question, e.question) for c, e in zip(cosines, entries)]
        best = int(np.argmax(scored))
        return FaqMatch(entries[best], scored[best]) if scored[best] >= threshold else None
