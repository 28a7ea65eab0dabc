"""Which candidate passage answers the question: signals per candidate, combined by a small fitted model.

Vector search and BM25 each propose candidates; for every candidate this module measures how much of the question's
subject the passage (and its document title) covers, whether it states the kind of fact asked for (a duration for
多久, an amount or 免费 for 收费), and the two retrieval scores. A logistic model fitted on the fit half of
bench/data (bench/fit_relevance.py, one per embedder: knowledge_base/profiles.py) turns them into p(relevant) —
the `score` of a Hit — and orders the hits.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_base.lexical import LexicalIndex
from knowledge_base.profiles import Profile
from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import QuestionTerms, states_kind

FEATURES = ("bias", "cosine", "bm25", "vector_rank", "lexical_rank", "cover", "title_cover", "kind", "preamble", "doc_share")


@dataclass(frozen=True)
class Candidate:
    chunk_id: str
    cosine: float | None
    bm25: float
    vector_rank: int | None  # 0-based rank in the vector list, None when absent
    lexical_rank: int | None
    doc_share: float = 0.0  # share of the best candidates that come from the same document


def present(word: str, text: str) -> bool:
    """The word, or a statute's name for it (社保 → 社会保险), occurs in the text."""
    return word in text or any(term in text for term in statute_terms(word))


def coverage(terms: QuestionTerms, text: str) -> float:
    """Share of the question's subject, weighted by specificity, that the text mentions."""
    total = sum(weight for _, weight in terms.subject)
    if total <= 0:
        return 0.0
    return sum(weight for word, weight in terms.subject if present(word, text)) / total


def _is_preamble(article: str | None) -> bool:
    """第一条/第二条 state a law's purpose and scope: they match every question on the topic and answer none."""
    return article in ("第一条", "第二条")


def features(terms: QuestionTerms, c: Candidate, row: dict, profile: Profile) -> dict[str, float]:
    text = row["text"]
    heading = f"{row['title']} {row.get('chapter') or ''}"
    return {
        "bias": 1.0,
        "cosine": profile.scaled_cosine(c.cosine),
        "bm25": LexicalIndex.saturate(c.bm25),
        "vector_rank": 0.0 if c.vector_rank is None else 1.0 / (1 + c.vector_rank),
        "lexical_rank": 0.0 if c.lexical_rank is None else 1.0 / (1 + c.lexical_rank),
        "cover": coverage(terms, f"{heading} {text}"),
        "title_cover": coverage(terms, heading),
        "kind": 1.0 if states_kind(terms.asks, text) else 0.0,
        "preamble": 1.0 if _is_preamble(row.get("article")) else 0.0,
        "doc_share": c.doc_share,
    }
