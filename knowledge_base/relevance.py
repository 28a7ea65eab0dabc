"""Which candidate passage answers the question: signals per candidate, combined by a small fitted model.

Vector search and BM25 each propose candidates; for every candidate this module measures how much of the question's
subject the passage (and its document title) covers, whether it states the kind of fact asked for (a duration for
多久, an amount or 免费 for 收费), and the two retrieval scores. A logistic model fitted on the fit half of
bench/data (bench/fit_relevance.py) turns them into p(relevant) — the `score` of a Hit — and orders the hits.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from knowledge_base.lexical import LexicalIndex
from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import QuestionTerms, states_kind

# e5 cosine similarities sit in a narrow band; these bounds spread it over [0, 1].
_COS_FLOOR = 0.75
_COS_CEIL = 0.95
_WEIGHTS_FILE = "relevance_weights.json"

FEATURES = ("bias", "cosine", "bm25", "vector_rank", "lexical_rank", "cover", "title_cover", "kind", "preamble", "doc_share")


@dataclass(frozen=True)
class Candidate:
    chunk_id: str
    cosine: float | None
    bm25: float
    vector_rank: int | None  # 0-based rank in the vector list, None when absent
    lexical_rank: int | None
    doc_share: float = 0.0  # share of the best candidates that come from the same document


def scaled_cosine(cosine: float | None) -> float:
    """A cosine similarity spread over [0, 1] from the narrow band e5 puts passages in."""
    return 0.0 if cosine is None else min(1.0, max(0.0, (cosine - _COS_FLOOR) / (_COS_CEIL - _COS_FLOOR)))


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


def features(terms: QuestionTerms, c: Candidate, row: dict) -> dict[str, float]:
    text = row["text"]
    heading = f"{row['title']} {row.get('chapter') or ''}"
    return {
        "bias": 1.0,
        "cosine": scaled_cosine(c.cosine),
        "bm25": LexicalIndex.saturate(c.bm25),
        "vector_rank": 0.0 if c.vector_rank is None else 1.0 / (1 + c.vector_rank),
        "lexical_rank": 0.0 if c.lexical_rank is None else 1.0 / (1 + c.lexical_rank),
        "cover": coverage(terms, f"{heading} {text}"),
        "title_cover": coverage(terms, heading),
        "kind": 1.0 if states_kind(terms.asks, text) else 0.0,
        "preamble": 1.0 if _is_preamble(row.get("article")) else 0.0,
        "doc_share": c.doc_share,
    }


@dataclass(frozen=True)
class LinearModel:
    """p = sigmoid(w · x) over named features."""

    weights: dict[str, float]

    def probability(self, x: dict[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * value for name, value in x.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps({"weights": self.weights}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> LinearModel:
        return cls({k: float(v) for k, v in json.loads(text)["weights"].items()})

    @classmethod
    def packaged(cls, package: str, name: str, prior: LinearModel) -> LinearModel:
        """Weights shipped as package data (written by a bench/fit_*.py script), else the prior."""
        try:
            return cls.from_json(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return prior


# Before fitting (and if the fitted file is missing): roughly the old fused confidence.
_PRIOR = LinearModel({"bias": -3.0, "cosine": 3.5, "bm25": 1.5, "cover": 1.5, "kind": 0.3})


@lru_cache(maxsize=1)
def fitted_model() -> LinearModel:
    return LinearModel.packaged("knowledge_base", _WEIGHTS_FILE, _PRIOR)
