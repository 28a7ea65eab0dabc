"""Effective dates: from a file name such as 条例(2016-01-01).md, or from the document's own words."""

from __future__ import annotations

import re

DATE_IN_NAME = re.compile(r"[（(](\d{4})-(\d{1,2})-(\d{1,2})[)）]")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ARABIC = r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?"
_CHINESE = r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
_DATE = rf"(?:{_ARABIC}|{_CHINESE})"
# "施行日期：2021年3月1日", "生效日期: 2021-03-01", "自2021年3月1日起施行", "2016年1月1日起实施"
_EFFECTIVE = [
    re.compile(rf"(?:施行|生效|实施)(?:日期|时间)\s*[：:为是]?\s*{_DATE}"),
    re.compile(rf"{_DATE}\s*(?:起)?\s*(?:施行|实施|生效)"),
]


def _chinese_number(text: str) -> int:
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):  # a year: 二〇二一
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def _iso(groups: tuple[str | None, ...]) -> str | None:
    arabic, chinese = groups[:3], groups[3:]
    if arabic[0]:
        y, mo, d = (int(g) for g in arabic)  # type: ignore[arg-type]
    else:
        y, mo, d = (_chinese_number(g or "") for g in chinese)
    if not (1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def date_in_name(name: str) -> str | None:
    m = DATE_IN_NAME.search(name)
    return None if m is None else _iso((*m.groups(), None, None, None))


def effective_date_in_text(text: str) -> str | None:
    """The date the text says it takes effect (施行/生效/实施), the first such statement winning; None if it says none."""
    text = re.sub(r"[ \t　]+", "", text)
    for pattern in _EFFECTIVE:
        for m in pattern.finditer(text):
            date = _iso(m.groups())
            if date:
                return date
    return None
