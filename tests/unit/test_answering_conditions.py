from __future__ import annotations

import pytest

from answering.conditions import asks_conditions, asks_to_take_out, states_conditions


@pytest.mark.parametrize(
    "question",
    ["办居住证需要什么条件", "领失业金要满足啥条件", "什么人可以领养老金", "谁能申请低保", "我这种情况够不够条件",
     "开小饭馆的创业贷款有啥门槛", "我一个普通老百姓 有没有资格申请信息公开", "护理补贴几级才够条件"],
)
def test_questions_on_who_qualifies_are_read_as_such(question: str) -> None:
    assert asks_conditions(question)


@pytest.mark.parametrize(
    "question",
    # a statement that one qualifies, what to bring, who may go for one, a photo's specification
    ["俺家明明够条件 街道的人就是不给签字批低保 能告他吗", "办居住证要带什么材料", "谁能替我去办", "照片有什么要求"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_conditions(question)


@pytest.mark.parametrize(
    "question",
    ["我被公司辞退了 这种能领失业金吗", "家里前两天着火了 我们也不是低保户 这种能申请临时救助不", "我在这边租房住了八个月了 能办居住证吗"],
)
def test_ones_own_case_told_then_asked_whether_one_may_have_it_asks_who_qualifies(question: str) -> None:
    assert asks_conditions(question)


@pytest.mark.parametrize(
    "question",
    # when, how long, what; replacing, a proxy, a place; no case told
    ["申请失业金的材料交上去了 几天能办下来", "合同到期厂里不续了 能拿到什么补助吗", "被辞退了 失业金能领多久",
     "身份证丢了 能补办吗", "俺娘七十多了 俺能替她去办居住证吗", "护照丢了 能在网上申请吗", "能领失业金吗"],
)
def test_other_questions_after_a_case_told_are_not(question: str) -> None:
    assert not asks_conditions(question)


@pytest.mark.parametrize(
    "question",
    ["公积金能取出来交房租吗", "公积金能不能取出来付房租", "公积金能用来还房贷吗", "公积金租房能取吗", "出国定居了 公积金能取出来吗"],
)
def test_whether_money_may_be_taken_out_for_a_payment_or_in_ones_case_asks_who_qualifies(question: str) -> None:
    assert asks_conditions(question)
    assert asks_to_take_out(question)


@pytest.mark.parametrize(
    # how it is taken out, how long it takes, the loan, a payment made by the office
    "question",
    ["公积金怎么提取", "公积金取出来要多久", "公积金贷款要什么材料", "失业金能领多久", "个税能退回来吗"],
)
def test_how_money_is_taken_out_or_what_else_is_asked_of_it_is_not(question: str) -> None:
    assert not asks_to_take_out(question)


def test_asking_who_qualifies_to_take_money_out_is_both() -> None:
    assert asks_to_take_out("提取公积金需要什么条件")
    assert not asks_to_take_out("领失业金需要什么条件")


def test_an_article_states_who_qualifies_and_what_they_may_then_have() -> None:
    assert states_conditions("符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以依照本条例的规定申领居住证。")
    assert states_conditions("具备下列条件的失业人员，可以领取失业保险金：")
    assert states_conditions("职工有下列情形之一的，可以提取职工住房公积金账户内的存储余额：")
    assert states_conditions("国家对共同生活的家庭成员人均收入低于当地最低生活保障标准的家庭，给予最低生活保障。")
    assert states_conditions("对当事人确属自愿离婚，并已对子女抚养、财产、债务等问题达成一致处理意见的，应当当场予以登记，发给离婚证。")
    assert states_conditions("建制镇和城区人口50万以下的小城市的落户条件为在城市市区有合法稳定住所。")
    assert states_conditions("办理结婚登记的当事人有下列情形之一的，婚姻登记机关不予登记：")
    assert states_conditions("退役军人未及时就业的，可以依法向户口所在地人力资源社会保障部门申领失业保险待遇。")
    assert states_conditions("临时救助对象，是指具有下列情形之一的家庭或者个人：")
    assert states_conditions("对常住在本行政区域内的外埠老年人给予同等优待。")
    assert states_conditions("低收入困难家庭有医疗、教育、住房、就业等特殊困难的，按照有关规定，给予相应专项救助。")
    # who may then do it named at some length (继承人、受遗赠人) before what they may do
    assert states_conditions("职工死亡或者被宣告死亡的，职工的继承人、受遗赠人可以提取职工住房公积金账户内的存储余额。")


def test_an_office_acting_for_those_who_qualify_or_a_penalty_states_no_condition() -> None:
    assert not states_conditions("对符合居住证办理条件的，公安机关应当及时制作发放居住证。")
    assert not states_conditions("申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及证明材料。")
    assert not states_conditions("对违反本条例规定的直接负责的主管人员，依法给予处分。")
    assert not states_conditions("家庭成员申请有困难的，可以委托村民委员会、居民委员会代为提出申请；")
    # who may apply for someone else is no condition (居住证暂行条例 第九条, on the materials)
    assert not states_conditions("未满16周岁或者行动不便的，可以由其监护人、近亲属代为申领居住证。")
    assert not states_conditions("对直接负责的主管人员和其他直接责任人员给予处分。")
    assert not states_conditions("骗取失业保险金的，由社会保险经办机构责令退还；情节严重的，可以处骗取金额1倍以上3倍以下的罚款。")


def test_conditions_named_for_what_the_office_then_does_are_not_stated() -> None:
    """结婚登记要什么条件: 对当事人符合结婚条件的，应当当场予以登记 names the conditions without saying what they are."""
    assert not states_conditions("对当事人符合结婚条件的，应当当场予以登记，发给结婚证。")
    assert states_conditions("对中国经济社会发展作出突出贡献或者符合其他在中国境内永久居留条件的外国人，经本人申请，取得永久居留资格。")

