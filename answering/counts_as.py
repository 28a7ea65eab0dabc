"""Whether a case counts as something the statutes define by cases (这种算不算工伤, 下班路上被撞了能算工伤吗) and the
articles that say what does (应当认定为工伤, 视同工伤, 不得认定为工伤).

Such a question is answered by one of those articles when any was found: 突发心梗 抢救了一天没救过来 能算工伤吗 had quoted
工伤保险条例 第四十一条 (pay while a worker is missing after an accident), first in relevance, over 第十五条 (视同工伤:
在48小时之内经抢救无效死亡的).
"""

from __future__ import annotations

import re

# 算 in 打算, 计算, 结算… is no asking, nor is 厂里偏说不算工伤 (said, not asked); the thing is what follows, up to the
# asking word (能算工伤吗, 这个算工伤不) or, after 算不算 / 属不属于, the clause's end
_THING = r"(?!什么|哪|啥|怎|多)(?P<thing>[\u4e00-\u9fff]{2,6}?)"
_ASKED = (
    re.compile(rf"(?:算不算|能不能算|属不属于){_THING}(?:吗|呢|[，,。？?\s]|$)"),
    re.compile(rf"(?<![打计结预换清核估盘推不])(?:能算|可以算|算是|算|属于|(?:能|可以)认定为?){_THING}(?:吗|不|么|嘛)"),
)


def counted_as(text: str) -> str | None:
    """The thing a question asks whether its case counts as (下班路上被撞了 这个算工伤不 → 工伤), or None."""
    match = next((m for m in (pattern.search(text) for pattern in _ASKED) if m), None)
    return match.group("thing") if match else None


def defines(passage: str, thing: str) -> bool:
    """Whether the passage says which cases count as the thing (职工有下列情形之一的，视同工伤), not what follows a
    decision that one does (作出认定为工伤的决定后)."""
    return re.search(rf"(?:认定为|视同|属于|算作)[^，。；]{{0,2}}{re.escape(thing)}(?!的决定)", passage) is not None
