"""Decode during the end-of-speech hangover.

The page waits ~0.7 s of quiet before it calls an utterance finished, so a citizen's pause is not taken for the end
of the question. After the first ~0.2 s of that quiet it uploads the audio so far as an early clip and the
recogniser starts on it at once. If the citizen stays quiet, the final clip is the same audio: `transcribe` finds
the decode already under way (or done) by the audio's hash and waits for it instead of starting again. If they
speak on, the early decode is wasted work on its own single thread; it never delays a final decode.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from core.models import Transcript
from core.protocols import Transcriber

log = logging.getLogger(__name__)


def audio_key(audio: object) -> str:
    samples = np.ascontiguousarray(np.asarray(audio, dtype=np.float32))
    return hashlib.sha1(samples.tobytes()).hexdigest()


class EarlyTranscriber:
    """A Transcriber that can start decoding an utterance before the page declares it finished."""

    def __init__(self, inner: Transcriber, capacity: int = 8, max_waiting: int = 1) -> None:
        self.inner = inner
        self.name = inner.name
        self._early: OrderedDict[str, Future[Transcript]] = OrderedDict()
        self._capacity = capacity
        self._max_waiting = max_waiting
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-asr-early")

    def start(self, audio: object, sample_rate: int = 16000) -> bool:
        """Begin decoding `audio` in the background; False when skipped (already known, or too many waiting)."""
        key = audio_key(audio)
        with self._lock:
            if key in self._early:
                return False
            waiting = sum(1 for f in self._early.values() if not f.running() and not f.done())
            if waiting >= self._max_waiting:
                return False  # a newer early clip would queue behind older ones; the final decode will do
            self._early[key] = self._pool.submit(self.inner.transcribe, audio, sample_rate)
            while len(self._early) > self._capacity:
                _, stale = self._early.popitem(last=False)
                stale.cancel()
        return True

    def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript:
        with self._lock:
            early = self._early.pop(audio_key(audio), None)
        if early is not None and not early.cancelled():
            try:
                return early.result()
            except Exception:  # noqa: BLE001 - decode the final clip the ordinary way; it raises its own error
                log.debug("early decode failed; decoding the utterance again", exc_info=True)
        return self.inner.transcribe(audio, sample_rate)

    def pending(self) -> int:
        with self._lock:
            return len(self._early)

    def __getattr__(self, name: str) -> Any:
        # set_vocabulary, model facts for the start-up report, …: whatever the wrapped recogniser offers
        return getattr(self.inner, name)


__all__ = ["EarlyTranscriber", "audio_key"]
