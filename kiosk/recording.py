"""The turn log's one entry point: a pipeline observer that turns each finished turn into a masked TurnRecord.

Whoever runs a turn through a TurnPipeline built by kiosk.services (the kiosk page, `kiosk ask`, a benchmark)
gets it recorded the same way: the question as asked or heard, the answer, its citations and stage timings,
with ID-card and phone numbers masked before the record leaves this module. A turn cancelled while its answer
was being spoken (the citizen asked the next question) is recorded, since the answer was shown; so is one cut
off after its first fact was said, as what was said (mode "interrupted"). One cancelled before it said anything,
or without a question or an answer, is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.models import PipelineEvent, PipelineEventType, TurnRecord
from core.privacy import mask_personal_data
from kiosk.pipeline import TurnRequest, stage_timings

log = logging.getLogger(__name__)

UNNAMED_SESSION = "-"


def turn_record(request: TurnRequest, events: Sequence[PipelineEvent]) -> TurnRecord | None:
    """The record of one finished turn, or None when there is nothing to record."""
    if not events:
        return None
    question = request.text
    answer = None
    for event in events:
        if event.type is PipelineEventType.ASR_END and event.transcript is not None:
            question = event.transcript.text
        elif event.type in (PipelineEventType.ANSWER_END, PipelineEventType.CANCELLED) and event.answer is not None:
            answer = event.answer  # a CANCELLED event's answer is what was said before the barge-in
    if answer is None or not (question or "").strip():
        return None
    return TurnRecord(
        turn_id=events[0].turn_id,
        session_id=request.session_id or UNNAMED_SESSION,
        question=mask_personal_data((question or "").strip()),
        answer=mask_personal_data(answer.answer),
        mode=answer.mode,
        refused=answer.refused,
        citations=tuple(answer.citations),
        timings={k: round(v, 3) for k, v in stage_timings(events).items()},
        unanswered=tuple(mask_personal_data(part) for part in answer.unanswered),
    )


class TurnRecorder:
    """Implements kiosk.pipeline.TurnObserver: collects each turn's events and records the turn at RUN_END."""

    def __init__(self, record: Callable[[TurnRecord], None]) -> None:
        self._record = record
        self._turns: dict[str, list[PipelineEvent]] = {}

    def observe(self, request: TurnRequest, event: PipelineEvent) -> None:
        if event.type is PipelineEventType.RUN_START:
            self._turns[event.turn_id] = []
        events = self._turns.get(event.turn_id)
        if events is None:
            return  # started before this recorder existed
        events.append(event)
        if event.type is not PipelineEventType.RUN_END:
            return
        del self._turns[event.turn_id]
        record = turn_record(request, events)
        if record is not None:
            self._record(record)

    @property
    def turns_in_flight(self) -> int:
        return len(self._turns)
