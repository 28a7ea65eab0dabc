"""Which bracket of an article fits the citizen's own figure: 我今年32岁 → 二十六周岁至四十五周岁的…二十年.

Articles state a rule per age or per years of contributions (十六周岁至二十五周岁的…十年；二十六周岁至四十五周岁的…二十年;
缴费满1年不足5年的…12个月). A question that states the citizen's own age or years (我今年三十二, 孩子才十岁, 交了八年)
asks for the bracket it falls in; the spoken answer should say that one, not the first or all of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from answering.faithfulness import arabic_numerals

# the citizen's own figure: an age (32岁, 今年三十二) or years paid in or worked (交了8年, 缴费满6年)
_AGE = re.compile(r"(?:今年|才|已经|快|刚|满)?(\d{1,3})(?:周岁|岁)(?!以上|以下|以内|之前|之后|前|后|的人|至)|今年(\d{1,3})(?![\d年月号日])")
_YEARS = re.compile(r"(?:交了|缴了|缴费|交费|工作了|干了|上了|参保|满)(\d{1,2})年(?!以上|以下|以内|内|前|后|度)")
# a bracket in an article: 26周岁至45周岁的 / 46周岁以上的 / 未满16周岁的 / 满1年不足5年的 / 10年以上的
_RANGE = re.compile(r"(?:满)?(\d+)(周岁|年)至(\d+)(?:周岁|年)")
_FROM_TO = re.compile(r"满(\d+)(年)不(?:足|满)(\d+)年")
_AT_LEAST = re.compile(r"(?<![至\d])(\d+)(周岁|年)以上")
_UNDER = re.compile(r"(?:未满|不满|不足)(\d+)(周岁|年)")
# a figure the question bounds from above (未满十六岁的孩子, 交了不到5年) is below it: the bracket asked about, not a
# citizen aged sixteen
_BELOW = re.compile(r"(?:未满|不满|不足|不到)(\d{1,3})(周岁|岁|年)")


@dataclass(frozen=True)
class Figure:
    value: int
    unit: str  # "周岁" (an age) or "年" (years paid in or worked)


def own_figure(question: str) -> Figure | None:
    """The age or the years the question states of the citizen, when it states exactly one."""
    text = _BELOW.sub(lambda m: f"{max(0, int(m.group(1)) - 1)}{m.group(2)}", arabic_numerals(question))
    ages = {int(a or b) for a, b in _AGE.findall(text)}
    years = {int(y) for y in _YEARS.findall(text)}
    if len(ages) + len(years) != 1:
        return None
    return Figure(ages.pop(), "周岁") if ages else Figure(years.pop(), "年")


def brackets(text: str) -> list[tuple[float, float, str]]:
    """[low, high) ranges the text states, with their unit (周岁 or 年)."""
    text = arabic_numerals(text)
    found = [(int(lo), int(hi) + 1, unit) for lo, unit, hi in _RANGE.findall(text)]
    found += [(int(lo), int(hi), unit) for lo, unit, hi in _FROM_TO.findall(text)]
    found += [(int(lo), math.inf, unit) for lo, unit in _AT_LEAST.findall(text)]
    found += [(0, int(hi), unit) for hi, unit in _UNDER.findall(text)]
    return found


def fit_share(text: str, figure: Figure) -> float | None:
    """The share of the text's brackets of the figure's unit that hold it (1.0: 二十六周岁至四十五周岁的 for 32; 0.5:
    a sentence with both 未满十六周岁的 and 十六周岁以上的), or None when it states no bracket of that unit."""
    own = [(lo, hi) for lo, hi, unit in brackets(text) if unit == figure.unit]
    if not own:
        return None
    return sum(lo <= figure.value < hi for lo, hi in own) / len(own)
