from __future__ import annotations

import pytest

from answering.stops import asks_stop, states_stop


@pytest.mark.parametrize(
    "question",
    ["我在领失业金呢 上礼拜有个厂子要我了 那失业金还能接着领吗", "这低保还能照常领吗 会不会给停了", "去年忘了签注 这证现在还管用不",
     "今年考上公务员了 那退役金还接着给我发吗", "不去鉴定的话 工伤那些待遇还给不给了", "失业保险金在什么情况下停止领取",
     "伤残津贴什么时候停", "补办了新护照 旧的还能用吗"],
)
def test_questions_on_whether_something_goes_on_are_read_as_such(question: str) -> None:
    assert asks_stop(question)


@pytest.mark.parametrize(
    "question",
    ["失业金还能领多久", "还有什么要带的吗", "我领着失业金 还能去学技术吗", "低保多久发一次", "居住证怎么签注",
     "失业金能领多少钱", "公司注销要带什么材料"],
)
def test_other_questions_are_not(question: str) -> None:
    assert not asks_stop(question)


def test_an_article_stating_when_something_stops_or_ends_states_a_stop() -> None:
    assert states_stop("失业人员在领取失业保险金期间有下列情形之一的，停止领取失业保险金，并同时停止享受其他失业保险待遇")
    assert states_stop("被录用为公务员或者聘用为事业单位工作人员的，自被录用、聘用下月起停发退役金")
    assert states_stop("逾期未办理签注的，居住证使用功能中止；补办签注手续的，居住证的使用功能恢复")
    # ending a labour contract is not ending the benefit
    assert not states_stop("城镇企业事业单位应当及时为失业人员出具终止或者解除劳动关系的证明，告知其按照规定享受失业保险待遇的权利")
