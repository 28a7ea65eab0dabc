from __future__ import annotations

import pytest

from answering.offices import asks_office, names_office


@pytest.mark.parametrize(
    "question",
    ["办护照去哪个部门", "临时救助该找谁申请", "城市低保最后拍板审批的是哪个部门", "工伤认定去哪申请", "这事归谁管",
     "签注要去哪里办", "报出生户口要去哪个单位"],
)
def test_questions_on_which_office_are_read_as_such(question: str) -> None:
    assert asks_office(question)


@pytest.mark.parametrize("question", ["孩子在哪上学", "办护照要带什么材料", "身份证丢了怎么办", "哪里能看到办事指南"])
def test_other_questions_are_not(question: str) -> None:
    assert not asks_office(question)


def test_an_article_naming_no_body_at_all_names_no_office() -> None:
    assert names_office("申请临时救助的，应当向乡镇人民政府、街道办事处提出。")
    assert names_office("申请教育救助，应当按照国家有关规定向就读学校提出。")
    assert not names_office("国家对因火灾、交通事故等意外事件，基本生活暂时出现严重困难的家庭或者个人，给予临时救助。")
