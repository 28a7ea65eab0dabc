"""Turn recording is a pipeline observer: whoever runs the turn, it is recorded once, masked, with timings."""

from __future__ import annotations

import asyncio

import numpy as np

from core.models import AnswerMode, Citation, PipelineEvent, TurnRecord
from core.models import PipelineEventType as E
from kiosk.pipeline import TurnPipeline, TurnRequest
from kiosk.recording import TurnRecorder
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer, FakeTranscriber


def recorded_pipeline(transcriber: FakeTranscriber | None = None, answerer: FakeAnswerer | None = None):  # type: ignore[no-untyped-def]
    records: list[TurnRecord] = []
    pipeline = TurnPipeline(transcriber, answerer or FakeAnswerer(), FakeSynthesizer(), observers=[TurnRecorder(records.append)])
    return pipeline, records


async def run(pipeline: TurnPipeline, request: TurnRequest) -> list[PipelineEvent]:
    return [event async for event in pipeline.start(request)]


async def test_a_spoken_turn_is_recorded_with_what_was_heard_masked() -> None:
    pipeline, records = recorded_pipeline(FakeTranscriber("我的手机13812345678，办居住证要带什么材料"))
    events = await run(pipeline, TurnRequest(audio=np.zeros(1600, dtype=np.float32), session_id="screen-1"))
    [record] = records
    assert record.turn_id == events[0].turn_id and record.session_id == "screen-1"
    assert record.question == "我的手机138********，办居住证要带什么材料"
    assert record.answer == "您需要带本人身份证和照片。还要居住证明。" and record.citations[0].article == "第九条"
    assert {"asr_s", "first_audio_s", "total_s"} <= set(record.timings)


async def test_the_parts_an_answer_had_no_rule_for_are_recorded_masked() -> None:
    answerer = FakeAnswerer(unanswered=("我电话13812345678 残疾证怎么办",))
    pipeline, records = recorded_pipeline(answerer=answerer)
    await run(pipeline, TurnRequest(text="残疾人就业有什么扶持 我电话13812345678 残疾证怎么办", session_id="s"))
    [record] = records
    assert record.unanswered == ("我电话138******** 残疾证怎么办",)


async def test_nothing_heard_is_not_a_turn_to_record() -> None:
    pipeline, records = recorded_pipeline(FakeTranscriber(""))
    events = await run(pipeline, TurnRequest(audio=np.zeros(1600, dtype=np.float32)))
    assert E.ANSWER_END in [e.type for e in events] and records == []  # the fallback was said, not logged


async def test_a_cancelled_turn_is_not_recorded() -> None:
    pipeline, records = recorded_pipeline(answerer=FakeAnswerer(piece_delay_s=0.2))
    turn = pipeline.start(TurnRequest(text="办居住证要带什么材料"))
    await asyncio.sleep(0.05)
    turn.cancel()
    types = [e.type async for e in turn]
    assert types[-2:] == [E.CANCELLED, E.RUN_END] and records == []


async def test_a_turn_interrupted_while_its_answer_is_spoken_is_still_recorded() -> None:
    """The next question cuts the voice off, but the answer was on the screen: a refusal must reach the queue."""
    records: list[TurnRecord] = []
    voice = FakeSynthesizer(delay_s=0.3)
    pipeline = TurnPipeline(None, FakeAnswerer(), voice, observers=[TurnRecorder(records.append)])
    turn = pipeline.start(TurnRequest(text="办居住证要带什么材料", session_id="screen-2"))
    types = []
    async for event in turn:
        types.append(event.type)
        if event.type is E.ANSWER_END:
            turn.cancel()
    assert E.CANCELLED in types and voice.cancelled >= 1
    [record] = records
    assert record.answer == "您需要带本人身份证和照片。还要居住证明。" and record.session_id == "screen-2"


async def test_a_turn_cut_off_after_its_first_fact_is_recorded_as_what_was_said() -> None:
    """A barge-in while the rest of the answer is still being found: the first fact was said and shown, with its
    article, so the turn log keeps it (masked), marked as interrupted."""
    ninth = Citation("居住证暂行条例.md", "居住证暂行条例", "第九条")
    answerer = FakeAnswerer(pieces=("应当提交身份证。", "另外，每年签注。"), piece_delay_s=0.1, first_cites=[ninth])
    pipeline, records = recorded_pipeline(answerer=answerer)
    turn = pipeline.start(TurnRequest(text="我电话13812345678 办居住证要带什么材料 每年还要签注吗"))
    events = []
    async for event in turn:
        events.append(event)
        if event.type is E.ANSWER_PARTIAL:
            turn.cancel()
    cancelled = next(e for e in events if e.type is E.CANCELLED)
    assert cancelled.answer is not None and cancelled.answer.answer == "应当提交身份证。"
    [record] = records
    assert record.mode is AnswerMode.INTERRUPTED and record.citations == (ninth,)
    assert record.answer == "应当提交身份证。" and "13812345678" not in record.question


async def test_turns_without_a_session_are_recorded_under_a_placeholder() -> None:
    pipeline, records = recorded_pipeline()
    await run(pipeline, TurnRequest(text="问"))
    assert records[0].session_id == "-"


async def test_a_failing_observer_never_breaks_the_turn() -> None:
    class Broken:
        def observe(self, request: TurnRequest, event: PipelineEvent) -> None:
            raise RuntimeError("log database gone")

    records: list[TurnRecord] = []
    pipeline = TurnPipeline(None, FakeAnswerer(), None, observers=[Broken(), TurnRecorder(records.append)])
    events = await run(pipeline, TurnRequest(text="问"))
    assert events[-1].type is E.RUN_END and E.ERROR not in [e.type for e in events] and len(records) == 1

    def broken_callback(event: PipelineEvent) -> None:
        raise RuntimeError("screen state gone")

    events = [e async for e in pipeline.start(TurnRequest(text="问"), on_event=broken_callback)]
    types = [e.type for e in events]
    assert types[-1] is E.RUN_END and E.ANSWER_END in types and E.CANCELLED not in types and len(records) == 2
