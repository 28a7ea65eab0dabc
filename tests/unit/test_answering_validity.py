from __future__ import annotations

import pytest

from answering.validity import asks_validity, states_validity


@pytest.mark.parametrize(
    "question",
    ["社保卡有效期是多久", "身份证有效期是多少年", "我今年三十二 换的新身份证能管几年", "孩子才十岁 给他办的护照能用几年",
     "临时身份证能用多久", "这个执照几年有效"],
)
def test_questions_on_how_long_something_stays_valid_are_read_as_such(question: str) -> None:
    assert asks_validity(question)


@pytest.mark.parametrize(
    "question", ["办居住证要用多长时间", "公积金能用多少", "身份证过期了还能用吗", "有效期到了怎么办", "失业金能领多久"],
)
def test_how_long_it_takes_or_whether_it_still_holds_is_not(question: str) -> None:
    assert not asks_validity(question)


def test_an_article_stating_a_length_of_validity_states_one() -> None:
    assert states_validity("十六周岁以上公民的居民身份证的有效期为十年、二十年、长期。")
    assert states_validity("外国人工作类居留证件的有效期最短为90日，最长为5年。")
    # that old cards stay valid, or that the office issues one within days, states no length
    assert not states_validity("依照本法在2012年1月1日以前领取的居民身份证，在其有效期内，继续有效。")
    assert not states_validity("社会保险经办机构应当自收到申请之日起10个工作日内办理完毕。")
