from __future__ import annotations

import pytest

from answering.remedies import asks_remedy, states_remedy


@pytest.mark.parametrize(
    "question",
    ["社区报的低保给驳回了 我觉得冤 还能找哪儿说理去", "工伤认定结论我不服 能不能去告他们", "信息公开申请被拒了怎么办",
     "老板一直不给交社保 该上哪儿举报去", "伤残等级评轻了 还能重新鉴定吗", "不予许可的决定能申请复议吗", "我想去法院起诉人社局"],
)
def test_questions_on_challenging_a_decision_are_read_as_such(question: str) -> None:
    assert asks_remedy(question)


@pytest.mark.parametrize(
    "question",
    ["身份证丢了怎么办", "退伍兵不服从安排的工作会怎样", "电子版的证明拿来办事认不认", "办好了会告诉我吗", "工伤治好了还要去医院复查吗", "居住证的通告在哪看", "要去派出所报告吗", "低保怎么申请", "我认识的人能代办吗", "公告在哪看"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_remedy(question)


def test_an_article_stating_a_way_to_challenge_or_report_states_a_remedy() -> None:
    assert states_remedy("用人单位或者个人认为社会保险费征收机构的行为侵害自己合法权益的，可以依法申请行政复议或者提起行政诉讼。")
    assert states_remedy("任何组织和个人有权对侵害医疗保障基金的违法违规行为进行举报、投诉。")
    assert not states_remedy("城市居民最低生活保障待遇由县级人民政府民政部门审查批准。")
