"""Silero VAD (the ONNX model bundled with faster-whisper, run on onnxruntime): speech probability per chunk,
silence trimming, and end-of-speech detection over streamed audio through the segmenter."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from faster_whisper.vad import SileroVADModel, VadOptions, get_speech_timestamps, get_vad_model

from speech.audio import TARGET_RATE
from speech.segmenter import SegmenterSettings, SegmentEvent, SegmentEventType, UtteranceSegmenter

WINDOW_SAMPLES = 512  # Silero's window at 16 kHz (32 ms)
CONTEXT_SAMPLES = WINDOW_SAMPLES * 24  # ~0.8 s of history re-scored with each chunk (the model state resets per call)


@functools.lru_cache(maxsize=1)
def _model() -> SileroVADModel:
    return get_vad_model()


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Speech probability for each 32 ms window of 16 kHz audio."""
    if audio.size == 0:
        return np.zeros(0, dtype=np.float32)
    padded = np.pad(audio.astype(np.float32), (0, (-len(audio)) % WINDOW_SAMPLES))
    return np.asarray(_model()(padded), dtype=np.float32).reshape(-1)


def speech_spans(audio: np.ndarray, threshold: float = 0.5, min_silence_ms: int = 500, pad_ms: int = 200) -> list[tuple[int, int]]:
    """(start, end) sample indices of speech regions."""
    options = VadOptions(threshold=threshold, min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms)
    return [(s["start"], s["end"]) for s in get_speech_timestamps(audio, options, sampling_rate=TARGET_RATE)]


def speech_seconds(audio: np.ndarray, threshold: float = 0.5) -> float:
    """Total seconds of detected speech (without padding)."""
    return sum(e - s for s, e in speech_spans(audio, threshold, pad_ms=0)) / TARGET_RATE


def trim_silence(audio: np.ndarray, threshold: float = 0.5, pad_ms: int = 300) -> np.ndarray:
    """Cut leading/trailing non-speech; returns an empty array when there is no speech at all."""
    spans = speech_spans(audio, threshold, pad_ms=pad_ms)
    if not spans:
        return audio[:0]
    return audio[spans[0][0] : spans[-1][1]]


@dataclass
class StreamingUtteranceDetector:
    """Feed microphone chunks (16 kHz float32); returns the utterance audio once the speaker stops.

    Each chunk is scored with the VAD (its recent context included so the recurrent state has something to
    work with) and the pure `UtteranceSegmenter` decides start and end.
    """

    settings: SegmenterSettings = field(default_factory=SegmenterSettings)
    threshold: float = 0.5
    preroll_s: float = 0.3
    _segmenter: UtteranceSegmenter = field(init=False)
    _buffer: list[np.ndarray] = field(init=False, default_factory=list)
    _pending: np.ndarray = field(init=False, default_factory=lambda: np.zeros(0, np.float32))
    _context: np.ndarray = field(init=False, default_factory=lambda: np.zeros(0, np.float32))

    def __post_init__(self) -> None:
        self._segmenter = UtteranceSegmenter(self.settings)

    def feed(self, chunk: np.ndarray) -> SegmentEvent | None:
        self._buffer.append(chunk.astype(np.float32, copy=False))
        self._pending = np.concatenate([self._pending, chunk])
        event: SegmentEvent | None = None
        while len(self._pending) >= WINDOW_SAMPLES * 4:  # score 128 ms at a time
            window, self._pending = self._pending[: WINDOW_SAMPLES * 4], self._pending[WINDOW_SAMPLES * 4 :]
            scored = np.concatenate([self._context, window])
            probabilities = speech_probabilities(scored)[-4:]
            self._context = scored[-CONTEXT_SAMPLES:]
            is_speech = float(probabilities.mean()) >= self.threshold
            event = self._segmenter.process(len(window) / TARGET_RATE, is_speech) or event
        return event

    @property
    def done(self) -> bool:
        return self._segmenter.speech_end_s is not None or self._segmenter.state.value == "done"

    def utterance(self) -> np.ndarray:
        """Audio from speech start (minus pre-roll) to speech end; empty when no speech started."""
        start, end = self._segmenter.speech_start_s, self._segmenter.speech_end_s
        audio = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.float32)
        if start is None:
            return audio[:0]
        first = max(0, int((start - self.preroll_s) * TARGET_RATE))
        last = len(audio) if end is None else min(len(audio), int((end + self.preroll_s) * TARGET_RATE))
        return audio[first:last]


__all__ = [
    "SegmentEventType",
    "StreamingUtteranceDetector",
    "speech_probabilities",
    "speech_seconds",
    "speech_spans",
    "trim_silence",
]
