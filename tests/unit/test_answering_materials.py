from __future__ import annotations

import pytest

from answering.materials import asks_materials, states_materials


@pytest.mark.parametrize(
    "question", ["办营业执照要什么材料", "开个小卖部办个体户执照 要准备哪些东西", "火化要什么证明", "离婚要带什么", "办护照需要哪些证件"]
)
def test_questions_on_which_documents_to_bring_are_read_as_such(question: str) -> None:
    assert asks_materials(question)


@pytest.mark.parametrize(
    # how to apply, whether to bring one, how long; which certificate to get (去香港澳门玩 要办什么证件: 港澳通行证);
    # whether every one asked for must be got (啥证明都得我去开吗)
    "question",
    ["结婚证怎么办", "办居住证要带户口本吗", "护照要多久能办好", "材料交上去以后多久能批下来", "去香港澳门玩 要办什么证件",
     "窗口让我再回居委会开个证明才给办 啥证明都得我去开吗"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_materials(question)


def test_an_article_listing_or_naming_documents_to_hand_in_states_them() -> None:
    assert states_materials("申请办理设立登记，应当提交下列材料：")
    assert states_materials("办理离婚登记的内地居民应当出具下列证件和证明材料：")
    assert states_materials("申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及居住地住址证明")
    assert states_materials("火化遗体必须凭公安机关或者国务院卫生行政部门规定的医疗机构出具的死亡证明。")


def test_what_an_office_does_with_documents_handed_in_states_none() -> None:
    assert not states_materials("婚姻登记机关应当对结婚登记当事人出具的证件、证明材料进行审查并询问相关情况。")
    assert not states_materials("申请材料齐全、符合法定形式的，登记机关予以确认，并当场登记，出具登记通知书，及时制发营业执照。")
    assert not states_materials("登记机关应当向申请人出具接收申请材料凭证，申请人补正后，应当重新提交申请材料。")
    # the day the office's period runs from
    assert not states_materials("公安机关应当自公民提交《居民身份证申领登记表》之日起六十日内发放居民身份证")
