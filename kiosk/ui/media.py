"""In-memory audio going in and out of the page: uploaded utterances and synthesised clips, both bounded."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from fastapi import APIRouter, HTTPException, Request, Response

from core.models import SpeechAudio

MEDIA_PREFIX = "/kiosk-media"


class BoundedStore:
    """Keeps the newest `capacity` items for at most `ttl_s` seconds."""

    def __init__(self, capacity: int, ttl_s: float) -> None:
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._capacity = capacity
        self._ttl_s = ttl_s
        self._lock = threading.Lock()

    def put(self, item: object) -> str:
        key = uuid.uuid4().hex
        with self._lock:
            self._items[key] = (time.monotonic(), item)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, pop: bool = False) -> object | None:
        with self._lock:
            entry = self._items.pop(key, None) if pop else self._items.get(key)
        if entry is None or time.monotonic() - entry[0] > self._ttl_s:
            return None
        return entry[1]


class MediaStore:
    """`early_decode` is handed each early clip (audio so far, at the start of the page's end-of-speech wait)."""

    def __init__(self, max_utterance_s: float, early_decode: Callable[[np.ndarray], object] | None = None) -> None:
        self.clips = BoundedStore(capacity=256, ttl_s=600)
        self.utterances = BoundedStore(capacity=32, ttl_s=120)
        self.max_utterance_bytes = int(max_utterance_s * 16000 * 2)
        self.early_decode = early_decode

    def add_clip(self, audio: SpeechAudio) -> str:
        from speech.audio import to_wav_bytes

        return f"{MEDIA_PREFIX}/clip/{self.clips.put(to_wav_bytes(audio.samples, audio.sample_rate))}.wav"

    def take_utterance(self, key: str) -> np.ndarray | None:
        samples = self.utterances.get(key, pop=True)
        return samples if isinstance(samples, np.ndarray) else None

    def router(self) -> APIRouter:
        router = APIRouter(prefix=MEDIA_PREFIX)

        @router.get("/clip/{key}.wav")
        def clip(key: str) -> Response:
            wav = self.clips.get(key)
            if not isinstance(wav, bytes):
                raise HTTPException(404, "clip expired")
            return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})

        @router.post("/utterance")
        async def utterance(request: Request, early: bool = False) -> dict[str, str]:
            """Body: mono 16 kHz little-endian int16 PCM, recorded by the page after end of speech.

            `?early=1`: the page heard the first moments of quiet; decoding may start now, and the page submits
            the same id if the citizen stays quiet."""
            body = await request.body()
            if not body or len(body) % 2:
                raise HTTPException(400, "expected 16 kHz mono int16 PCM")
            if len(body) > self.max_utterance_bytes:
                raise HTTPException(413, "recording too long")
            samples = np.frombuffer(body, dtype="<i2").astype(np.float32) / 32768.0
            if early and self.early_decode is not None:
                # loading the recogniser on first use can take seconds: never on the event loop
                asyncio.get_running_loop().run_in_executor(None, self.early_decode, samples)
            return {"id": self.utterances.put(samples)}

        return router
