"""Reading the citizen's own age or years, and an article's brackets (answering/brackets.py)."""

from __future__ import annotations

import math

from answering.brackets import Figure, brackets, fit_share, own_figure


def test_the_citizens_own_age_or_years_are_read_in_either_numerals() -> None:
    assert own_figure("我今年三十二 换的新身份证能管几年") == Figure(32, "周岁")
    assert own_figure("孩子才10岁") == Figure(10, "周岁")
    assert own_figure("我交了八年失业保险 能领多久") == Figure(8, "年")
    # a figure bounded from above is below it: 未满十六岁 asks after the under-sixteen bracket, not a sixteen-year-old
    assert own_figure("未满十六岁的孩子能办身份证吗") == Figure(15, "周岁")
    assert own_figure("我缴费不满一年 能领失业金吗") == Figure(0, "年")
    assert fit_share("未满十六周岁的公民，由监护人代为申请领取居民身份证。", own_figure("未满十六岁的孩子")) == 1.0
    # a bound asked about, a calendar year or two figures are not the citizen's own figure
    for question in ("十六周岁以下能办身份证吗", "2020年交的社保", "身份证有效期几年", "我60岁 我爸85岁"):
        assert own_figure(question) is None, question


def test_brackets_are_half_open_ranges_in_their_unit() -> None:
    assert brackets("二十六周岁至四十五周岁的") == [(26, 46, "周岁")]
    assert brackets("四十六周岁以上的") == [(46, math.inf, "周岁")]
    assert brackets("未满十六周岁的公民") == [(0, 16, "周岁")]
    assert (1, 5, "年") in brackets("累计缴费时间满1年不足5年的")


def test_the_share_of_brackets_that_hold_the_figure() -> None:
    both = "护照持有人未满十六周岁的五年，十六周岁以上的十年。"
    assert fit_share(both, Figure(12, "周岁")) == 0.5
    assert fit_share("未满十六周岁的五年", Figure(12, "周岁")) == 1.0
    assert fit_share("十六周岁以上的十年", Figure(12, "周岁")) == 0.0
    assert fit_share("十六周岁以上的十年", Figure(12, "年")) is None  # years paid in say nothing of an age
