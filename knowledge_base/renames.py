"""Terms a newer version of a document renamed: 2018年 上海市社会救助条例 says 低收入困难家庭, the 2024 version
最低生活保障边缘家庭. Citizens ask with the name on an old leaflet; the kiosk searches with the current one and says
that the name changed.

Found without a model by comparing the two versions: each article of the older version is paired with the most
similar one of the newer, the pairs are compared word by word, and a changed run of words that ends in a noun (or
is followed by the same noun in both: 支出型贫困 家庭 → 刚性支出困难 家庭) is a candidate. A candidate counts as a
rename when it recurs (a one-off change is an edit, not a new name), the old term never occurs in the newer
version and the new term never occurs in the older one.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.question import is_noun, words

_MIN_SIMILARITY = 0.5  # articles less alike than this are not two versions of one article
_MAX_WORDS = 5  # a changed run longer than this is a rewritten sentence, not a new name
_MIN_CHARS = 3
_MIN_COUNT = 2


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    title: str
    old_version: str | None
    new_version: str | None

    def old_year(self) -> str:
        """How the older version is named aloud: 2018年 (a date read digit by digit is hard to follow)."""
        return _year(self.old_version, "旧")

    def new_year(self) -> str:
        return _year(self.new_version, "")


def _year(version: str | None, unknown: str) -> str:
    return f"{version[:4]}年" if version else unknown


def _changes(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """Changed runs (old start, old end, new start, new end); two changes one shared word apart are one change,
    so 刚性 + 支出 + 困难 against 支出 + 型 + 贫困 reads as one renamed phrase."""
    runs: list[tuple[int, int, int, int]] = []
    last_equal: tuple[int, int] | None = None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            last_equal = (i1, i2)
            continue
        if runs and last_equal is not None and last_equal[1] - last_equal[0] <= 1 and last_equal[0] == runs[-1][1]:
            runs[-1] = (runs[-1][0], i2, runs[-1][2], j2)
        else:
            runs.append((i1, i2, j1, j2))
        last_equal = None
    return runs


def _term(old: list[str], new: list[str], run: tuple[int, int, int, int]) -> tuple[str, str] | None:
    i1, i2, j1, j2 = run
    if not (0 < i2 - i1 <= _MAX_WORDS and 0 < j2 - j1 <= _MAX_WORDS):
        return None
    before, after = "".join(old[i1:i2]), "".join(new[j1:j2])
    if not (is_noun(old[i2 - 1]) and is_noun(new[j2 - 1])):
        if i2 < len(old) and j2 < len(new) and old[i2] == new[j2] and is_noun(old[i2]):
            before, after = before + old[i2], after + new[j2]  # the shared head noun names the thing
        else:
            return None
    return (before, after) if min(len(before), len(after)) >= _MIN_CHARS else None


def renamed_terms(older: Sequence[str], newer: Sequence[str]) -> list[tuple[str, str]]:
    """(old term, new term) pairs, most frequent first, from the article texts of two versions of a document."""
    if not older or not newer:
        return []
    newer_words = [words(text) for text in newer]
    counts: Counter[tuple[str, str]] = Counter()
    for text in older:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq1(text)
        best, similarity = 0, 0.0
        for index, candidate in enumerate(newer):
            matcher.set_seq2(candidate)
            if matcher.quick_ratio() > similarity and (ratio := matcher.ratio()) > similarity:
                best, similarity = index, ratio
        if similarity < _MIN_SIMILARITY:
            continue
        old_words, new_words = words(text), newer_words[best]
        for run in _changes(old_words, new_words):
            term = _term(old_words, new_words, run)
            if term:
                counts[term] += 1
    old_all, new_all = "".join(older), "".join(newer)
    # shortest first: 低收入困难家庭成员 is decided by 低收入困难家庭 — covered when that is a rename, and not a
    # rename of its own when the newer version still says 低收入困难家庭
    decided: list[str] = []
    kept: set[tuple[str, str]] = set()
    for before, after in sorted(counts, key=lambda term: len(term[0])):
        if any(shorter in before for shorter in decided):
            continue
        if before in new_all or after in old_all:
            decided.append(before)
        elif counts[(before, after)] >= _MIN_COUNT:
            decided.append(before)
            kept.add((before, after))
    return [term for term, _ in counts.most_common() if term in kept]


__all__ = ["Rename", "renamed_terms"]
