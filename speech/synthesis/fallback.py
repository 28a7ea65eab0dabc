"""Try the configured voices in order; a voice that just failed is skipped for a while (circuit breaker)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.errors import TextToSpeechError
from core.models import SpeechAudio
from core.protocols import KeepsClips

log = logging.getLogger(__name__)


class SpeedSynthesizer(Protocol):
    name: str

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio: ...


@dataclass
class CircuitBreaker:
    """Open (skip the engine) for `retry_after_s` after a failure; then one retry, off any turn, may close it."""

    retry_after_s: float
    clock: Callable[[], float] = time.monotonic
    opened_at: float | None = field(default=None, init=False)
    last_error: str = field(default="", init=False)

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.clock() - self.opened_at < self.retry_after_s

    def record_failure(self, reason: str) -> None:
        self.opened_at = self.clock()
        self.last_error = reason

    def record_success(self) -> None:
        self.opened_at = None
        self.last_error = ""


class FallbackSynthesizer:
    """`core.protocols.Synthesizer` over several engines. Engines without a breaker are always tried."""

    def __init__(self, engines: Sequence[tuple[SpeedSynthesizer, CircuitBreaker | None]], speed: float = 1.0) -> None:
        if not engines:
            raise TextToSpeechError("no-engine", "no speech synthesis engine is available (tts.engines)")
        self.engines = list(engines)
        self.speed = speed
        self.name = "+".join(engine.name for engine, _ in self.engines)
        self._retries: dict[str, asyncio.Task[None]] = {}  # engine name → its retry; held so it is not collected

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        failures: list[str] = []
        for engine, breaker in self.engines:
            if breaker is not None and breaker.last_error:
                if not breaker.is_open:
                    self._retry_in_background(engine, breaker)
                failures.append(f"{engine.name}: skipped ({breaker.last_error})")
                continue
            try:
                audio = await engine.synthesize(text, speed or self.speed)
            except TextToSpeechError as exc:
                failures.append(f"{engine.name}: {exc.code}")
                log.warning("TTS engine %s failed (%s); trying the next one", engine.name, exc.code)
                if breaker is not None:
                    breaker.record_failure(exc.code)
                continue
            if breaker is not None:
                breaker.record_success()
            return audio
        raise TextToSpeechError("all-engines-failed", "no voice could speak this sentence: " + "; ".join(failures))

    def _retry_in_background(self, engine: SpeedSynthesizer, breaker: CircuitBreaker) -> None:
        """Try a voice that failed again off the citizen's turn: where a firewall drops the packets, an inline retry
        made one turn in every `retry_after_s` wait the whole timeout before the next voice spoke."""
        running = self._retries.get(engine.name)
        if running is not None and not running.done():  # one retry at a time
            return

        async def retry() -> None:
            failure = await self._try_voice(engine, breaker, "您好")
            if failure is None:
                log.info("TTS engine %s works again", engine.name)
            else:
                log.debug("TTS engine %s still fails (%s)", engine.name, failure)

        self._retries[engine.name] = asyncio.get_running_loop().create_task(retry())

    async def _try_voice(self, engine: SpeedSynthesizer, breaker: CircuitBreaker, text: str) -> str | None:
        """One attempt outside any turn, its outcome kept by the breaker: None if the voice spoke, else why not."""
        try:
            await engine.synthesize(text, self.speed)
        except TextToSpeechError as exc:
            breaker.record_failure(exc.code)
            return exc.code
        breaker.record_success()
        return None

    async def keep(self, texts: Sequence[str], speed: float | None = None) -> None:
        """Prepared clips, kept by every voice that keeps clips (the offline one), at the speed turns ask for."""
        for engine, _ in self.engines:
            if isinstance(engine, KeepsClips):
                await engine.keep(texts, speed or self.speed)

    async def check_online_voices(self, text: str = "您好") -> dict[str, str | None]:
        """Try each voice behind a circuit breaker (edge-tts) once, e.g. at start-up: name → None if it spoke, else
        why not. A voice that fails stays skipped until its breaker lets one quiet retry through."""
        return {
            engine.name: await self._try_voice(engine, breaker, text)
            for engine, breaker in self.engines
            if breaker is not None
        }

    async def stream(self, text: str, speed: float | None = None) -> AsyncIterator[SpeechAudio]:
        """Clause by clause, each through the fallback chain, so the first clause plays early."""
        from speech.normalize import split_clauses

        for clause in split_clauses(text, first_min_chars=2):
            yield await self.synthesize(clause, speed)
