from __future__ import annotations

import json

import numpy as np

from avatar import MOUTH_SHAPES, mouth_shape
from kiosk.models import Answer, AnswerMode, Citation, PipelineEvent, PipelineEventType, SpeechAudio, TimingMark
from kiosk.session import Exchange
from kiosk.ui.render import SpeechTrack, render_conversation


def test_every_voice_viseme_maps_to_a_drawn_mouth_shape() -> None:
    for viseme in ("rest", "A", "O", "E", "I", "U", "MBP", "FV", "DNL", "KG", "SZ", "CH"):
        assert mouth_shape(TimingMark(0, 0.1, "x", viseme)) in MOUTH_SHAPES
    assert mouth_shape(TimingMark(0, 0.1, "MBP", "MBP")) == "M"
    assert mouth_shape(TimingMark(0, 0.1, "ang4", "")) == "A"  # judged from the phone when no viseme is given
    assert mouth_shape(TimingMark(0, 0.1, "sil", "")) == "rest"


def test_conversation_shows_citations_and_escapes_citizen_text() -> None:
    answer = Answer("需要身份证。", [Citation("a.md", "居住证暂行条例", "第九条")], False, AnswerMode.LLM)
    html = render_conversation([Exchange("t1", question="<script>x</script>", answer_text=answer.answer, answer=answer)])
    assert "《居住证暂行条例》第九条" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_empty_conversation_renders_no_bubbles() -> None:
    assert "bubble" not in render_conversation([])


def test_speech_track_is_cumulative_and_carries_marks() -> None:
    track = SpeechTrack(turn_id="t1")
    audio = SpeechAudio(np.zeros(8000, np.float32), 16000, "你好。", "fake", (TimingMark(0.0, 0.2, "n", "DNL"),))
    track.add(PipelineEvent(PipelineEventType.TTS_AUDIO, "t1", text="你好。", audio=audio), "/clip/1.wav")
    track.add(PipelineEvent(PipelineEventType.TTS_AUDIO, "t1", text="再见。", audio=None), None)
    data = json.loads(track.to_json())
    assert [c["seq"] for c in data["clips"]] == [0, 1]
    assert data["clips"][0]["marks"] == [[0.0, 0.2, "E"]] and data["clips"][0]["duration_s"] == 0.5
    assert data["clips"][1]["url"] is None  # subtitles only


def test_unheard_question_says_so_instead_of_listening_forever() -> None:
    unheard = Exchange("t1", errors=[{"stage": "asr", "code": "nothing-heard", "message": ""}])
    assert "没有听清" in render_conversation([unheard]) and "正在听" not in render_conversation([unheard])
    interrupted = Exchange("t2", cancelled=True)
    assert "正在听" not in render_conversation([interrupted]) and "已打断" in render_conversation([interrupted])
