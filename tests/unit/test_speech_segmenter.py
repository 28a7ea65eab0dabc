"""The utterance segmenter as a pure state machine: no model, just (chunk_seconds, is_speech) sequences."""

from __future__ import annotations

import pytest

from speech.segmenter import SegmenterSettings, SegmenterState, SegmentEventType, UtteranceSegmenter

CHUNK = 0.1


def feed(segmenter: UtteranceSegmenter, pattern: str) -> list[tuple[SegmentEventType, float]]:
    """'s' = a speech chunk, '.' = a silent chunk; returns the events with their times."""
    events = []
    for mark in pattern:
        event = segmenter.process(CHUNK, mark == "s")
        if event:
            events.append((event.type, round(event.t_s, 2)))
    return events


def test_speech_then_silence_gives_start_and_end() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(speech_start_s=0.3, silence_end_s=0.5))
    events = feed(seg, "..sssss......")
    assert events == [(SegmentEventType.SPEECH_START, 0.2), (SegmentEventType.SPEECH_END, 0.7)]
    assert seg.state is SegmenterState.DONE
    assert (seg.speech_start_s, seg.speech_end_s) == (pytest.approx(0.2), pytest.approx(0.7))


def test_short_pause_inside_speech_does_not_end_the_utterance() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(speech_start_s=0.2, silence_end_s=0.5))
    events = feed(seg, "sss...sss")
    assert [e[0] for e in events] == [SegmentEventType.SPEECH_START]
    assert seg.state is SegmenterState.IN_SPEECH


def test_a_click_is_not_speech() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(speech_start_s=0.3, reset_speech_after_silence_s=0.1))
    assert feed(seg, "s.s.s.ss.") == []
    assert seg.state is SegmenterState.WAITING


def test_nobody_speaks_times_out() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(no_speech_timeout_s=1.0))
    events = feed(seg, "." * 15)
    assert events == [(SegmentEventType.NO_SPEECH_TIMEOUT, 1.0)]
    assert seg.speech_start_s is None


def test_endless_speech_is_cut_at_max_length() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(speech_start_s=0.2, max_utterance_s=1.0))
    events = feed(seg, "s" * 20)
    assert [e[0] for e in events] == [SegmentEventType.SPEECH_START, SegmentEventType.MAX_LENGTH]
    assert events[1][1] == pytest.approx(1.0)


def test_done_segmenter_ignores_input_until_reset() -> None:
    seg = UtteranceSegmenter(SegmenterSettings(speech_start_s=0.1, silence_end_s=0.2))
    feed(seg, "ss..")
    assert feed(seg, "ssss....") == []
    seg.reset()
    assert [e[0] for e in feed(seg, "ss..")] == [SegmentEventType.SPEECH_START, SegmentEventType.SPEECH_END]


def test_non_positive_chunk_is_rejected() -> None:
    with pytest.raises(ValueError):
        UtteranceSegmenter().process(0.0, True)
