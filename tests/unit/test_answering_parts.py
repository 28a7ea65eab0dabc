"""An utterance that asks two things: its parts, and the article each part adds to the answer."""

from __future__ import annotations

import time

from answering import Answerer
from answering.parts import Part, answered_by, asks_anything, question_parts, states_a_situation
from core.config import KioskConfig
from core.errors import ChatModelError
from core.models import Answer, AnswerDone, AnswerMode, AnswerSpoken, FaqEntry, FaqMatch
from kiosk.ui.render import render_answer_body
from knowledge_base.question import FOLLOWUP_SEPARATOR, analyse
from tests.unit.answering_fakes import RESIDENCE_9, RESIDENCE_12, RoutedKnowledgeBase, ScriptedChatModel, hit

SIGN = hit("居住证暂行条例", "第十条", "第十条 居住证由县级人民政府公安机关签发，每年签注1次。居住证持有人在居住地连续居住的，应当在居住每满1年之日前1个月内签注。", 0.7)


def test_one_question_with_its_scene_is_not_split() -> None:
    assert question_parts("我今年三十二 换的新身份证能管几年") == []
    assert question_parts("办居住证要带什么材料") == []
    # a 呢 after an ongoing act tells the scene (我在领失业金呢); it is no question of its own
    assert question_parts("我在领失业金呢 上礼拜有个厂子要我了 那失业金还能接着领吗") == []
    assert question_parts("我领着退休金呢 那医保还用接着交吗") == []
    # 八几年, 二十几岁: a rough number tells when or how old, it asks nothing
    assert question_parts("我爸妈八几年结的婚 结婚证早找不着了 婚姻登记档案会保存多少年") == []
    assert question_parts("我二十几岁 第一次办身份证 要带什么") == []
    # …as does a few after 了 (交了几年: paid a few years)
    assert question_parts("我在北京交了几年医保 又回老家交了几年 现在在哪边报销") == []


def test_each_asking_clause_is_a_part_searched_with_the_scene() -> None:
    parts = question_parts("孩子有点残疾 普通小学能不能不收 上学有没有补助")
    assert [p.clause for p in parts] == ["普通小学能不能不收", "上学有没有补助"]
    assert [p.query for p in parts] == ["孩子有点残疾 普通小学能不能不收", "孩子有点残疾 上学有没有补助"]


def test_a_clause_naming_nothing_leans_on_the_one_before() -> None:
    parts = question_parts("居住证是不是每年都得去签注 忘了签会咋样")
    assert parts[1].clause == "忘了签会咋样"
    assert FOLLOWUP_SEPARATOR in parts[1].query and "居住证" in parts[1].query.split(FOLLOWUP_SEPARATOR)[0]


def test_a_clause_naming_nothing_asks_about_the_statement_before_it() -> None:
    parts = question_parts("我要把户口迁到别的城市 要办哪些手续 身份证用不用重新办")
    assert [p.clause for p in parts] == ["要办哪些手续", "身份证用不用重新办"]
    assert "户口" in parts[0].query.split(FOLLOWUP_SEPARATOR)[0]
    # with nothing said before it, such a clause still only sets the scene
    assert question_parts("要办哪些手续 身份证用不用重新办") == []


def test_the_person_asking_is_the_scene_of_every_part() -> None:
    parts = question_parts("残疾人自己开店有没有税收优惠 办营业执照收不收费")
    assert "残疾人" in parts[1].query


def test_a_pasted_page_is_read_no_further_than_a_spoken_question() -> None:
    question_parts("办居住证要带什么材料 以后每年还得签注吗")  # jieba's dictionary loads on first use
    started = time.perf_counter()
    parts = question_parts("孩子有点残疾 普通小学能不能不收 上学有没有补助 " * 400)
    assert len(parts) <= 12 and time.perf_counter() - started < 0.5


def test_a_part_the_quoted_article_already_answers_needs_no_article_of_its_own() -> None:
    months = "第十七条 累计缴费时间满1年不足5年的，领取失业保险金的期限最长为12个月。"
    assert answered_by(Part("最长能领多久", "失业金\n最长能领多久"), months)
    assert not answered_by(Part("以后每年还得签注吗", "以后每年还得签注吗"), RESIDENCE_9.text)
    assert not answered_by(Part("要多少钱", "居住证\n要多少钱"), RESIDENCE_9.text)  # no fee stated


def answerer(kb: RoutedKnowledgeBase, model: ScriptedChatModel | None = None, **answering: object) -> Answerer:
    config = KioskConfig()
    config.answering.style = "quote"
    config.answering.answerable_threshold = 0.0
    config.answering.part_threshold = 0.0
    for key, value in answering.items():
        setattr(config.answering, key, value)
    return Answerer(kb, model or ScriptedChatModel(["不该被调用。"]), config)


async def collect(a: Answerer, question: str) -> tuple[list[str], Answer]:
    pieces, done = [], []
    async for event in a.stream(question):
        if isinstance(event, AnswerSpoken):
            pieces.append(event.text)
        elif isinstance(event, AnswerDone):
            done.append(event.answer)
    return pieces, done[0]


async def test_a_second_part_adds_its_article_after_the_first_fact() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": SIGN})
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 以后每年还得签注吗")
    assert [c.article for c in answer.citations] == ["第九条", "第十条"]
    assert "本人居民身份证" in pieces[0] and pieces[-1].startswith("另外，") and "每年签注1次" in pieces[-1]
    assert "《居住证暂行条例》第十条" in answer.answer  # shown with its article
    assert len(kb.queries) == 3  # the whole question, then each part


async def test_each_spoken_fact_carries_the_article_it_states() -> None:
    """What a barge-in leaves said keeps its source: the first fact its article, the part after 另外， its own."""
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": SIGN})
    spoken = [e for e in [e async for e in answerer(kb).stream("办居住证要带什么材料 以后每年还得签注吗")] if isinstance(e, AnswerSpoken)]
    assert [[c.article for c in e.citations] for e in spoken] == [["第九条"], ["第十条"]]


async def test_a_part_whose_article_is_already_quoted_adds_nothing() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {})
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 以后每年还得签注吗")
    assert [c.article for c in answer.citations] == ["第九条"] and len(pieces) == 1


UNANSWERED = "关于“签注收不收费”，知识库里没有找到明确的规定，请到综合咨询窗口咨询。"


async def test_a_part_under_the_part_threshold_is_left_out() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": SIGN})
    _, answer = await collect(answerer(kb, part_threshold=1.0), "办居住证要带什么材料 以后每年还得签注吗")
    assert [c.article for c in answer.citations] == ["第九条"] and "另外" not in answer.spoken
    # 以后每年还得签注吗 asks yes or no, which almost any article seems to state: not said to be unanswered
    assert "没有找到明确的规定" not in answer.spoken


async def test_a_part_the_answer_says_nothing_toward_is_said_to_be_unanswered() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"签注": SIGN})
    pieces, answer = await collect(answerer(kb, part_threshold=1.0), "办居住证要带什么材料 签注收不收费")
    assert [c.article for c in answer.citations] == ["第九条"] and pieces[-1] == UNANSWERED  # not passed over
    assert answer.unanswered == ("签注收不收费",) and not answer.refused  # for the staff's unanswered queue
    # a part the answer already covers is not: 多久之内 after an article stating 15日内
    kb = RoutedKnowledgeBase([RESIDENCE_12, SIGN], {"签注": SIGN, "多久": SIGN})
    _, answer = await collect(answerer(kb, part_threshold=1.0), "居住证发放有时限吗 多久之内")
    assert "没有找到明确的规定" not in answer.spoken and answer.unanswered == ()


async def test_a_part_whose_article_the_whole_question_did_not_find_is_left_out() -> None:
    elsewhere = hit("社会保险经办条例", "第五十一条", "第五十一条 任何组织和个人有权对违反社会保险法律、法规的行为进行举报、投诉。")
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": elsewhere})
    _, answer = await collect(answerer(kb), "办居住证要带什么材料 以后每年还得签注吗")
    assert [c.article for c in answer.citations] == ["第九条"] and "举报" not in answer.answer


async def test_a_question_refused_whole_is_answered_for_the_part_its_article_answers() -> None:
    """Judged whole, 一年要交多少钱 made the fee the fact asked, and the materials article lacks it; the part it answers
    is said, the missing figure named, and that part is not said to be unanswered a second time."""
    kb = RoutedKnowledgeBase([RESIDENCE_9], {})
    pieces, answer = await collect(answerer(kb, answerable_threshold=0.6), "办居住证要带什么材料 一年要交多少钱")
    assert not answer.refused and [c.article for c in answer.citations] == ["第九条"]
    assert "本人居民身份证" in pieces[0] and answer.spoken.endswith("知识库中没有具体的金额，请到综合咨询窗口咨询。")
    assert "没有找到明确的规定" not in answer.spoken
    # nothing found at all: refused, as before
    _, nothing = await collect(answerer(RoutedKnowledgeBase([], {}), answerable_threshold=0.6), "办居住证要带什么材料 一年要交多少钱")
    assert nothing.refused
    # parts off: the question is judged whole, as before
    _, whole = await collect(answerer(kb, answerable_threshold=0.6, question_parts=0), "办居住证要带什么材料 一年要交多少钱")
    assert whole.refused


DOGS = "关于“养狗要办狗证吗”，这个问题属于养犬和宠物方面的业务，政务服务知识库里没有相关规定。"


async def test_a_part_another_department_handles_is_referred_there_after_the_answer() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9], {})
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 驾驶证到期了怎么换")
    assert not answer.refused and [c.article for c in answer.citations] == ["第九条"]
    assert pieces[-1].startswith("关于“驾驶证到期了怎么换”，这个问题属于机动车") and answer.unanswered == ()
    # referred as a whole (no article names a topic of the question), the other part is still answered
    pieces, answer = await collect(answerer(kb), "低保怎么申请 养狗要办狗证吗")
    assert not answer.refused and [c.article for c in answer.citations] == ["第九条"] and pieces[-1].startswith(DOGS)
    # on the screen too, with what is said and above the article, which the page folds away
    assert answer.answer.startswith(answer.spoken) and DOGS in answer.spoken and "《居住证暂行条例》第九条" in answer.answer
    lead = render_answer_body(answer.answer, answer.citations, spoken=answer.spoken).split("<details")[0]
    assert "养狗要办狗证吗" in lead
    _, alone = await collect(answerer(kb), "养狗要办狗证吗")
    assert alone.refused and alone.answer.startswith("这个问题属于养犬和宠物方面的业务")
    # …but when the rest is not answered either, the referral is all that is said
    pieces, neither = await collect(answerer(kb, answerable_threshold=0.99), "低保怎么申请 养狗要办狗证吗")
    assert neither.refused and pieces == [neither.spoken] and neither.spoken.startswith("这个问题属于养犬和宠物方面的业务")


async def test_the_part_answered_before_a_referral_keeps_the_scene_it_leans_on() -> None:
    self_employed = hit(
        "残疾人就业条例", "第十九条",
        "第十九条 对残疾人从事个体经营的，应当依法给予税收优惠，并按照规定免收管理类、登记类和证照类的行政事业性收费。",
    )
    kb = RoutedKnowledgeBase([self_employed], {})
    pieces, answer = await collect(answerer(kb), "我是残疾人 想开个小卖部 办执照要交钱吗 驾照能考吗")
    assert not answer.refused and pieces[-1].startswith("关于“驾照能考吗”，这个问题属于机动车")
    assert kb.queries[-1] == "我是残疾人 想开个小卖部 办执照要交钱吗"  # not 办执照要交钱吗 alone


async def test_a_part_about_the_hall_or_ones_own_case_is_left_to_the_window_after_the_answer() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9], {})
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 在几楼办")
    assert not answer.refused and [c.article for c in answer.citations] == ["第九条"]
    assert pieces[-1].startswith("关于“在几楼办”，这个问题涉及本大厅的具体安排") and answer.answer.startswith(answer.spoken)
    assert answer.unanswered == ("办居住证要带什么材料 在几楼办",)  # for the staff's queue: which service's floor
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 我的居住证审批到哪一步了")
    assert not answer.refused and pieces[-1].startswith("关于“我的居住证审批到哪一步了”，您本人的办理进度")
    # the hall's part alone: the hall's reply, nothing searched for it
    _, alone = await collect(answerer(kb), "大厅在几楼")
    assert alone.refused and alone.answer.startswith("这个问题涉及本大厅的具体安排") and kb.queries == ["办居住证要带什么材料"] * 2
    # what follows a part about the hall asks about the hall too
    _, lift = await collect(answerer(kb), "办居住证的窗口在几楼 有电梯吗")
    assert lift.refused and lift.spoken.startswith("这个问题涉及本大厅的具体安排") and len(kb.queries) == 2
    # with an opening that is refused too, the question is not about the hall: that refusal, which names it
    pieces, neither = await collect(answerer(kb, answerable_threshold=0.99), "办居住证要带什么材料 在几楼办")
    assert neither.refused and pieces == [neither.spoken] and "关于“办居住证要带什么材料”" in neither.spoken
    assert "本大厅的具体安排" not in neither.spoken


async def test_a_hall_part_the_staff_faq_answers_is_answered_from_it() -> None:
    floor = FaqMatch(FaqEntry("faq-3", "居住证在几楼办", "居住证在二楼5号至8号窗口办理。", "staff"), 0.95)

    class WithFloor(RoutedKnowledgeBase):
        def match_faq(self, question: str) -> FaqMatch | None:
            self.faq_asked = [*getattr(self, "faq_asked", []), question]
            # the entry would match the whole question too: it must not take the place of the documents' answer
            return floor if question in ("居住证 在几楼办", "办居住证要带什么材料 在几楼办") else None

    kb = WithFloor([RESIDENCE_9], {})
    pieces, answer = await collect(answerer(kb), "办居住证要带什么材料 在几楼办")
    assert kb.faq_asked[0] == "居住证 在几楼办"  # the floor of what the question named first
    assert pieces[-1] == "关于“在几楼办”，居住证在二楼5号至8号窗口办理。" and answer.unanswered == ()
    assert [c.source for c in answer.citations] == [RESIDENCE_9.source, "faq:faq-3"]


async def test_a_question_naming_only_a_referral_topic_is_referred_not_asked_which_service() -> None:
    # jieba cuts 养狗 and 狗证 into single characters, so no subject word names a service; the referral list does
    _, answer = await collect(answerer(RoutedKnowledgeBase([RESIDENCE_9], {})), "养狗要办狗证吗 在哪办")
    assert answer.refused and answer.answer.startswith("这个问题属于养犬和宠物方面的业务")


async def test_parts_are_off_when_set_to_zero() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": SIGN})
    _, answer = await collect(answerer(kb, question_parts=0), "办居住证要带什么材料 以后每年还得签注吗")
    assert [c.article for c in answer.citations] == ["第九条"] and len(kb.queries) == 1


async def test_a_failing_model_degrades_to_both_parts_without_searching_them_again() -> None:
    kb = RoutedKnowledgeBase([RESIDENCE_9, SIGN], {"以后每年": SIGN})
    failing = ScriptedChatModel(error=ChatModelError("llm-unreachable", "server down"))
    _, answer = await collect(answerer(kb, failing, style="generate"), "办居住证要带什么材料 以后每年还得签注吗")
    assert answer.mode is AnswerMode.DEGRADED
    assert [c.article for c in answer.citations] == ["第九条", "第十条"] and "每年签注1次" in answer.spoken
    assert len(kb.queries) == 3  # the whole question and its two parts, once each


def test_a_choice_put_in_two_clauses_asks_and_still_alone_does_not() -> None:
    """公积金账户里的利息是一年结一回 还是每个月都给算进去 was read as stating a situation and asked what the citizen
    wanted to know."""
    choice = "公积金账户里的利息是一年结一回 还是每个月都给算进去"
    assert asks_anything(choice) and not states_a_situation(choice, analyse(choice))
    situation = "我失业半年了 还是没找到工作"
    assert not asks_anything(situation) and states_a_situation(situation, analyse(situation))
