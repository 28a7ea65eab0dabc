"""One conversational turn: audio or text in → transcript → streamed answer → sentence-by-sentence speech.

The pipeline only composes a Transcriber, an Answerer and a Synthesizer and reports what happens as typed
`PipelineEvent`s, so the kiosk page, the logs and the benchmarks read the same stream. Observers given to the
pipeline see every turn's events whoever started it (the turn log is one: kiosk/recording.py). Each turn runs as
one asyncio task; `Turn.cancel()` (barge-in) cancels transcription, answer generation and synthesis in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.config import AnsweringConfig
from core.errors import AnswerError, KioskError, PipelineError, SpeechToTextError, TextToSpeechError
from core.models import (
    Answer,
    AnswerDone,
    AnswerMode,
    AnswerRetrieved,
    AnswerSpoken,
    ChatMessage,
    Citation,
    PipelineEvent,
    PipelineEventType,
    SpeechAudio,
    Transcript,
)
from core.privacy import mask_personal_data
from core.protocols import Answerer, Synthesizer, Transcriber
from core.sentences import FIRST_PIECE_CHARS, SentenceSplitter
from core.workers import run_in

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnRequest:
    """What the citizen gave: typed text, or mono float32 audio at `sample_rate` after end of speech.
    `session_id` names the conversation (a kiosk screen, the command line) in the turn log."""

    text: str | None = None
    audio: Any = None  # numpy.ndarray
    sample_rate: int = 16000
    session_id: str = ""

    def __post_init__(self) -> None:
        if (self.text is None) == (self.audio is None):
            raise PipelineError("bad-request", "a turn takes either text or audio, not both or neither")


@dataclass(frozen=True)
class FallbackTexts:
    """What the kiosk says when a stage fails, so the citizen always gets a response (from config.answering)."""

    not_heard: str
    no_answer: str

    @classmethod
    def from_config(cls, config: AnsweringConfig) -> FallbackTexts:
        return cls(config.not_heard_reply, config.no_answer_reply.format(window=config.window_guidance))


class TurnObserver(Protocol):
    """Sees every event of every turn, in order, on the event loop: it must be quick. What it raises is logged
    and never reaches the turn."""

    def observe(self, request: TurnRequest, event: PipelineEvent) -> None: ...


class Turn:
    """A running turn. Iterate it for events (ending with RUN_END); `cancel()` is the barge-in."""

    def __init__(
        self,
        turn_id: str,
        request: TurnRequest,
        on_event: Callable[[PipelineEvent], None] | None,
        observers: Sequence[TurnObserver] = (),
    ) -> None:
        self.turn_id = turn_id
        self.request = request
        self._events: asyncio.Queue[PipelineEvent] = asyncio.Queue()
        self._on_event = on_event
        self._observers = observers
        self._task: asyncio.Task[None] | None = None
        self._ran_to_end = False
        # what a turn cut off mid-answer had already said (with the articles it quoted), for its CANCELLED event
        self.said: Answer | None = None

    def run_as(self, task: asyncio.Task[None]) -> None:
        self._task = task
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        # a turn cancelled before its task first ran never reached its own handler: end its events here, so
        # whoever iterates it is not left waiting for RUN_END
        if not self._ran_to_end:
            self.emit(PipelineEventType.CANCELLED)
            self.emit(PipelineEventType.RUN_END)

    def emit(self, type_: PipelineEventType, **payload: Any) -> PipelineEvent:
        if type_ is PipelineEventType.RUN_END:
            self._ran_to_end = True
        event = PipelineEvent(type=type_, turn_id=self.turn_id, **payload)
        self._events.put_nowait(event)
        for observer in self._observers:
            try:
                observer.observe(self.request, event)
            except Exception:
                log.exception("turn observer %s failed on %s", type(observer).__name__, event.type.value)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # the screen's bookkeeping failing must not stop the answer
                log.exception("turn callback failed on %s", event.type.value)
        return event

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def wait(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)

    def __aiter__(self) -> AsyncIterator[PipelineEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[PipelineEvent]:
        while True:
            event = await self._events.get()
            yield event
            if event.type is PipelineEventType.RUN_END:
                return


class TurnPipeline:
    def __init__(
        self,
        transcriber: Transcriber | None,
        answerer: Answerer,
        synthesizer: Synthesizer | None,
        fallback: FallbackTexts | None = None,
        observers: Sequence[TurnObserver] = (),
    ) -> None:
        self.transcriber = transcriber
        self.answerer = answerer
        self.synthesizer = synthesizer
        self.fallback = fallback or FallbackTexts.from_config(AnsweringConfig())
        self.observers = tuple(observers)

    def start(
        self,
        request: TurnRequest,
        history: Sequence[ChatMessage] = (),
        on_event: Callable[[PipelineEvent], None] | None = None,
    ) -> Turn:
        """Start the turn as its own task (needs a running event loop) and return it at once."""
        turn = Turn(uuid.uuid4().hex[:12], request, on_event, self.observers)
        turn.run_as(asyncio.get_running_loop().create_task(self._run(turn, request, list(history))))
        return turn

    async def _run(self, turn: Turn, request: TurnRequest, history: list[ChatMessage]) -> None:
        turn.emit(PipelineEventType.RUN_START, text=request.text)
        try:
            question = request.text if request.text is not None else await self._transcribe(turn, request)
            sentences: asyncio.Queue[str | None] = asyncio.Queue()
            async with asyncio.TaskGroup() as group:
                group.create_task(self._speak(turn, sentences))
                if question is None:
                    await self._say_fallback(turn, self.fallback.not_heard, sentences)
                else:
                    await self._answer(turn, question, history, sentences)
        except asyncio.CancelledError:
            turn.emit(PipelineEventType.CANCELLED, answer=turn.said)
            raise
        except Exception as exc:  # a bug, not a stage failure: still end the turn cleanly
            log.exception("turn %s failed", turn.turn_id)
            turn.emit(PipelineEventType.ERROR, error=_error_dict(exc, PipelineError, "turn-failed"))
        finally:
            turn.emit(PipelineEventType.RUN_END)

    async def _transcribe(self, turn: Turn, request: TurnRequest) -> str | None:
        """Return the question heard, or None (after an ERROR event) when nothing usable was heard."""
        turn.emit(PipelineEventType.ASR_START)
        try:
            if self.transcriber is None:
                raise SpeechToTextError("asr-unavailable", "speech recognition is not configured")
            transcript: Transcript = await run_in("asr", self.transcriber.transcribe, request.audio, request.sample_rate)
        except Exception as exc:
            turn.emit(PipelineEventType.ERROR, error=_error_dict(exc, SpeechToTextError, "asr-failed"))
            return None
        turn.emit(PipelineEventType.ASR_END, transcript=transcript, text=transcript.text)
        if transcript.nothing_heard or not transcript.text.strip():
            turn.emit(
                PipelineEventType.ERROR,
                error=SpeechToTextError("nothing-heard", "no speech was recognised; ask to repeat or type").to_dict(),
            )
            return None
        return transcript.text.strip()

    async def _answer(
        self, turn: Turn, question: str, history: list[ChatMessage], sentences: asyncio.Queue[str | None]
    ) -> None:
        turn.emit(PipelineEventType.ANSWER_START, text=question)
        splitter = SentenceSplitter(first_cut_after=FIRST_PIECE_CHARS)
        final: Answer | None = None
        streamed = ""
        retrieved: AnswerRetrieved | None = None
        cited: list[Citation] = []
        try:
            async with contextlib.aclosing(self.answerer.stream(question, history)) as events:  # type: ignore[type-var]
                async for event in events:
                    if isinstance(event, AnswerRetrieved):
                        retrieved = event
                        turn.emit(PipelineEventType.RETRIEVE_END, hits=event.hits, text=event.understood)
                    elif isinstance(event, AnswerSpoken):
                        streamed += event.text
                        cited += [c for c in event.citations if c not in cited]
                        turn.emit(PipelineEventType.ANSWER_PARTIAL, text=event.text)
                        for sentence in splitter.feed(event.text):
                            sentences.put_nowait(sentence)
                    elif isinstance(event, AnswerDone):
                        final = event.answer
        except asyncio.CancelledError:
            if retrieved is not None and streamed and final is None:
                # cut off between the first fact and the rest (another part's article, a model still writing): the
                # citizen heard the start of an answer from the knowledge base, and may ask 再说一遍 or a follow-up
                turn.said = Answer(
                    answer=streamed, citations=cited, refused=False, mode=AnswerMode.INTERRUPTED,
                    understood=retrieved.understood if retrieved.understood != question else None,
                )  # fmt: skip
            raise
        except Exception as exc:
            turn.emit(PipelineEventType.ERROR, error=_error_dict(exc, AnswerError, "answer-failed"))
            if not streamed:
                await self._say_fallback(turn, self.fallback.no_answer, sentences)
                return
        if final is None:  # the stream broke off or never produced its final record
            final = Answer(answer=streamed or self.fallback.no_answer, citations=[], refused=False, mode=AnswerMode.DEGRADED)
        # an answerer that returns its answer whole, without pieces, still gets spoken
        unspoken = [] if streamed else splitter.feed(final.spoken)
        for sentence in unspoken + splitter.flush():
            sentences.put_nowait(sentence)
        sentences.put_nowait(None)
        turn.emit(PipelineEventType.ANSWER_END, answer=final, text=final.answer)

    async def _say_fallback(self, turn: Turn, text: str, sentences: asyncio.Queue[str | None]) -> None:
        answer = Answer(answer=text, citations=[], refused=True, mode=AnswerMode.DEGRADED)
        sentences.put_nowait(text)
        sentences.put_nowait(None)
        turn.emit(PipelineEventType.ANSWER_END, answer=answer, text=text)

    async def _speak(self, turn: Turn, sentences: asyncio.Queue[str | None]) -> None:
        """Synthesise sentences in order as they arrive; after a TTS failure carry on with subtitles only."""
        tts_down = self.synthesizer is None
        started = False
        while (sentence := await sentences.get()) is not None:
            if not started:
                turn.emit(PipelineEventType.TTS_START, text=sentence)
                started = True
            audio: SpeechAudio | None = None
            if not tts_down:
                try:
                    audio = await self.synthesizer.synthesize(sentence)  # type: ignore[union-attr]
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    tts_down = True
                    turn.emit(PipelineEventType.ERROR, error=_error_dict(exc, TextToSpeechError, "tts-failed"))
            # audio None means: show this sentence as a subtitle only
            turn.emit(PipelineEventType.TTS_AUDIO, text=sentence, audio=audio)
        if started:
            turn.emit(PipelineEventType.TTS_END)


def _error_dict(exc: BaseException, fallback_type: type[KioskError], code: str) -> dict[str, str]:
    if isinstance(exc, KioskError):
        return exc.to_dict()
    log.warning("%s stage failed: %s", fallback_type.stage, mask_personal_data(str(exc)))
    return fallback_type(code, f"{type(exc).__name__}: {mask_personal_data(str(exc))}").to_dict()


def stage_timings(events: Sequence[PipelineEvent]) -> dict[str, float]:
    """Seconds per stage of one turn, measured from RUN_START, for the turn log and the benchmarks."""
    first: dict[PipelineEventType, PipelineEvent] = {}
    first_audio: PipelineEvent | None = None
    for event in events:
        first.setdefault(event.type, event)
        if event.type is PipelineEventType.TTS_AUDIO and first_audio is None and event.audio is not None:
            first_audio = event
    start = first.get(PipelineEventType.RUN_START)
    if start is None:
        return {}
    timings: dict[str, float] = {}
    asr_start, asr_end = first.get(PipelineEventType.ASR_START), first.get(PipelineEventType.ASR_END)
    if asr_start is not None and asr_end is not None:
        timings["asr_s"] = asr_end.t_s - asr_start.t_s
    answer_event = first.get(PipelineEventType.ANSWER_END)
    if answer_event is not None and answer_event.answer is not None:
        for name in ("retrieve_s", "first_token_s"):
            value = getattr(answer_event.answer.timings, name)
            if value is not None:
                timings[name] = value
    answer_start = first.get(PipelineEventType.ANSWER_START)
    partial = first.get(PipelineEventType.ANSWER_PARTIAL)
    if answer_start is not None and partial is not None:
        timings["first_text_s"] = partial.t_s - start.t_s
    if first_audio is not None:
        timings["first_audio_s"] = first_audio.t_s - start.t_s
    if answer_event is not None:
        timings["answer_s"] = answer_event.t_s - start.t_s
    end = first.get(PipelineEventType.RUN_END)
    if end is not None:
        timings["total_s"] = end.t_s - start.t_s
    return timings
