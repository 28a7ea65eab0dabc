"""What one answer has produced so far, and the context every answering strategy works from."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from answering.guardrails import SmallTalk
from answering.parts import PartAnswer
from answering.referrals import Referral
from core.config import AnsweringConfig
from core.models import Answer, AnswerDone, AnswerMode, AnswerSpoken, AnswerTimings, ChatMessage, Citation, Hit
from knowledge_base.question import QuestionTerms
from knowledge_base.renames import Rename


@dataclass
class Draft:
    """The spoken pieces of one answer, with its timings; `finish` makes the final Answer."""

    started: float = field(default_factory=time.monotonic)
    parts: list[str] = field(default_factory=list)
    timings: AnswerTimings = field(default_factory=AnswerTimings)
    understood: str | None = None
    answerability: float | None = None
    unanswered: tuple[str, ...] = ()  # parts said to have no answer in the documents

    def say(self, piece: str, cited: Sequence[Citation] = ()) -> AnswerSpoken:
        if self.timings.first_token_s is None:
            self.timings.first_token_s = round(time.monotonic() - self.started, 3)
        self.parts.append(piece)
        return AnswerSpoken(piece, tuple(cited))

    @property
    def spoken(self) -> str:
        return "".join(self.parts)

    def finish(
        self, mode: AnswerMode, citations: Sequence[Citation], hits: Sequence[Hit], *, refused: bool, screen: str | None = None
    ) -> AnswerDone:
        self.timings.total_s = round(time.monotonic() - self.started, 3)
        answer = Answer(
            answer=screen if screen is not None else self.spoken,
            citations=list(citations),
            refused=refused,
            mode=mode,
            timings=self.timings,
            hits=list(hits),
            spoken=self.spoken,
            understood=self.understood,
            answerability=self.answerability,
            unanswered=self.unanswered,
        )
        return AnswerDone(answer)


@dataclass(frozen=True)
class Wording:
    """Citizen-facing sentences, all from config.answering."""

    config: AnsweringConfig

    def refusal(self, topic: str) -> str:
        return self.config.refusal_template.format(topic=topic, window=self.config.window_guidance)

    def scope(self) -> str:
        return self.config.scope_reply.format(window=self.config.window_guidance)

    def hall(self) -> str:
        return self.config.hall_reply.format(window=self.config.window_guidance)

    def case(self) -> str:
        return self.config.case_reply.format(window=self.config.window_guidance)

    def complaint(self) -> str:
        return self.config.complaint_reply.format(window=self.config.window_guidance)

    def topic(self) -> str:
        return self.config.topic_reply.format(window=self.config.window_guidance)

    def situation(self, topic: str) -> str:
        return self.config.situation_reply.format(topic=topic, window=self.config.window_guidance)

    def other_language(self) -> str:
        return self.config.other_language_reply.format(window=self.config.window_guidance)

    def small_talk(self, kind: SmallTalk) -> str:
        replies = {
            SmallTalk.GREETING: self.config.greeting_reply,
            SmallTalk.THANKS: self.config.thanks_reply,
            SmallTalk.GOODBYE: self.config.goodbye_reply,
            SmallTalk.OK: self.config.ok_reply,
            SmallTalk.REPEAT: self.config.repeat_reply,
            SmallTalk.CLARIFY: self.config.clarify_reply.format(window=self.config.window_guidance),
            SmallTalk.ABOUT: self.config.about_reply.format(window=self.config.window_guidance),
        }
        return replies[kind]

    def guidance(self) -> str:
        return self.config.guidance_sentence.format(window=self.config.window_guidance)

    def referral(self, referral: Referral) -> str:
        return self.config.referral_reply.format(topic=referral.topic, where=referral.where)

    def missing_figure(self, kind: str) -> str:
        return self.config.missing_figure_reply.format(kind=kind, window=self.config.window_guidance)

    def about(self, clause: str, reply: str) -> str:
        """A reply to one part of a question, naming that part: 关于“驾驶证到期了怎么换”，这个问题属于…"""
        return f"关于“{clause}”，{reply}"

    def part_unanswered(self, clauses: list[str]) -> str:
        return self.config.part_unanswered_reply.format(topic="，".join(clauses), window=self.config.window_guidance)

    def partly_missing(self, kinds: list[str]) -> str:
        return self.config.partly_missing_reply.format(kind="和".join(kinds), window=self.config.window_guidance)

    def renamed(self, rename: Rename) -> str:
        return self.config.rename_note.format(
            old=rename.old, new=rename.new, old_year=rename.old_year(), new_year=rename.new_year()
        )


@dataclass
class Question:
    """One question on its way through an answering strategy."""

    text: str  # as understood: injection removed, homophones corrected
    focus: str  # what a quote should be about (a follow-up together with the question it refers to)
    terms: QuestionTerms
    history: Sequence[ChatMessage]
    hits: list[Hit]
    draft: Draft
    asked_by_old_name: Sequence[Rename] = ()  # renamed terms the citizen used (already replaced in `text`)
    renames: Sequence[Rename] = ()  # every renamed term the knowledge base knows of
    # the other parts of a question that asks several things, searched and checked on their own (answering/parts.py)
    more: Callable[[], Awaitable[list[PartAnswer]]] | None = None
    # how near each statement of an article is to a text in meaning (knowledge_base/statements.py), when known
    near: Callable[[str, list[str]], Awaitable[list[float] | None]] | None = None
    followup: bool = False  # searched together with the question it leans on

    async def part_answers(self) -> list[PartAnswer]:
        return await self.more() if self.more is not None else []

    async def closeness(self, text: str, statements: list[str]) -> list[float] | None:
        return await self.near(text, statements) if self.near is not None and len(statements) > 1 else None
