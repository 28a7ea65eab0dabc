"""edge-tts (Microsoft's online neural voices): natural, but only when the hall has internet.

Every call is bounded by `timeout_s` (edge-tts alone may wait 10 s to connect where traffic is blocked); the
FallbackSynthesizer's circuit breaker then skips it for a while so later sentences don't wait at all.
"""

from __future__ import annotations

import asyncio

import numpy as np

from core.errors import TextToSpeechError
from core.models import SpeechAudio, TimingMark
from speech.normalize import normalize_for_speech

EDGE_RATE = 24_000
_TICKS_PER_S = 10_000_000  # edge-tts reports offsets in 100 ns ticks


def rate_percent(speed: float) -> str:
    return f"{round((speed - 1.0) * 100):+d}%"


class EdgeTtsSynthesizer:
    def __init__(self, voice: str, timeout_s: float, speed: float = 1.0, proxy: str | None = None) -> None:
        self.name = "edge"
        self.voice = voice
        self.timeout_s = timeout_s
        self.speed = speed
        self.proxy = proxy  # tests point this at an endpoint that never answers
        import edge_tts  # noqa: F401  (import now: aiohttp's first import costs ~1 s, not to be paid on a request)

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        spoken = normalize_for_speech(text, spell_letters=False)
        if not spoken:
            raise TextToSpeechError("nothing-to-say", "the text has nothing speakable in it")
        try:
            mp3, marks = await asyncio.wait_for(self._fetch(spoken, speed or self.speed), self.timeout_s)
        except asyncio.TimeoutError:
            raise TextToSpeechError("edge-timeout", f"edge-tts gave no audio within {self.timeout_s:.1f} s") from None
        except TextToSpeechError:
            raise
        except Exception as exc:  # aiohttp/DNS/websocket errors: all mean "not reachable now"
            raise TextToSpeechError("edge-unreachable", f"edge-tts failed: {type(exc).__name__}: {exc}") from None
        if not mp3:
            raise TextToSpeechError("edge-empty", "edge-tts returned no audio")
        from speech.audio import decode_to_rate

        samples = decode_to_rate(mp3, EDGE_RATE)
        return SpeechAudio(samples, EDGE_RATE, text, self.name, tuple(marks))

    async def _fetch(self, text: str, speed: float) -> tuple[bytes, list[TimingMark]]:
        import edge_tts

        communicate = edge_tts.Communicate(
            text,
            self.voice,
            rate=rate_percent(speed),
            boundary="WordBoundary",
            proxy=self.proxy,
            connect_timeout=max(1, int(self.timeout_s)),
        )
        audio = bytearray()
        marks: list[TimingMark] = []
        async for chunk in communicate.stream():
            if chunk["type"] == "audio":
                audio += chunk["data"]
            elif chunk["type"] == "WordBoundary":
                start = chunk["offset"] / _TICKS_PER_S
                marks.append(TimingMark(start, start + chunk["duration"] / _TICKS_PER_S, chunk["text"]))
        return bytes(audio), marks


def silence(seconds: float, rate: int = EDGE_RATE) -> np.ndarray:
    return np.zeros(int(seconds * rate), np.float32)
