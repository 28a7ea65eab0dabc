from __future__ import annotations

import pytest

from answering.fees import asks_fee, states_fee


@pytest.mark.parametrize(
    "question",
    ["居住证丢了补办要钱吗", "第一次办居住证收费吗", "我想查一下自己的社保缴费记录 要钱吗", "申请信息公开收不收费",
     "退伍回来参加技能培训要自己掏钱吗", "盲人坐公交免费吗", "厂里拖着不报工伤 这中间看病的钱该谁出", "办身份证工本费多少",
     "办执照时候那些登记费证照费还用交吗"],
)
def test_questions_on_what_something_costs_or_who_pays_are_read_as_such(question: str) -> None:
    assert asks_fee(question)


@pytest.mark.parametrize(
    "question",
    ["失业金能领多久", "居住证丢了去哪补办", "谁出具证明", "社保要交多少年", "办护照要带什么材料", "低保找谁申请",
     "费用要交给谁"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_fee(question)


def test_an_article_stating_a_charge_none_or_who_bears_it_states_a_fee() -> None:
    assert states_fee("首次申领居住证，免收证件工本费。换领、补领居住证，应当缴纳证件工本费")
    assert states_fee("用人单位和个人可以免费向社会保险经办机构查询、核对其缴费和享受社会保险待遇记录")
    assert states_fee("在此期间发生符合本条例规定的工伤待遇等有关费用由该用人单位负担")
    assert states_fee("用人单位应当按时缴纳工伤保险费。职工个人不缴纳工伤保险费")
    # paying contributions, and the right to see them, say nothing of whether looking them up is charged
    assert not states_fee("用人单位和个人依法缴纳社会保险费，有权查询缴费记录、个人权益记录")
    assert not states_fee("居住证损坏难以辨认或者丢失的，居住证持有人应当到居住地公安派出所或者受公安机关委托的社区服务机构办理换领、补领手续")
