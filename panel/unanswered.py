"""Group similar unanswered questions so staff answer each topic once (character-bigram Jaccard)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NOISE = re.compile(r"[\s，。？！、,.?!：:；;“”\"'（）()]+")


def char_bigrams(text: str) -> frozenset[str]:
    clean = _NOISE.sub("", text)
    if len(clean) < 2:
        return frozenset({clean}) if clean else frozenset()
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class QuestionGroup:
    question: str  # the group's representative (its first, i.e. newest, question)
    turn_ids: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    last_at: float = 0.0
    refused: int = 0  # turns refused, whole or in part
    thumbs_down: int = 0
    _grams: frozenset[str] = frozenset()

    @property
    def count(self) -> int:
        return len(self.turn_ids)


def asked_unanswered(turn: dict[str, Any]) -> str:
    """What of a turn's question went unanswered: all of it when refused, else the parts the answer said it had no
    rule for (残疾证怎么办 of 残疾人就业有什么扶持 残疾证怎么办), else (rated 👎) all of it."""
    parts = turn.get("unanswered") or []
    return "；".join(parts) if parts and not turn["refused"] else turn["question"]


def group_unanswered(turns: list[dict[str, Any]], threshold: float = 0.4) -> list[QuestionGroup]:
    """Greedy clustering: each question joins the most similar group at or above `threshold`, else starts one.

    Largest groups first, ties by most recent.
    """
    groups: list[QuestionGroup] = []
    for turn in sorted(turns, key=lambda t: -t["created_at"]):
        question = asked_unanswered(turn)
        grams = char_bigrams(question)
        best, best_score = None, threshold
        for group in groups:
            score = jaccard(grams, group._grams)
            if score >= best_score:
                best, best_score = group, score
        if best is None:
            best = QuestionGroup(question=question, last_at=turn["created_at"], _grams=grams)
            groups.append(best)
        best.turn_ids.append(turn["turn_id"])
        if question not in best.questions:
            best.questions.append(question)
        best.refused += int(bool(turn["refused"]) or bool(turn.get("unanswered")))
        best.thumbs_down += int(turn.get("helpful") is False)
    return sorted(groups, key=lambda g: (-g.count, -g.last_at))
