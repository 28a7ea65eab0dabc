"""Staff-curated question/answer pairs, matched against a citizen's question before anything else."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from core.freshness import Snapshot, VersionGate
from core.models import FaqEntry, FaqMatch
from knowledge_base.question import QuestionTerms, analyse
from knowledge_base.registry import Registry
from knowledge_base.relevance import coverage, present

_NOISE = re.compile(r"[\s\W_]+")


def _bigrams(text: str) -> set[str]:
    t = _NOISE.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def faq_similarity(cosine: float, question: str, faq_question: str) -> float:
    """Embedding cosine, discounted when the two questions share few words (e5 rates unrelated pairs ~0.8)."""
    a, b = _bigrams(question), _bigrams(faq_question)
    overlap = len(a & b) / max(1, len(a | b))
    return round(0.6 * cosine + 0.4 * min(1.0, overlap * 2.0), 4)


def same_subject(asked: QuestionTerms, entry: QuestionTerms) -> bool:
    """The entry is about what the citizen asks: its question names the citizen's most specific subject word and
    most of the rest (by weight), and the two ask the same kind of fact when both ask one. Embeddings alone rate
    离婚登记/结婚登记 and 办身份证/办居住证 as the same question (e5: 0.97)."""
    if asked.subject and not present(asked.subject[0][0], entry.text):
        return False
    if coverage(asked, entry.text) < 0.5:
        return False
    return asked.asks == entry.asks or "其他" in (asked.asks, entry.asks)


class FaqIndex:
    def __init__(
        self, registry: Registry, embed_query: Callable[[str], list[float]], gate: VersionGate[int] | None = None
    ) -> None:
        self._registry = registry
        self._embed_query = embed_query
        # question → (vector, its reading), kept across reloads: only new questions are embedded and read
        self._cache: dict[str, tuple[np.ndarray, QuestionTerms]] = {}
        self._index = Snapshot(gate or VersionGate(lambda: registry.version, 0.0), self._load, "FAQ index")

    def _load(self, version: int) -> tuple[list[FaqEntry], np.ndarray, list[QuestionTerms]]:
        entries = self._registry.faq()
        for entry in entries:
            if entry.question not in self._cache:
                vector = np.asarray(self._embed_query(entry.question), dtype=np.float32)
                self._cache[entry.question] = (vector, analyse(entry.question))
        current = {e.question for e in entries}
        for gone in [q for q in self._cache if q not in current]:
            del self._cache[gone]
        known = [self._cache[e.question] for e in entries]
        matrix = np.stack([vector for vector, _ in known]) if known else np.zeros((0, 1), dtype=np.float32)
        return entries, matrix, [terms for _, terms in known]

    def rebuild_loaded(self) -> None:
        """Rebuild the index now if one was loaded (this process changed the entries or the documents)."""
        self._index.rebuild_loaded()

    def match(self, question: str, threshold: float) -> FaqMatch | None:
        entries, vectors, entry_terms = self._index.get()
        if not entries or not question.strip():
            return None
        asked = analyse(question)
        kept = [i for i, terms in enumerate(entry_terms) if same_subject(asked, terms)]
        if not kept:  # no entry is about this subject: the question is not embedded at all
            return None
        cosines = vectors[kept] @ np.asarray(self._embed_query(question), dtype=np.float32)
        score, entry = max(
            ((faq_similarity(float(c), question, entries[i].question), entries[i]) for c, i in zip(cosines, kept)),
            key=lambda pair: pair[0],
        )
        return FaqMatch(entry, score) if score >= threshold else None
