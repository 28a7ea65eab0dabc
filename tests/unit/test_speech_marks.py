"""Timing marks for lip sync: phone → viseme, and clause marks shifted into place when clauses are joined."""

from __future__ import annotations

import numpy as np
import pytest

from core.models import SpeechAudio, TimingMark
from speech.synthesis.offline import _marks, concatenate
from speech.synthesis.visemes import viseme_for_phone


@pytest.mark.parametrize(
    ("phone", "viseme"),
    [("b", "MBP"), ("m", "MBP"), ("f", "FV"), ("zh", "CH"), ("x", "SZ"), ("ang4", "A"), ("ou3", "O"),
     ("e5", "E"), ("i1", "I"), ("v2", "U"), ("ong1", "U"), ("sil", "rest"), ("#0", "rest")],
)  # fmt: skip
def test_phone_visemes(phone: str, viseme: str) -> None:
    assert viseme_for_phone(phone) == viseme


def test_durations_become_marks_and_pauses_are_skipped() -> None:
    marks = _marks(["sil", "n", "i3", "#0", "h", "ao3", "sil"], np.array([2, 4, 8, 2, 4, 8, 2, 1]))
    assert [m.unit for m in marks] == ["sil", "n", "i3", "h", "ao3", "sil"]
    assert marks[1].start_s == pytest.approx(0.025) and marks[1].end_s == pytest.approx(0.075)
    assert marks[3].start_s == pytest.approx(0.2)  # the #0 pause still takes its time


def test_joined_clauses_shift_marks_by_audio_and_pause() -> None:
    first = SpeechAudio(np.zeros(24_000, np.float32), 24_000, "一", "offline", (TimingMark(0.1, 0.2, "i1", "I"),))
    second = SpeechAudio(np.zeros(12_000, np.float32), 24_000, "二", "offline", (TimingMark(0.0, 0.1, "er4", "E"),))
    whole = concatenate([first, second], "一二", "offline", pause_s=0.5)
    assert whole.duration_s == pytest.approx(2.0)
    assert whole.marks[1].start_s == pytest.approx(1.5) and whole.marks[1].end_s == pytest.approx(1.6)
