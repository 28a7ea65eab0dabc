"""One kiosk screen's conversation: bounded history, one turn at a time, and a reset after idle time."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial

from core.models import Answer, AnswerMode, ChatMessage, PipelineEvent, PipelineEventType, Transcript
from kiosk.pipeline import Turn, TurnPipeline, TurnRequest

MAX_EXCHANGES = 20  # what one screen keeps; the page shows fewer


@dataclass
class Exchange:
    """What the screen shows for one turn: the question, the answer so far, and where it came from."""

    turn_id: str
    question: str = ""
    answer_text: str = ""
    answer: Answer | None = None
    transcript: Transcript | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    events: list[PipelineEvent] = field(default_factory=list)
    cancelled: bool = False
    feedback: str | None = None  # "up" | "down"


class KioskSession:
    def __init__(
        self,
        pipeline_for: Callable[[bool], TurnPipeline],
        history_turns: int,
        idle_reset_s: float,
        clock: Callable[[], float] = time.monotonic,
        session_id: str = "",
    ) -> None:
        self._pipeline_for = pipeline_for
        self._history_turns = history_turns
        self.idle_reset_s = idle_reset_s
        self._clock = clock
        self.session_id = session_id  # names this screen's turns in the turn log
        self.elderly = False
        self.history: list[ChatMessage] = []
        self.exchanges: list[Exchange] = []
        self.current: Turn | None = None
        self.last_activity = clock()
        self.resets = 0

    def touch(self) -> None:
        self.last_activity = self._clock()

    def is_idle(self) -> bool:
        return self._clock() - self.last_activity >= self.idle_reset_s

    def reset(self) -> None:
        """The next citizen sees nothing of the last: cancel the turn, forget history and the screen."""
        self.cancel_turn()
        self.history.clear()
        self.exchanges.clear()
        self.elderly = False
        self.resets += 1
        self.touch()

    def reset_if_idle(self) -> bool:
        if self.is_idle():
            self.reset()
            return True
        return False

    def cancel_turn(self) -> None:
        """Barge-in: stop the turn in flight (its events end with CANCELLED, RUN_END)."""
        if self.current is not None:
            self.current.cancel()

    async def ask(self, request: TurnRequest) -> AsyncIterator[tuple[Exchange, PipelineEvent]]:
        """Run one turn, cancelling any turn still in flight, and yield its events as they happen."""
        self.reset_if_idle()
        # the latest question wins: a third question asked while the second still waits for the first cuts off
        # whichever of them has started by then
        while (previous := self.current) is not None and not previous.done:
            previous.cancel()
            await previous.wait()
        self.touch()
        request = dataclasses.replace(request, session_id=self.session_id)
        exchange = Exchange(turn_id="", question=request.text or "")
        # applied as each event happens, not as the caller reads it: a barge-in awaits the turn it cuts off, and the
        # next question must find that turn remembered whether or not its events were read
        turn = self._pipeline_for(self.elderly).start(request, self.history, on_event=partial(self._apply, exchange))
        exchange.turn_id = turn.turn_id
        self.current = turn
        self.exchanges = [*self.exchanges[-(MAX_EXCHANGES - 1) :], exchange]
        try:
            async for event in turn:
                yield exchange, event
        finally:
            if not turn.done:  # the consumer went away (page closed, request cancelled): stop the work too
                turn.cancel()
            self.touch()
            # a turn cancelled here is still winding down: it stays current, so the next question waits for it
            if self.current is turn and turn.done:
                self.current = None

    def _apply(self, exchange: Exchange, event: PipelineEvent) -> None:
        exchange.events.append(event)
        kind = event.type
        if kind is PipelineEventType.ASR_END and event.transcript is not None:
            exchange.transcript = event.transcript
            exchange.question = event.transcript.text
        elif kind is PipelineEventType.ANSWER_PARTIAL and event.text:
            exchange.answer_text += event.text
        elif kind is PipelineEventType.ANSWER_END and event.answer is not None:
            self._answered(exchange, event.answer)
        elif kind is PipelineEventType.ERROR and event.error is not None:
            exchange.errors.append(event.error)
        elif kind is PipelineEventType.CANCELLED:
            exchange.cancelled = True
            if event.answer is not None:  # cut off after it began to answer: 再说一遍 repeats what was said
                self._answered(exchange, event.answer)

    def _answered(self, exchange: Exchange, answer: Answer) -> None:
        exchange.answer = answer
        exchange.answer_text = answer.answer
        # a courtesy (你好, 谢谢) is no topic: the next short question still follows up the last real one; a
        # question is remembered as answered (不是，我问的是护照 as 办护照要带什么材料, 半居住正 as 居住证). A turn still
        # ending when the screen was reset is no longer on it: what it said is not the next citizen's to follow up.
        on_screen = any(e is exchange for e in self.exchanges)
        if exchange.question and answer.mode is not AnswerMode.SMALL_TALK and on_screen:
            self._remember(answer.understood or exchange.question, answer.answer)

    def _remember(self, question: str, answer: str) -> None:
        self.history += [ChatMessage("user", question), ChatMessage("assistant", answer)]
        keep = 2 * self._history_turns
        self.history = self.history[-keep:] if keep else []

    def latest_answered(self) -> Exchange | None:
        """The last exchange with an answer to rate (谢谢 after an answer leaves that answer the one rated)."""
        return next(
            (e for e in reversed(self.exchanges) if e.answer is not None and e.answer.mode is not AnswerMode.SMALL_TALK),
            None,
        )
