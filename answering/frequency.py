"""How often something is paid or done, as a citizen asks it (多久发一次, 是按月给还是一次给, 每个月都要交吗) and as an
article states it (按月发放, 每月…代扣代缴, 每年签注1次, 按月或者按次预扣预缴).

A question asking that is answered only by an article stating a frequency, and the sentence spoken of the article
chosen is the one that states it: 居住证多久要签注一次 heard 第十条's 每满1年之日前1个月内 rather than its
每年签注1次.
"""

from __future__ import annotations

import re

from answering.consequences import asks_consequence
from knowledge_base.question import CLAUSE

_SPAN = r"(?:月|年|季度?|星期|礼拜|周)"
_TIMES = r"(?:次|回(?![复话音信应来去]))"  # 多久给回复 asks how long, not how often
ASKED = re.compile(
    rf"(?:每|一)个?{_SPAN}[^，。？?\s]{{0,8}}?[一1几]?{_TIMES}|按{_SPAN}|每个?(?:月|年)都"
    rf"|(?:多久|多长时间|隔多久|几个月|几年)[^，。？?\s]{{0,6}}?(?:一)?{_TIMES}"
)
STATED = re.compile(r"按(?:月|年|季度?|次)|每个?(?:月|年|季度?)|定期|(?:月度|季度|年度)终了")


# 一直按月领着退役金: how often is told, not asked
_TOLD = re.compile(r"着")


def asks_frequency(text: str) -> bool:
    """Whether the text asks how often (养老金是一个月给一回吗, 多久发一次, 是不是每年都得签); not a clause telling an
    ongoing state (一直按月领着退役金 今年考上公务员了 还接着发吗)."""
    return any(ASKED.search(c) and not _TOLD.search(c) for c in CLAUSE.split(text))


def asks_only_how_often(text: str) -> bool:
    """Whether the text asks how often and not what follows (居住证多久签一次 忘了签会咋样 asks what follows)."""
    return asks_frequency(text) and not asks_consequence(text)


def states_frequency(passage: str) -> bool:
    """Whether the passage states how often (失业保险金…按月发放, 每年签注1次)."""
    return bool(STATED.search(passage))
