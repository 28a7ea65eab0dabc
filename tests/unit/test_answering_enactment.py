"""A law's enactment record answers only a question about when the law was made (answering/enactment.py)."""

from __future__ import annotations

from answering.enactment import asks_when_made, enactment_record, ruling
from core.models import AnswerMode
from tests.unit.answering_fakes import FakeKnowledgeBase, hit
from tests.unit.test_answering_answerer import collect, quote

TAX_RECORD = hit(
    "中华人民共和国个人所得税法", None,  # type: ignore[arg-type]
    "1980年9月10日 第五届全国人民代表大会第三次会议通过\n"
    "2007年6月29日 第十届全国人民代表大会常务委员会第二十八次会议《关于修改<中华人民共和国个人所得税法>的决定》第四次修正\n"
    "2018年8月31日 第十三届全国人民代表大会常务委员会第五次会议《关于修改<中华人民共和国个人所得税法>的决定》第七次修正",
    score=0.9,
)  # fmt: skip
TAX_4 = hit("中华人民共和国个人所得税法", "第四条", "第四条 下列各项个人所得，免征个人所得税：\n（七）按照国家统一规定发给干部、职工的安家费、退职费、基本养老金或者退休费、离休费、离休生活补助费；", 0.7)
RESIDENCE_RECORD = hit(
    "居住证暂行条例", None,  # type: ignore[arg-type]
    "2015年10月21日 国务院第109次常务会议通过\n2015年11月26日 中华人民共和国国务院令第663号公布\n2016年1月1日 施行",
)  # fmt: skip


def test_a_record_of_dated_entries_is_an_enactment_record_and_an_article_or_a_guide_is_not() -> None:
    assert enactment_record(TAX_RECORD.text) and enactment_record(RESIDENCE_RECORD.text)
    assert enactment_record("（2018年11月22日 上海市第十五届人民代表大会常务委员会第七次会议通过）")
    assert not enactment_record(TAX_4.text)
    assert not enactment_record("办理流程：2024年1月1日起，申请人可在网上提交材料，窗口当场受理。")  # a guide with no articles
    assert not enactment_record("2016年1月1日 施行\n本办法由市公安局负责解释。")  # a rule after the date
    assert not enactment_record("")


def test_a_record_is_left_out_unless_the_question_asks_when_the_law_was_made() -> None:
    hits = [TAX_RECORD, TAX_4]
    assert ruling(hits, "我退休了 每个月的退休金还要交个税吗") == [TAX_4]
    assert asks_when_made("居住证暂行条例是什么时候开始施行的") and asks_when_made("个税法是哪年修改的")
    assert ruling(hits, "个人所得税法是哪年通过的") == hits


async def test_the_article_under_a_record_is_quoted_not_the_record() -> None:
    answerer, _ = quote(FakeKnowledgeBase([TAX_RECORD, TAX_4]))
    _, answer = await collect(answerer, "我退休了 每个月的退休金还要交个税吗")
    assert not answer.refused and "基本养老金或者退休费" in answer.spoken and "修正" not in answer.answer
    assert [(c.source, c.article) for c in answer.citations] == [(TAX_4.source, "第四条")]


async def test_a_question_about_when_a_law_took_effect_is_answered_from_its_record() -> None:
    answerer, _ = quote(FakeKnowledgeBase([RESIDENCE_RECORD]))
    _, answer = await collect(answerer, "居住证暂行条例是什么时候开始施行的")
    assert answer.mode is AnswerMode.QUOTE and "2016年1月1日" in answer.answer


async def test_a_knowledge_base_whose_only_hit_is_a_record_refuses() -> None:
    answerer, _ = quote(FakeKnowledgeBase([TAX_RECORD]))
    _, answer = await collect(answerer, "退休金要交个税吗")
    assert answer.refused and "修正" not in answer.spoken and answer.citations == []
