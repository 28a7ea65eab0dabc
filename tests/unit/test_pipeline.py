from __future__ import annotations

import asyncio

import numpy as np
import pytest

from core.config import AnsweringConfig
from core.errors import PipelineError
from core.models import AnswerMode, PipelineEvent
from core.models import PipelineEventType as E
from core.sentences import SentenceSplitter
from kiosk.pipeline import FallbackTexts, TurnPipeline, TurnRequest
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer, FakeTranscriber


async def collect(pipeline: TurnPipeline, request: TurnRequest) -> list[PipelineEvent]:
    return [event async for event in pipeline.start(request)]


def types(events: list[PipelineEvent]) -> list[E]:
    return [e.type for e in events]


# ---------------------------------------------------------------- sentence splitting


def test_splitter_cuts_at_sentence_ends_across_pieces() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("您需要带身份") == []
    assert splitter.feed("证。还要照片！最后") == ["您需要带身份证。", "还要照片！"]
    assert splitter.feed("是证明；") == ["最后是证明；"]
    assert splitter.flush() == []


def test_splitter_keeps_closing_quote_with_its_sentence() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("名称改为“最低生活保障边缘家庭。”然后") == ["名称改为“最低生活保障边缘家庭。”"]
    assert splitter.flush() == ["然后"]


def test_splitter_cuts_long_text_at_a_comma_near_the_limit() -> None:
    text = "根据居住证暂行条例的规定" * 3 + "，" + "申请人应当提交本人居民身份证和相片" * 2
    sentences = SentenceSplitter(max_chars=60).feed(text)
    assert sentences and sentences[0].endswith("，")
    assert all(len(s) <= 60 for s in sentences)


def test_splitter_hard_cuts_text_without_any_punctuation() -> None:
    splitter = SentenceSplitter(max_chars=60)
    assert [len(s) for s in splitter.feed("字" * 130)] == [60, 60]
    assert splitter.flush() == ["字" * 10]


def test_splitter_drops_punctuation_only_fragments() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("好的。。  ！") == ["好的。"]


def test_first_piece_of_an_answer_ends_at_its_first_comma_past_the_minimum() -> None:
    text = "居住证持有人在居住地连续居住的，应当在居住每满1年之日前1个月内，到居住地公安派出所办理签注手续。再问一句，好吗。"
    splitter = SentenceSplitter(first_cut_after=12)
    assert splitter.feed(text) == [
        "居住证持有人在居住地连续居住的，",
        "应当在居住每满1年之日前1个月内，到居住地公安派出所办理签注手续。",
        "再问一句，好吗。",  # only the first piece is cut early
    ]


def test_first_piece_rule_keeps_lists_and_short_sentences_whole() -> None:
    splitter = SentenceSplitter(first_cut_after=12)
    assert splitter.feed("需要提交本人居民身份证、本人相片、住址证明。") == ["需要提交本人居民身份证、本人相片、住址证明。"]
    short = SentenceSplitter(first_cut_after=12)
    assert short.feed("免费，不收费用。") == ["免费，不收费用。"]  # its only comma comes before 12 characters


def test_first_piece_rule_waits_for_the_comma_while_text_streams() -> None:
    splitter = SentenceSplitter(first_cut_after=12)
    out = []
    for ch in "居住证持有人在居住地连续居住的，应当签注。":
        out += splitter.feed(ch)
    assert out == ["居住证持有人在居住地连续居住的，", "应当签注。"]


def test_request_needs_exactly_one_input() -> None:
    with pytest.raises(PipelineError):
        TurnRequest()
    with pytest.raises(PipelineError):
        TurnRequest(text="你好", audio=np.zeros(10))


# ---------------------------------------------------------------- event sequences


async def test_voice_turn_event_sequence() -> None:
    synth = FakeSynthesizer()
    pipeline = TurnPipeline(FakeTranscriber(), FakeAnswerer(), synth)
    events = await collect(pipeline, TurnRequest(audio=np.zeros(16000, dtype=np.float32)))
    assert types(events) == [
        E.RUN_START,
        E.ASR_START,
        E.ASR_END,
        E.ANSWER_START,
        E.RETRIEVE_END,
        E.ANSWER_PARTIAL,
        E.ANSWER_PARTIAL,
        E.ANSWER_PARTIAL,
        E.ANSWER_END,
        E.TTS_START,
        E.TTS_AUDIO,
        E.TTS_AUDIO,
        E.TTS_END,
        E.RUN_END,
    ]
    assert events[2].text == "办居住证要带什么材料"
    assert synth.spoken == ["您需要带本人身份证和照片。", "还要居住证明。"]
    answer = events[8].answer
    assert answer is not None and answer.citations[0].article == "第九条"
    assert len({e.turn_id for e in events}) == 1


async def test_speech_starts_before_the_answer_is_complete() -> None:
    answerer = FakeAnswerer(pieces=("第一句。", "第二句", "还在生成", "。"), piece_delay_s=0.05)
    events = await collect(TurnPipeline(None, answerer, FakeSynthesizer()), TurnRequest(text="问"))
    first_audio = next(i for i, e in enumerate(events) if e.type is E.TTS_AUDIO)
    answer_end = types(events).index(E.ANSWER_END)
    assert first_audio < answer_end
    assert events[first_audio].text == "第一句。"


async def test_whole_answer_without_pieces_is_still_spoken() -> None:
    synth = FakeSynthesizer()
    answerer = FakeAnswerer(pieces=())
    answerer.pieces = []
    events = await collect(TurnPipeline(None, answerer, synth), TurnRequest(text="问"))
    assert E.ANSWER_END in types(events)
    assert synth.spoken == []  # empty answer: nothing to say, but the turn still ends cleanly
    assert types(events)[-1] is E.RUN_END


# ---------------------------------------------------------------- barge-in


async def test_cancel_stops_llm_and_tts_in_flight() -> None:
    answerer = FakeAnswerer(pieces=("第一句话说完了。",) + ("很长的回答" * 3 + "。",) * 20, piece_delay_s=0.05)
    synth = FakeSynthesizer(delay_s=0.3)
    turn = TurnPipeline(None, answerer, synth).start(TurnRequest(text="问"))
    seen: list[PipelineEvent] = []

    async def consume() -> None:
        async for event in turn:
            seen.append(event)

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0.15)  # the first sentence is being synthesised, the answer is still streaming
    turn.cancel()
    await asyncio.wait_for(consumer, 1.0)
    assert types(seen)[-2:] == [E.CANCELLED, E.RUN_END]
    assert answerer.closed, "the answer stream was not closed"
    assert synth.cancelled == 1, "the synthesis in flight was not cancelled"
    assert E.ANSWER_END not in types(seen)
    assert turn.done


async def test_a_turn_cancelled_before_it_ever_ran_still_ends() -> None:
    """A barge-in on a turn started in the same step of the event loop: its task never runs, yet whoever
    iterates it must see CANCELLED and RUN_END, not wait forever."""
    turn = TurnPipeline(None, FakeAnswerer(), None).start(TurnRequest(text="问"))
    turn.cancel()
    seen = await asyncio.wait_for(_types_of(turn), 1.0)
    assert seen == [E.CANCELLED, E.RUN_END] and turn.done


async def _types_of(turn) -> list[E]:  # type: ignore[no-untyped-def]
    return [event.type async for event in turn]


async def test_cancel_during_transcription_ends_the_turn() -> None:
    class SlowTranscriber(FakeTranscriber):
        def transcribe(self, audio: object, sample_rate: int = 16000):  # type: ignore[no-untyped-def]
            import time

            time.sleep(0.3)
            return super().transcribe(audio, sample_rate)

    answerer = FakeAnswerer()
    turn = TurnPipeline(SlowTranscriber(), answerer, FakeSynthesizer()).start(TurnRequest(audio=np.zeros(100)))
    await asyncio.sleep(0.05)
    turn.cancel()
    events = [e async for e in turn]
    assert types(events) == [E.RUN_START, E.ASR_START, E.CANCELLED, E.RUN_END]
    assert not answerer.started.is_set()


# ---------------------------------------------------------------- degradation


async def test_asr_failure_asks_to_repeat_or_type() -> None:
    synth = FakeSynthesizer()
    fallback = FallbackTexts.from_config(AnsweringConfig())
    events = await collect(TurnPipeline(FakeTranscriber(fail=True), FakeAnswerer(), synth), TurnRequest(audio=np.zeros(10)))
    errors = [e.error for e in events if e.type is E.ERROR]
    assert errors and errors[0]["stage"] == "asr" and errors[0]["code"] == "asr-broken"
    end = next(e for e in events if e.type is E.ANSWER_END)
    assert end.answer is not None and end.answer.mode is AnswerMode.DEGRADED
    assert synth.spoken == [fallback.not_heard]
    assert types(events)[-1] is E.RUN_END


async def test_nothing_heard_is_an_asr_error_not_a_question() -> None:
    answerer = FakeAnswerer()
    events = await collect(TurnPipeline(FakeTranscriber(text=""), answerer, FakeSynthesizer()), TurnRequest(audio=np.zeros(10)))
    assert [e.error["code"] for e in events if e.type is E.ERROR and e.error] == ["nothing-heard"]
    assert not answerer.started.is_set()


async def test_answerer_failure_before_any_text_speaks_the_fallback() -> None:
    synth = FakeSynthesizer()
    events = await collect(TurnPipeline(None, FakeAnswerer(fail_after=0), synth), TurnRequest(text="问"))
    assert [e.error["stage"] for e in events if e.type is E.ERROR and e.error] == ["llm"]
    assert synth.spoken == [FallbackTexts.from_config(AnsweringConfig()).no_answer]


async def test_answerer_failure_mid_stream_keeps_what_was_said() -> None:
    synth = FakeSynthesizer()
    events = await collect(TurnPipeline(None, FakeAnswerer(fail_after=2), synth), TurnRequest(text="问"))
    end = next(e for e in events if e.type is E.ANSWER_END)
    assert end.answer is not None and end.answer.mode is AnswerMode.DEGRADED
    assert end.answer.answer == "您需要带本人身份证和照片。"
    assert synth.spoken == ["您需要带本人身份证和照片。"]


async def test_tts_failure_falls_back_to_subtitles_only() -> None:
    events = await collect(TurnPipeline(None, FakeAnswerer(), FakeSynthesizer(fail=True)), TurnRequest(text="问"))
    assert [e.error["stage"] for e in events if e.type is E.ERROR and e.error] == ["tts"]  # reported once
    clips = [e for e in events if e.type is E.TTS_AUDIO]
    assert [c.text for c in clips] == ["您需要带本人身份证和照片。", "还要居住证明。"]
    assert all(c.audio is None for c in clips)
    assert types(events)[-1] is E.RUN_END


async def test_no_synthesizer_at_all_still_gives_subtitles() -> None:
    events = await collect(TurnPipeline(None, FakeAnswerer(), None), TurnRequest(text="问"))
    assert [e.text for e in events if e.type is E.TTS_AUDIO] == ["您需要带本人身份证和照片。", "还要居住证明。"]


async def test_callback_sees_the_same_events_as_the_iterator() -> None:
    seen: list[PipelineEvent] = []
    turn = TurnPipeline(None, FakeAnswerer(), FakeSynthesizer()).start(TurnRequest(text="问"), on_event=seen.append)
    iterated = [e async for e in turn]
    assert seen == iterated


async def test_stage_timings_measure_from_run_start() -> None:
    from kiosk.pipeline import stage_timings

    answerer = FakeAnswerer(pieces=("第一句。", "第二句。"), piece_delay_s=0.05)
    events = await collect(TurnPipeline(FakeTranscriber(), answerer, FakeSynthesizer()), TurnRequest(audio=np.zeros(10)))
    timings = stage_timings(events)
    assert {"asr_s", "first_text_s", "first_audio_s", "answer_s", "total_s"} <= set(timings)
    assert 0.04 <= timings["first_text_s"] <= timings["first_audio_s"] <= timings["total_s"]
    assert timings["first_audio_s"] < timings["answer_s"]  # spoke before the answer was complete
