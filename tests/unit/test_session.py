from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from core.models import (
    Answer,
    AnswerDone,
    AnswerEvent,
    AnswerMode,
    AnswerRetrieved,
    AnswerSpoken,
    ChatMessage,
    Citation,
    PipelineEvent,
)
from core.models import PipelineEventType as E
from kiosk.pipeline import TurnPipeline, TurnRequest
from kiosk.session import Exchange, KioskSession
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_session(answerer: FakeAnswerer, clock: Clock, history_turns: int = 2, **kw: object) -> KioskSession:
    pipelines = {False: TurnPipeline(None, answerer, FakeSynthesizer()), True: TurnPipeline(None, answerer, None)}
    return KioskSession(pipelines.__getitem__, history_turns=history_turns, idle_reset_s=90, clock=clock, **kw)  # type: ignore[arg-type]


async def ask(session: KioskSession, text: str) -> Exchange:
    exchange = None
    async for exchange, _event in session.ask(TurnRequest(text=text)):
        pass
    assert exchange is not None
    return exchange


async def test_history_is_bounded_to_the_configured_turns() -> None:
    answerer = FakeAnswerer(pieces=("答。",))
    session = make_session(answerer, Clock(), history_turns=2)
    for question in ("一", "二", "三"):
        await ask(session, question)
    assert [m.content for m in session.history if m.role == "user"] == ["二", "三"]
    assert [m.content for m in answerer.seen_history[-1] if m.role == "user"] == ["一", "二"]


class CourtesyAnswerer(FakeAnswerer):
    """Answers 谢谢 as small talk, anything else as FakeAnswerer does."""

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        if question != "谢谢":
            async for event in super().stream(question, history):
                yield event
            return
        self.seen_history.append(list(history))
        yield AnswerSpoken("不客气。")
        yield AnswerDone(Answer(answer="不客气。", citations=[], refused=False, mode=AnswerMode.SMALL_TALK))


async def test_a_courtesy_is_neither_history_nor_the_answer_a_citizen_rates() -> None:
    answerer = CourtesyAnswerer(pieces=("答。",))
    session = make_session(answerer, Clock())
    await ask(session, "营业执照丢了怎么补")
    await ask(session, "谢谢")
    await ask(session, "那要多久")
    assert [m.content for m in answerer.seen_history[-1] if m.role == "user"] == ["营业执照丢了怎么补"]
    rated = session.latest_answered()
    assert rated is not None and rated.question == "那要多久"
    await ask(session, "谢谢")
    rated = session.latest_answered()
    assert rated is not None and rated.question == "那要多久"  # 谢谢 after an answer: the answer is what is rated


class ReadingAnswerer(FakeAnswerer):
    """Reads 不是，我问的是护照 as 办护照要带什么材料, as the answering stage does."""

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        self.seen_history.append(list(history))
        understood = "办护照要带什么材料" if question == "不是，我问的是护照" else None
        yield AnswerSpoken("答。")
        yield AnswerDone(Answer(answer="答。", citations=[], refused=False, mode=AnswerMode.QUOTE, understood=understood))


async def test_a_question_is_remembered_as_it_was_answered() -> None:
    answerer = ReadingAnswerer()
    session = make_session(answerer, Clock())
    await ask(session, "办居住证要带什么材料")
    exchange = await ask(session, "不是，我问的是护照")
    await ask(session, "港澳通行证呢")
    assert exchange.question == "不是，我问的是护照"  # the screen keeps what was said
    assert [m.content for m in answerer.seen_history[-1] if m.role == "user"] == ["办居住证要带什么材料", "办护照要带什么材料"]


async def test_idle_reset_clears_history_and_screen() -> None:
    clock = Clock()
    answerer = FakeAnswerer(pieces=("答。",))
    session = make_session(answerer, clock)
    await ask(session, "第一位市民的问题")
    assert session.exchanges and session.history
    clock.now += 89
    assert not session.reset_if_idle()
    clock.now += 2
    assert session.is_idle()
    await ask(session, "第二位市民的问题")
    assert answerer.seen_history[-1] == [], "the next citizen must not inherit the last one's history"
    assert [e.question for e in session.exchanges] == ["第二位市民的问题"]
    assert session.resets == 1


async def test_new_question_barges_in_on_the_turn_in_flight() -> None:
    answerer = FakeAnswerer(pieces=("很长的回答。",) * 50, piece_delay_s=0.02)
    session = make_session(answerer, Clock())
    first_events: list[E] = []

    async def first() -> None:
        async for _exchange, event in session.ask(TurnRequest(text="第一个问题")):
            first_events.append(event.type)

    task = asyncio.create_task(first())
    await asyncio.sleep(0.1)
    second = await ask(session, "第二个问题")
    await asyncio.wait_for(task, 1.0)
    assert first_events[-2:] == [E.CANCELLED, E.RUN_END]
    assert session.exchanges[0].cancelled and second.answer is not None
    # the first answer was cut off after it began: it is remembered as what was said, before the second
    assert [m.content for m in session.history if m.role == "user"] == ["第一个问题", "第二个问题"]
    said = session.exchanges[0].answer
    assert said is not None and said.mode is AnswerMode.INTERRUPTED
    assert said.answer.startswith("很长的回答。") and len(said.answer) < len("很长的回答。") * 50


async def test_questions_asked_in_quick_succession_leave_one_turn_running() -> None:
    """Three questions before the first has ended: the last one answers, the others end cancelled."""
    answerer = FakeAnswerer(pieces=("很长的回答。",) * 20, piece_delay_s=0.02)
    session = make_session(answerer, Clock())
    asks = [asyncio.create_task(ask(session, q)) for q in ("一", "二", "三")]
    done = await asyncio.wait_for(asyncio.gather(*asks), 5.0)
    assert [e.question for e in done] == ["一", "二", "三"]
    assert [e.cancelled for e in done] == [True, True, False] and done[2].answer is not None
    assert session.current is None


class FirstFactThenParts(FakeAnswerer):
    """Says the first fact with its article, then searches the question's other part slowly, as the quote
    strategy does for a question that asks two things."""

    def __init__(self, parts_delay_s: float) -> None:
        super().__init__()
        self.parts_delay_s = parts_delay_s

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        self.seen_history.append(list(history))
        if question == "再说一遍":
            said = [m.content for m in history if m.role == "assistant"]
            reply = "好的。" + (said[-1] if said else "")
            yield AnswerSpoken(reply)
            yield AnswerDone(Answer(answer=reply, citations=[], refused=False, mode=AnswerMode.SMALL_TALK))
            return
        if "居住证" not in question:
            yield AnswerSpoken("护照的答。")
            yield AnswerDone(Answer(answer="护照的答。", citations=[], refused=False, mode=AnswerMode.QUOTE))
            return
        yield AnswerRetrieved((), "办居住证要带什么材料，以后每年还得签注吗")
        yield AnswerSpoken("申领居住证，应当提交本人居民身份证、本人相片。", (NINTH,))
        await asyncio.sleep(self.parts_delay_s)
        yield AnswerSpoken("另外，居住证每年签注1次。", (TENTH,))
        answer = "申领居住证，应当提交本人居民身份证、本人相片。另外，居住证每年签注1次。"
        yield AnswerDone(Answer(answer=answer, citations=[NINTH, TENTH], refused=False, mode=AnswerMode.QUOTE))


NINTH = Citation("居住证暂行条例.md", "居住证暂行条例", "第九条")
TENTH = Citation("居住证暂行条例.md", "居住证暂行条例", "第十条")


async def _cut_off_after_first_event(session: KioskSession, question: str, wanted: E) -> None:
    """Ask, read events until `wanted`, then stop reading: the page went on to the next question."""
    async for _exchange, event in session.ask(TurnRequest(text=question)):
        if event.type is wanted:
            return


async def test_an_answer_cut_off_after_its_first_fact_is_what_再说一遍_repeats() -> None:
    answerer = FirstFactThenParts(parts_delay_s=5.0)
    session = make_session(answerer, Clock())
    await ask(session, "护照怎么办")
    first = asyncio.create_task(_cut_off_after_first_event(session, "办居住证要带什么材料 以后每年还得签注吗", E.ANSWER_PARTIAL))
    await asyncio.wait_for(first, 1.0)  # the reader stopped after the first fact; the turn still runs
    repeat = await asyncio.wait_for(ask(session, "再说一遍"), 1.0)
    assert repeat.answer_text.startswith("好的。申领居住证")  # not the passport answer before it
    cut = session.exchanges[1]
    assert cut.cancelled and cut.answer is not None
    assert cut.answer.mode is AnswerMode.INTERRUPTED and cut.answer.citations == [NINTH]
    assert "签注" not in cut.answer.answer  # the part not yet said is not claimed
    assert cut.answer.understood == "办居住证要带什么材料，以后每年还得签注吗"


async def test_a_turn_cut_off_by_a_reset_leaves_nothing_for_the_next_citizen() -> None:
    answerer = FirstFactThenParts(parts_delay_s=5.0)
    session = make_session(answerer, Clock())
    first = asyncio.create_task(_cut_off_after_first_event(session, "办居住证要带什么材料 以后每年还得签注吗", E.ANSWER_PARTIAL))
    await asyncio.wait_for(first, 1.0)
    turn = session.current
    session.reset()  # idle: the screen is cleared while the first fact was being said
    assert turn is not None
    await asyncio.wait_for(turn.wait(), 1.0)
    assert session.history == [] and session.exchanges == []


async def test_a_turn_cut_off_before_it_said_anything_is_not_remembered() -> None:
    answerer = FakeAnswerer(pieces=("答。",), piece_delay_s=5.0)
    session = make_session(answerer, Clock())
    first = asyncio.create_task(_cut_off_after_first_event(session, "第一个问题", E.ANSWER_START))
    await asyncio.wait_for(first, 1.0)
    answerer.piece_delay_s = 0.0
    await asyncio.wait_for(ask(session, "第二个问题"), 1.0)
    assert session.exchanges[0].cancelled and session.exchanges[0].answer is None
    assert [m.content for m in session.history if m.role == "user"] == ["第二个问题"]


async def test_the_session_names_its_turns_for_the_pipelines_observers() -> None:
    seen: list[tuple[str, str]] = []

    class Observer:
        def observe(self, request: TurnRequest, event: PipelineEvent) -> None:
            seen.append((request.session_id, event.turn_id))

    pipeline = TurnPipeline(None, FakeAnswerer(), None, observers=[Observer()])
    session = KioskSession(lambda _elderly: pipeline, history_turns=2, idle_reset_s=90, session_id="screen-1")
    exchange = await ask(session, "问题")
    assert seen and set(seen) == {("screen-1", exchange.turn_id)}


async def test_elderly_mode_uses_its_own_pipeline_and_is_cleared_on_reset() -> None:
    session = make_session(FakeAnswerer(pieces=("慢一点说。",)), Clock())
    session.elderly = True
    exchange = await ask(session, "问题")
    clips = [e for e in exchange.events if e.type is E.TTS_AUDIO]
    assert clips and clips[0].audio is None  # the fake elderly pipeline has no voice: proves it was chosen
    session.reset()
    assert session.elderly is False and session.exchanges == []
