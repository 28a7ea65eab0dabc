from __future__ import annotations

import pytest

from answering.deadlines import asks_ahead, asks_deadline, names_who_must_act, states_deadline


@pytest.mark.parametrize(
    "question",
    ["公司换了地址 多久之内要去变更登记", "单位应该在多少天内给新职工办社保登记", "出生登记要在几天内去报",
     "最晚得在多长时间之内去申请", "营业执照上的地址啥时候之前得去变更", "许可证快到期了 要提前多少天去申请延续"],
)
def test_questions_on_by_when_one_must_act_are_read_as_such(question: str) -> None:
    assert asks_deadline(question)


@pytest.mark.parametrize(
    "question",
    ["办居住证几天能办好", "申请政府信息公开 多少个工作日内答复", "失业金最长能领多久", "护照有效期是几年", "低保找谁申请",
     "交上去以后多久能拿到", "向政府申请公开信息 他们多少天内必须给答复"],
)
def test_how_long_the_office_takes_or_something_lasts_is_not(question: str) -> None:
    assert not asks_deadline(question)


def test_an_article_stating_a_deadline_states_one_and_the_offices_own_period_does_not() -> None:
    assert states_deadline("用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。")
    assert states_deadline("婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。")
    assert states_deadline("市场主体变更住所，应当在迁入新住所前向迁入地登记机关申请变更登记。")
    assert states_deadline("应当在该行政许可有效期届满三十日前向作出行政许可决定的行政机关提出申请。")
    # how long the office takes once applied to is its own period, not the citizen's
    assert not states_deadline(
        "用人单位在登记管理机关办理登记时同步办理社会保险登记。个人申请办理社会保险登记，以公民身份号码作为社会保障号码。"
        "社会保险经办机构应当自收到申请之日起10个工作日内办理完毕。"
    )


def test_asked_how_long_ahead_only_a_deadline_counted_back_from_the_end_answers() -> None:
    assert asks_ahead("外国人居留证快到期了 提前多久去续")
    assert not asks_ahead("公司换了地址 多久之内要去变更登记")
    assert states_deadline("应当在居留证件有效期限届满三十日前提出申请。", ahead=True)
    assert not states_deadline("应当自入境之日起三十日内，向拟居留地公安机关申请办理外国人居留证件。", ahead=True)


def test_a_deadline_asked_of_oneself_is_not_answered_by_an_employers_or_an_offices() -> None:
    """厂子倒闭了 我得在…多少天之内去办失业登记 had been answered with 社会保险法 第五十条's 十五日内, the employer's."""
    employer = ("用人单位应当及时为失业人员出具终止或者解除劳动关系的证明，并将失业人员的名单自终止或者解除劳动关系之日起"
                "十五日内告知社会保险经办机构。失业人员应当持本单位为其出具的终止或者解除劳动关系的证明，及时到指定的公共就业服务"
                "机构办理失业登记。")
    assert states_deadline(employer) and not states_deadline(employer, organisations=False)
    injury = ("所在单位应当自事故伤害发生之日起30日内提出工伤认定申请。用人单位未按前款规定提出工伤认定申请的，工伤职工或者其"
              "近亲属在事故伤害发生之日起1年内，可以直接提出工伤认定申请。")
    assert states_deadline(injury, organisations=False)  # the worker's own year
    assert states_deadline("婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居申报出生登记。", organisations=False)
    # who must act is named in the clause asking the deadline, not in a story told before it
    assert names_who_must_act("单位应该在多少天内给新职工办社保登记")
    assert names_who_must_act("刚入职 公积金多少天内得给我办上")
    assert not names_who_must_act("厂子倒闭了 我得在丢了工作以后多少天之内去办失业登记")
