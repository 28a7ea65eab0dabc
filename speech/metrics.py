"""Character error rate as the benchmarks and tests measure it: punctuation and spaces removed, simplified."""

from __future__ import annotations

import re

from core.script import to_simplified

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)


def cer_units(text: str) -> str:
    return _NOT_TEXT.sub("", to_simplified(text)).lower()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference length) after normalisation; sum these to pool CER over a set."""
    ref, hyp = cer_units(reference), cer_units(hypothesis)
    return edit_distance(ref, hyp), len(ref)


def cer(reference: str, hypothesis: str) -> float:
    errors, length = character_errors(reference, hypothesis)
    return errors / max(length, 1)
