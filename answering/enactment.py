"""A law's enactment record states no rule, so it answers only a question about when the law was made.

Before its first article a statute lists when it was passed, amended and put in force (1980年9月10日 第五届全国人民代表
大会第三次会议通过 / 2018年8月31日 …第七次修正). The search can put that passage first for a question on the law's subject
(我退休了 每个月的退休金还要交个税吗 → 个人所得税法's record), and a kiosk that then says "2007年6月29日 …第四次修正" has
answered nothing while citing the law. Such a passage is left out of what may be quoted unless the question asks when
the law was passed, amended or put in force (居住证暂行条例是什么时候开始施行的).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.models import Hit

# one line of the record: a date, who acted, and what was done (通过 / 公布 / 发布 / 修订 / 修正 / 施行)
_RECORD_LINE = re.compile(r"^[（(]?\d{4}年\d{1,2}月\d{1,2}日.*(?:通过|公布|发布|修订|修正|施行)[）)]?$")
_ASKS_WHEN_MADE = re.compile(
    r"(?:施行|实施|生效|通过|公布|颁布|发布|出台|修订|修正|修改)|哪一?年|什么时候(?:定|有|制定)|几几年"
)


def enactment_record(text: str) -> bool:
    """Whether a passage is only a law's enactment record (every line a dated 通过/公布/修正/… entry)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_RECORD_LINE.match(line) for line in lines)


def asks_when_made(question: str) -> bool:
    """Whether a question asks when a law was passed, amended or put in force."""
    return bool(_ASKS_WHEN_MADE.search(question))


def ruling(hits: Sequence[Hit], question: str) -> list[Hit]:
    """The hits that state a rule, and enactment records too when the question asks when a law was made."""
    if asks_when_made(question):
        return list(hits)
    return [hit for hit in hits if not enactment_record(hit.text)]


__all__ = ["asks_when_made", "enactment_record", "ruling"]
