from __future__ import annotations

import pytest

from answering.frequency import asks_frequency, asks_only_how_often, states_frequency


@pytest.mark.parametrize(
    "question",
    ["居住证多久要签注一次", "养老金多久发一次", "失业金是一个月发一回吗", "护理费是按月给还是给一笔就完事",
     "是不是每年都得去签", "退伍兵的专场招聘会 一年有没有一回"],
)
def test_questions_on_how_often_are_read_as_such(question: str) -> None:
    assert asks_frequency(question)


@pytest.mark.parametrize(
    "question",
    # how long something takes, a reply awaited, how many years one pays in
    ["办护照要多久", "信息公开申请交上去多久给回复", "人家得多久回话", "养老保险要交满多少年", "一次性伤残补助金有多少",
     # how often told, not asked
     "我一直按月领着退役金 今年考上公务员了 那退役金还接着给我发吗"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_frequency(question)


def test_an_article_states_how_often_by_a_span_repeated() -> None:
    assert states_frequency("失业保险金由社会保险经办机构按月发放。")
    assert states_frequency("居住证由县级人民政府公安机关签发，每年签注1次。")
    assert states_frequency("由扣缴义务人按月或者按次预扣预缴税款")
    assert not states_frequency("公安机关应当自受理之日起15日内制作发放居住证。")
    assert not states_frequency("国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。")


def test_how_often_asked_with_what_follows_is_a_question_on_what_follows() -> None:
    assert asks_only_how_often("居住证多久要签注一次")
    assert not asks_only_how_often("居住证是不是每年都得去签 忘了签会咋样")
