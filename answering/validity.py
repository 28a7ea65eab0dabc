"""How long a certificate, card or licence stays valid, as a citizen asks it (社保卡有效期是多久, 护照能用几年, 新证能管几年)
and as an article states it (居民身份证的有效期为十年; 普通护照的有效期为…十年; 工作类居留证件的有效期最短为90日).

A question asking that is answered only by an article stating a length of validity: 社会保险经办条例 第六条 (the office
issues the card within 10 working days) had been quoted for how long a 社保卡 is valid, and 居民身份证法 第十二条 (one may
have a temporary card while waiting) for how long a temporary card is; neither article states it. That old cards stay
valid within their term (在有效期内继续有效) states no length either.
"""

from __future__ import annotations

import re

_LENGTH = r"(?:多久|多长时间|多长|几年|多少年|几个月|多少个月)"
ASKED = re.compile(
    # 有效期是多久, 有效期多少年, 有效期限是几年
    rf"有效期限?(?:是|为|有|一般|大概)*(?:{_LENGTH}|多少)"
    # 能用几年, 还能用多久, 能管几年, 管多长时间, 几年有效, 有效多久 (not 办证要用多长时间: how long it takes)
    rf"|(?:能|可以)用{_LENGTH}|管{_LENGTH}|几年有效|有效{_LENGTH}"
)
STATED = re.compile(r"有效期限?[^，。；]{0,10}?(?:为|是|最短|最长)|有效期限?[^，。；]{0,6}?[\d一二三四五六七八九十两]+\s*(?:年|个月|日)")


def asks_validity(text: str) -> bool:
    """Whether the text asks how long something stays valid (护照能用几年, 社保卡有效期是多久)."""
    return bool(ASKED.search(text))


def states_validity(passage: str) -> bool:
    """Whether the passage states how long something stays valid (有效期为十年), not only that it is (在有效期内继续有效)."""
    return bool(STATED.search(passage))
