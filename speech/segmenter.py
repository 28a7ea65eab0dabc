"""Pure state machine turning a stream of (chunk_seconds, is_speech) into utterance start/end events.

No model here: a VAD decides `is_speech` per chunk, this decides when an utterance starts (enough speech in a
row), when it ends (enough silence after it), and when to give up (nobody spoke, or the speaker never stops).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

_EPS = 1e-9  # chunk durations add up with float error (10 × 0.1 < 1.0)


class SegmentEventType(str, enum.Enum):
    SPEECH_START = "speech-start"
    SPEECH_END = "speech-end"
    NO_SPEECH_TIMEOUT = "no-speech-timeout"  # nobody spoke within `no_speech_timeout_s`
    MAX_LENGTH = "max-length"  # the utterance was cut at `max_utterance_s`


@dataclass(frozen=True)
class SegmentEvent:
    type: SegmentEventType
    t_s: float  # stream time at which the event applies (speech start is back-dated to its first chunk)


@dataclass(frozen=True)
class SegmenterSettings:
    speech_start_s: float = 0.25  # this much speech in a row starts an utterance
    silence_end_s: float = 0.8  # this much silence after speech ends it
    reset_speech_after_silence_s: float = 0.1  # a short blip of speech before this much silence is not a start
    max_utterance_s: float = 30.0
    no_speech_timeout_s: float = 10.0


class SegmenterState(str, enum.Enum):
    WAITING = "waiting"
    IN_SPEECH = "in-speech"
    DONE = "done"


class UtteranceSegmenter:
    """Feed chunks with `process`; it returns an event when something happens, else None. One utterance per run."""

    def __init__(self, settings: SegmenterSettings | None = None) -> None:
        self.settings = settings or SegmenterSettings()
        self.reset()

    def reset(self) -> None:
        self.state = SegmenterState.WAITING
        self.t_s = 0.0
        self.speech_start_s: float | None = None
        self.speech_end_s: float | None = None
        self._speech_run_s = 0.0
        self._speech_run_start_s = 0.0
        self._silence_run_s = 0.0

    def process(self, chunk_seconds: float, is_speech: bool) -> SegmentEvent | None:
        if chunk_seconds <= 0:
            raise ValueError("chunk_seconds must be positive")
        if self.state is SegmenterState.DONE:
            return None
        chunk_start = self.t_s
        self.t_s += chunk_seconds
        if self.state is SegmenterState.WAITING:
            return self._while_waiting(chunk_start, chunk_seconds, is_speech)
        return self._while_in_speech(chunk_seconds, is_speech)

    def _while_waiting(self, chunk_start: float, chunk_seconds: float, is_speech: bool) -> SegmentEvent | None:
        s = self.settings
        if is_speech:
            if self._speech_run_s == 0.0:
                self._speech_run_start_s = chunk_start
            self._speech_run_s += chunk_seconds
            self._silence_run_s = 0.0
            if self._speech_run_s >= s.speech_start_s - _EPS:
                self.state = SegmenterState.IN_SPEECH
                self.speech_start_s = self._speech_run_start_s
                return SegmentEvent(SegmentEventType.SPEECH_START, self._speech_run_start_s)
        else:
            self._silence_run_s += chunk_seconds
            if self._silence_run_s >= s.reset_speech_after_silence_s - _EPS:
                self._speech_run_s = 0.0
        if self.t_s >= s.no_speech_timeout_s - _EPS:
            self.state = SegmenterState.DONE
            return SegmentEvent(SegmentEventType.NO_SPEECH_TIMEOUT, self.t_s)
        return None

    def _while_in_speech(self, chunk_seconds: float, is_speech: bool) -> SegmentEvent | None:
        s = self.settings
        assert self.speech_start_s is not None
        if is_speech:
            self._silence_run_s = 0.0
        else:
            self._silence_run_s += chunk_seconds
            if self._silence_run_s >= s.silence_end_s - _EPS:
                self.state = SegmenterState.DONE
                self.speech_end_s = self.t_s - self._silence_run_s
                return SegmentEvent(SegmentEventType.SPEECH_END, self.speech_end_s)
        if self.t_s - self.speech_start_s >= s.max_utterance_s - _EPS:
            self.state = SegmenterState.DONE
            self.speech_end_s = self.t_s
            return SegmentEvent(SegmentEventType.MAX_LENGTH, self.t_s)
        return None
