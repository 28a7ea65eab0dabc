"""Chinese text in the form the knowledge base is written in: simplified characters, and characters typed one by one
with spaces between them joined up."""

from __future__ import annotations

import functools
import re

# Four or more single characters each followed by a space (办 居 住 证 要 带 什 么 材 料): typed one at a time, not
# clauses with pauses between them (孩子有点残疾 普通小学能不能不收)
_SPACED = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?:[ \u3000][\u4e00-\u9fff](?![\u4e00-\u9fff])){3,}")


@functools.lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def as_written(text: str) -> str:
    """A typed or heard question in simplified characters, with characters typed one by one joined (辦 居 住 證 → 办居住证)."""
    text = _SPACED.sub(lambda m: re.sub(r"[ \u3000]", "", m.group(0)), text)
    return to_simplified(text)
