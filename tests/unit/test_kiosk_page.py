from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from answering.guardrails import small_talk
from core.config import KioskConfig
from core.models import Answer, AnswerDone, AnswerEvent, AnswerMode, AnswerSpoken, ChatMessage, TurnRecord
from kiosk.pipeline import TurnRequest
from kiosk.services import Services
from kiosk.ui.media import MediaStore
from kiosk.ui.page import KioskPage
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer


class RecordingStore:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []
        self.feedback: list[tuple[str, bool]] = []

    def record_turn(self, turn: TurnRecord) -> str:
        self.turns.append(turn)
        return turn.turn_id

    def record_feedback(self, turn_id: str, helpful: bool) -> None:
        self.feedback.append((turn_id, helpful))

    def runtime_settings(self) -> dict[str, object]:
        return {}


async def test_each_answered_turn_is_recorded_masked_with_timings_and_feedback() -> None:
    store = RecordingStore()
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), synthesizer=FakeSynthesizer(), store=store)  # type: ignore[arg-type]
    page = KioskPage(services, MediaStore(30))
    session = page.session_for(None)
    async for _exchange, _event in session.ask(TurnRequest(text="我的电话13812345678，办居住证要带什么")):
        pass
    assert len(store.turns) == 1
    record = store.turns[0]
    assert record.session_id == "default"  # the screen's session, named by the page
    assert "13812345678" not in record.question and "138" in record.question
    assert record.citations and record.citations[0].article == "第九条"
    assert {"first_audio_s", "total_s"} <= set(record.timings)
    page.feedback(False, None)  # type: ignore[arg-type]
    page.feedback(False, None)  # type: ignore[arg-type]  # the same choice again records nothing new
    page.feedback(True, None)  # type: ignore[arg-type]  # changing one's mind: the last choice wins
    assert store.feedback == [(record.turn_id, False), (record.turn_id, True)]
    assert session.latest_answered().feedback == "up"  # type: ignore[union-attr]


async def test_the_page_leaves_recording_to_the_pipeline() -> None:
    store = RecordingStore()
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), synthesizer=FakeSynthesizer(), store=store)  # type: ignore[arg-type]
    services.recorder.observe = lambda request, event: None  # type: ignore[method-assign]  # silence the one recorder
    page = KioskPage(services, MediaStore(30))
    session = page.session_for(None)
    async for _exchange, _event in session.ask(TurnRequest(text="办居住证要带什么")):
        pass
    assert session.latest_answered() is not None and store.turns == []


async def test_a_typed_question_is_cut_to_the_configured_length() -> None:
    """A page pasted into the box is not searched, spoken back or logged whole."""
    store = RecordingStore()
    config = KioskConfig()
    config.kiosk.max_question_chars = 40
    services = Services(config, kb=object(), answerer=FakeAnswerer(), synthesizer=FakeSynthesizer(), store=store)  # type: ignore[arg-type]
    page = KioskPage(services, MediaStore(30))
    async for _update in page.ask_text("办居住证要带什么材料" * 50, None):  # type: ignore[arg-type]
        pass
    assert len(store.turns) == 1 and store.turns[0].question == ("办居住证要带什么材料" * 4)[:40]


class TalkBackAnswerer(FakeAnswerer):
    """Meets 你说的不对 and 听不懂 as the answering stage does, with a courtesy; anything else as FakeAnswerer."""

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        if small_talk(question) is None:
            async for event in super().stream(question, history):
                yield event
            return
        yield AnswerSpoken("抱歉没能说清楚。")
        yield AnswerDone(Answer(answer="抱歉没能说清楚。", citations=[], refused=False, mode=AnswerMode.SMALL_TALK))


async def test_saying_the_answer_was_wrong_counts_as_not_helpful() -> None:
    store = RecordingStore()
    services = Services(KioskConfig(), kb=object(), answerer=TalkBackAnswerer(), synthesizer=FakeSynthesizer(), store=store)  # type: ignore[arg-type]
    page = KioskPage(services, MediaStore(30))
    async for _update in page.ask_text("办居住证要带什么材料", None):  # type: ignore[arg-type]
        pass
    answered = store.turns[0].turn_id
    async for _update in page.ask_text("听不懂", None):  # type: ignore[arg-type]
        pass
    assert store.feedback == []  # not understood is not wrong
    async for _update in page.ask_text("你说的不对", None):  # type: ignore[arg-type]
        pass
    assert store.feedback == [(answered, False)]
    assert page.session_for(None).latest_answered().feedback == "down"  # type: ignore[union-attr]
