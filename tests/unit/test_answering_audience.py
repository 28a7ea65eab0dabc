"""Documents written for one group are not quoted to a question about someone else (answering/audience.py)."""

from __future__ import annotations

from answering import Answerer
from answering.audience import addressed, written_for
from core.config import KioskConfig
from tests.unit.answering_fakes import FakeKnowledgeBase, ScriptedChatModel, hit

AUDIENCES = KioskConfig().answering.audiences
SOLDIER_36 = hit("退役军人安置条例", "第三十六条", "第三十六条 中级以上军士退出现役，符合下列条件之一的，作退休安置：（一）退出现役时年满55周岁的；", 0.9)
PENSION_16 = hit("中华人民共和国社会保险法", "第十六条", "第十六条 参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，按月领取基本养老金。", 0.4)
DISABLED_19 = hit("残疾人就业条例", "第十九条", "第十九条 国家鼓励扶持残疾人自主择业、自主创业。", 0.8)


def test_a_documents_group_is_read_from_its_title() -> None:
    assert written_for(SOLDIER_36, AUDIENCES) == "退役军人"
    assert written_for(DISABLED_19, AUDIENCES) == "残疾人"
    assert written_for(PENSION_16, AUDIENCES) is None


def test_a_group_document_answers_only_a_question_that_names_the_group() -> None:
    hits = [SOLDIER_36, PENSION_16]
    assert addressed(hits, "退休年龄是多少", AUDIENCES) == [PENSION_16]
    assert addressed(hits, "我当了十二年兵 退伍后能按退休安置吗", AUDIENCES) == hits
    assert addressed(hits, "退役军人退休安置的条件", AUDIENCES) == hits  # the group's own name counts
    assert addressed([DISABLED_19], "我家是低保户 想摆个摊 有没有扶持", AUDIENCES) == []
    assert addressed([DISABLED_19], "我腿有残疾 想自己开个店 有扶持吗", AUDIENCES) == [DISABLED_19]
    assert addressed([SOLDIER_36], "退休年龄是多少", {}) == [SOLDIER_36]  # an empty table turns it off


def _answerer(hits: list, **answering: object) -> Answerer:
    config = KioskConfig()
    config.answering.answerable_threshold = 0.0
    config.answering.style = "quote"
    for key, value in answering.items():
        setattr(config.answering, key, value)
    return Answerer(FakeKnowledgeBase(hits), ScriptedChatModel(["不该被调用。"]), config)


async def test_the_veterans_retirement_rule_is_not_quoted_for_the_retirement_age() -> None:
    answer = await _answerer([SOLDIER_36]).answer("退休年龄是多少")
    assert answer.refused and answer.citations == [] and "55" not in answer.spoken
    assert answer.hits == [SOLDIER_36]  # kept on the record for the unanswered queue


async def test_the_next_passage_for_everyone_is_judged_instead() -> None:
    answer = await _answerer([SOLDIER_36, PENSION_16]).answer("退休以后养老金怎么领")
    assert not answer.refused and [c.article for c in answer.citations] == ["第十六条"]
    answer = await _answerer([SOLDIER_36, PENSION_16]).answer("我当兵二十年了 退下来能作退休安置吗")
    assert [c.article for c in answer.citations][:1] == ["第三十六条"]
