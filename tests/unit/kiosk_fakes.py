"""Fake engines for the turn pipeline: deterministic, instant unless told to wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import numpy as np

from core.errors import ChatModelError, SpeechToTextError, TextToSpeechError
from core.models import (
    Answer,
    AnswerDone,
    AnswerEvent,
    AnswerMode,
    AnswerRetrieved,
    AnswerSpoken,
    ChatMessage,
    Citation,
    SpeechAudio,
    TimingMark,
    Transcript,
)


class FakeTranscriber:
    name = "fake-asr"

    def __init__(self, text: str = "办居住证要带什么材料", fail: bool = False) -> None:
        self.text = text
        self.fail = fail
        self.calls = 0

    def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript:
        self.calls += 1
        if self.fail:
            raise SpeechToTextError("asr-broken", "fake recogniser failed")
        return Transcript(text=self.text, duration_s=1.0, asr_s=0.01, nothing_heard=not self.text)


class FakeAnswerer:
    name = "fake-answerer"

    def __init__(
        self,
        pieces: Sequence[str] = ("您需要带", "本人身份证和照片。", "还要居住证明。"),
        piece_delay_s: float = 0.0,
        fail_after: int | None = None,
        first_cites: Sequence[Citation] = (),
        unanswered: Sequence[str] = (),
    ) -> None:
        self.pieces = list(pieces)
        self.unanswered = tuple(unanswered)  # parts the answer says it has no rule for
        self.first_cites = tuple(first_cites)  # the articles the first piece states, as a quoted fact carries them
        self.piece_delay_s = piece_delay_s
        self.fail_after = fail_after
        self.seen_history: list[list[ChatMessage]] = []
        self.closed = False
        self.started = asyncio.Event()

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        self.seen_history.append(list(history))
        self.started.set()
        try:
            yield AnswerRetrieved((), question)
            for i, piece in enumerate(self.pieces):
                if self.fail_after is not None and i >= self.fail_after:
                    raise ChatModelError("llm-down", "fake model is down")
                if self.piece_delay_s:
                    await asyncio.sleep(self.piece_delay_s)
                yield AnswerSpoken(piece, self.first_cites if i == 0 else ())
            yield AnswerDone(Answer(
                answer="".join(self.pieces),
                citations=[Citation("居住证暂行条例.md", "居住证暂行条例", "第九条")],
                refused=False,
                mode=AnswerMode.LLM,
                unanswered=self.unanswered,
            ))
        finally:
            self.closed = True


class FakeSynthesizer:
    name = "fake-tts"

    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.delay_s = delay_s
        self.fail = fail
        self.spoken: list[str] = []
        self.cancelled = 0

    async def synthesize(self, text: str) -> SpeechAudio:
        if self.fail:
            raise TextToSpeechError("tts-broken", "fake voice failed")
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.spoken.append(text)
        samples = np.zeros(1600, dtype=np.float32)
        return SpeechAudio(samples, 16000, text, self.name, (TimingMark(0.0, 0.1, "a", "A"),))
