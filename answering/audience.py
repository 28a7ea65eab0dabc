"""Documents written for one group of people are not quoted to a question about someone else.

A statute for veterans (退役军人安置条例) or for people with disabilities (残疾人就业条例) uses the everyday words of
every department — 退休, 安置, 就业, 扶持 — so a question that names no such person can find one of its articles on
top: 退休年龄是多少 → 中级以上军士…年满55周岁的，作退休安置. Such a passage answers only a question that names the
group (`answering.audiences`: the group's name as it appears in a document's title → the words that name it in a
question); for other questions it is left out and the remaining passages are judged as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.models import Hit


def written_for(hit: Hit, audiences: Mapping[str, Sequence[str]]) -> str | None:
    """The group the passage's document is written for, by its title, if any."""
    return next((group for group in audiences if group in hit.title), None)


def addressed(hits: Sequence[Hit], question: str, audiences: Mapping[str, Sequence[str]]) -> list[Hit]:
    """The hits whose document is for everyone, or for a group the question names."""
    named = {group for group, words in audiences.items() if group in question or any(w in question for w in words)}
    kept = []
    for hit in hits:
        group = written_for(hit, audiences)
        if group is None or group in named:
            kept.append(hit)
    return kept


__all__ = ["addressed", "written_for"]
