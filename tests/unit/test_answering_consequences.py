from __future__ import annotations

import pytest

from answering.consequences import asks_consequence, states_consequence


@pytest.mark.parametrize(
    "question",
    ["忘了签会咋样", "公司一直拖着不交社保 会受啥处罚", "冒用别人的居住证 罚多少钱", "找到新工作了还接着领失业金 被查出来会怎么样",
     "医保断缴了三个月有什么影响", "学校违规乱收费 会被怎么处理"],
)
def test_questions_on_what_follows_are_read_as_such(question: str) -> None:
    assert asks_consequence(question)


@pytest.mark.parametrize("question", ["办居住证要带什么材料", "孩子必须上学吗", "失业金怎么领", "补办身份证收费吗", "户口本丢了怎么处理"])
def test_other_questions_are_not(question: str) -> None:
    assert not asks_consequence(question)


def test_an_article_states_a_consequence_by_a_penalty_or_a_benefit_stopped() -> None:
    assert states_consequence("逾期未办理签注的，居住证使用功能中止")
    assert states_consequence("由公安机关处二百元以上一千元以下罚款")
    assert states_consequence("工伤职工有下列情形之一的，停止享受工伤保险待遇")
    assert not states_consequence("职工发生工伤，经治疗伤情相对稳定后存在残疾、影响劳动能力的，应当进行劳动能力鉴定。")
    # a prohibition says what may not be done, not what follows doing it
    assert not states_consequence("迁出地登记机关不得对市场主体迁移登记设置障碍。")


def test_an_office_declining_an_application_is_no_consequence_but_a_warning_is() -> None:
    """瞒着已婚再去登记会咋样 after 结婚登记怎么办 had quoted the registry's 不予登记 as what follows hiding a marriage."""
    assert not states_consequence("对当事人不符合结婚条件不予登记的，应当向当事人说明理由。")
    assert states_consequence("提供虚假材料申请行政许可的，行政机关不予受理或者不予行政许可，并给予警告")
    assert states_consequence("由公安机关收缴，处十日以上十五日以下拘留")
