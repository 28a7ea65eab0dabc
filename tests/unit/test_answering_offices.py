from __future__ import annotations

import pytest

from answering.offices import asks_office, asks_where_to_apply, names_office, names_what_is_applied_for


@pytest.mark.parametrize(
    "question",
    ["办护照去哪个部门", "临时救助该找谁申请", "城市低保最后拍板审批的是哪个部门", "工伤认定去哪申请", "这事归谁管",
     "签注要去哪里办", "报出生户口要去哪个单位", "到退休的时候是在广州领还是在湛江领",
     "是在上海这边申请还是得回安徽申请"],
)
def test_questions_on_which_office_are_read_as_such(question: str) -> None:
    assert asks_office(question)


@pytest.mark.parametrize(
    "question",
    ["孩子在哪上学", "办护照要带什么材料", "身份证丢了怎么办", "哪里能看到办事指南", "他是只能去敬老院住 还是也能在自己家"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_office(question)


def test_an_article_naming_no_body_at_all_names_no_office() -> None:
    assert names_office("申请临时救助的，应当向乡镇人民政府、街道办事处提出。")
    assert names_office("申请教育救助，应当按照国家有关规定向就读学校提出。")
    assert not names_office("国家对因火灾、交通事故等意外事件，基本生活暂时出现严重困难的家庭或者个人，给予临时救助。")
    # which of two places: the place whose office it is answers (户籍所在地); that one's record goes with one does not
    assert names_office("最低生活保障的申请由户主向户籍所在地的街道办事处或者镇人民政府提出书面申请")
    assert not names_office("个人跨统筹地区就业的，其基本养老保险关系随本人转移，缴费年限累计计算。")


@pytest.mark.parametrize("question", ["办护照是去哪个部门办", "临时救助该找谁申请", "低保去哪申请", "工伤认定找谁申请", "去哪个部门办"])
def test_where_one_goes_or_whom_one_applies_to_is_read_as_such(question: str) -> None:
    assert asks_where_to_apply(question)


@pytest.mark.parametrize("question", ["城里的低保到底是哪个部门审批", "低保是哪个部门批的", "工伤归谁管", "孩子在哪上学"])
def test_who_approves_or_decides_is_not_where_one_applies(question: str) -> None:
    assert not asks_where_to_apply(question)


def test_what_is_applied_for_is_named_besides_an_office() -> None:
    assert names_what_is_applied_for("护照去哪个部门办") and names_what_is_applied_for("失业登记在哪办")
    assert not names_what_is_applied_for("去哪个部门申请")
