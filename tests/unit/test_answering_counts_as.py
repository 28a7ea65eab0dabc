from __future__ import annotations

import pytest

from answering.counts_as import counted_as, defines


@pytest.mark.parametrize(
    ("question", "thing"),
    [("我爱人上班的时候突发心梗 抢救了一天没救过来 能算工伤吗", "工伤"), ("下班路上骑电动车被汽车撞了 这个算工伤不", "工伤"),
     ("这种算不算工伤", "工伤"), ("老师让孩子罚站 这算不算体罚 允许这样吗", "体罚")],
)
def test_a_question_whether_a_case_counts_as_something_names_it(question: str, thing: str) -> None:
    assert counted_as(question) == thing


@pytest.mark.parametrize("question", ["我打算申请低保", "工资怎么计算", "养老金怎么结算", "工伤认定怎么申请", "这属于什么情况",
                                      "厂里偏说不算工伤 证据得俺自己找吗"])
def test_other_questions_name_nothing(question: str) -> None:
    assert counted_as(question) is None


def test_an_article_defines_the_thing_by_its_cases_not_by_a_decision_on_one() -> None:
    assert defines("职工有下列情形之一的，应当认定为工伤：", "工伤")
    assert defines("职工有下列情形之一的，视同工伤：", "工伤")
    assert defines("职工因下列情形之一导致本人在工作中伤亡的，不认定为工伤：", "工伤")
    assert not defines("社会保险行政部门作出认定为工伤的决定后发生行政复议、行政诉讼的，行政复议和行政诉讼期间不停止支付", "工伤")
    assert not defines("职工因工外出期间发生事故或者在抢险救灾中下落不明的，从事故发生当月起3个月内照发工资。", "工伤")
