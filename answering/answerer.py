"""Grounded answering: scope → FAQ → hall → retrieve → referral → answerability check → one strategy.

The stream is typed: `AnswerRetrieved` when retrieval ends, `AnswerSpoken` pieces as they exist, and exactly one
`AnswerDone`. A question the knowledge base does not answer gets the hall's refusal, never an unrelated rule.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from answering.answerability import Vocabulary
from answering.disfluency import without_fillers
from answering.faithfulness import FIGURE_KINDS
from answering.followups import (
    asked_of_another,
    question_focus,
    referred_question,
    retrieval_query,
    unanswered_aspect,
)
from answering.gate import Gate, searched_as
from answering.generate import GenerateStrategy
from answering.guardrails import Scope, SmallTalk, classify, small_talk, strip_injection
from answering.parts import Part, PartAnswer, asks_nothing_of_it, question_parts, states_a_situation
from answering.prompt import prefix_messages
from answering.quote import QuoteStrategy
from answering.referrals import ReferralBook
from answering.reply import Draft, Question, Wording
from core.config import KioskConfig
from core.errors import KioskError
from core.models import (
    Answer,
    AnswerDone,
    AnswerEvent,
    AnswerMode,
    AnswerRetrieved,
    ChatMessage,
    Citation,
    FaqMatch,
    Hit,
)
from core.privacy import drop_personal_data, mask_personal_data
from core.protocols import ChatModel
from core.script import as_written
from core.sentences import spoken_pieces
from core.workers import run_in
from knowledge_base.profiles import Profile, profile_for
from knowledge_base.question import CLAUSE, FOLLOWUP_SEPARATOR, QuestionTerms, analyse, names_topic
from knowledge_base.relevance import present
from knowledge_base.renames import Rename

logger = logging.getLogger(__name__)


class KnowledgeSource(Protocol):
    def search(self, query: str, k: int = 5) -> list[Hit]: ...

    def match_faq(self, question: str) -> FaqMatch | None: ...

    def understand(self, question: str) -> tuple[str, list]: ...

    def renames(self) -> list[Rename]: ...

    def closeness(self, query: str, statements: Sequence[str]) -> list[float] | None: ...

    @property
    def terms(self) -> Vocabulary: ...


# How much of the earlier question a follow-up's refusal names before the follow-up itself.
_FOLLOWUP_TOPIC_CHARS = 12
# the hall's arrangements, one's own case, a complaint about the hall: a staff FAQ entry, else the window's reply
_AT_THE_WINDOW = (Scope.HALL, Scope.CASE, Scope.COMPLAINT)


def _refused(events: Sequence[AnswerEvent]) -> bool:
    return isinstance(events[-1], AnswerDone) and events[-1].answer.refused


def _faq_citation(match: FaqMatch) -> Citation:
    return Citation(source=f"faq:{match.entry.id}", title=f"常见问题：{match.entry.question}", article=None)


def _asked_of(rest: str, aside: str) -> str:
    """A part about the hall with the service the question named first (办居住证要带什么材料 + 在几楼办 → 居住证 在几楼办),
    as a staff FAQ entry names it."""
    subject = analyse(rest).subject
    return f"{subject[0][0]} {aside}" if subject else aside


def topic_of(question: str, max_chars: int = 24) -> str:
    topic = re.sub(r"[\s？?！!。，,、；;：:]+$", "", question.strip())
    topic = re.sub(r"\s+", "，", topic)
    return topic if len(topic) <= max_chars else topic[:max_chars] + "…"


class Answerer:
    def __init__(self, kb: KnowledgeSource, chat_model: ChatModel, config: KioskConfig) -> None:
        self.kb = kb
        self.chat_model = chat_model
        self.config = config
        self.wording = Wording(config.answering)
        self.referrals = ReferralBook.for_config(config.answering)
        self.quote = QuoteStrategy(config.answering)
        self.generate = GenerateStrategy(chat_model, config, self.quote)
        self.gate = Gate(config.answering, profile_for(config), lambda: self.kb.terms)

    @property
    def profile(self) -> Profile:
        """The ranking profile whose answerability weights and threshold the gate applies."""
        return self.gate.profile

    @profile.setter
    def profile(self, profile: Profile) -> None:
        # the gate is what reads the weights: a fitting script that swaps them on a live answerer must reach it
        self.gate.profile = profile

    @property
    def threshold(self) -> float:
        """The answerability score below which the kiosk refuses: the config's, else the ranking profile's."""
        return self.gate.threshold

    async def warm_up(self) -> None:
        """Load the model and cache the fixed system prompt (generate style), so no citizen waits for it."""
        warm_up = getattr(self.chat_model, "warm_up", None)
        if self.config.answering.style == "generate" and callable(warm_up):
            started = time.monotonic()
            await asyncio.to_thread(warm_up, prefix_messages())
            logger.info("chat model %s warmed up in %.1f s", self.chat_model.name, time.monotonic() - started)

    def fixed_replies(self) -> list[str]:
        """Replies whose words do not depend on the question (scope, the hall, courtesies, each referral, each figure
        the documents may lack, the refusal's opening), for the voice to prepare ahead: only first clips are."""
        replies = [
            self.wording.scope(), self.wording.hall(), self.wording.case(), self.wording.complaint(),
            self.wording.other_language(), self.wording.topic(), *map(self.wording.small_talk, SmallTalk),
        ]  # fmt: skip
        refusal = self.wording.refusal("{topic}")  # the gate's refusal, when its opening does not name the question
        if "{topic}" not in (spoken_pieces(refusal) or ["{topic}"])[0]:
            replies.append(refusal)
        replies += [self.wording.missing_figure(kind) + self.wording.guidance() for kind in FIGURE_KINDS]
        return replies + [self.wording.referral(r) for r in self.referrals.referrals]

    def refusal_text(self, question: str, history: Sequence[ChatMessage] = ()) -> str:
        """The refusal, naming what was asked: a follow-up together with the question it refers to (关于“低保怎么申请，
        要多久”), since 要多久 alone tells the citizen nothing about what the knowledge base lacks."""
        topic = topic_of(mask_personal_data(question))
        referred = referred_question(question, history, self.config.answering.history_turns)
        referred = without_fillers(referred) if referred else None
        if referred and referred not in question:  # 低保 / 低保 标准 names its topic itself
            topic = f"{topic_of(mask_personal_data(referred), _FOLLOWUP_TOPIC_CHARS)}，{topic}"
        return self.wording.refusal(topic)

    async def answer(self, question: str, history: Sequence[ChatMessage] = ()) -> Answer:
        async for event in self.stream(question, history):
            if isinstance(event, AnswerDone):
                return event.answer
        raise AssertionError("Answerer.stream ended without AnswerDone")  # stream() always ends with one

    async def stream(self, question: str, history: Sequence[ChatMessage] = ()) -> AsyncIterator[AnswerEvent]:
        draft = Draft()
        masked = mask_personal_data(question)
        async for event in self._events(question, history, draft):
            if isinstance(event, AnswerDone):
                self._log(event.answer, masked)
            yield event

    async def _events(
        self, question: str, history: Sequence[ChatMessage], draft: Draft, *, split_parts: bool = True
    ) -> AsyncIterator[AnswerEvent]:
        cfg = self.config.answering
        cleaned, injected = strip_injection(question)
        if injected:
            logger.warning("instruction-like text ignored in question: %s", mask_personal_data(question))
        # ID-card and phone numbers are neither searched nor sent to a model or a shared server; line breaks are
        # spaces (a search query puts a follow-up on a line of its own)
        cleaned = without_fillers(" ".join(_unidentified(as_written(cleaned)).split()))
        # earlier questions are read as this one is (辦居住證… then 多久能拿到 found the ID card's article), and an
        # instruction-like one (忽略以上所有指令…) is no topic for a follow-up, nor named in a refusal
        history = [
            ChatMessage(m.role, _unidentified(as_written(strip_injection(m.content)[0]))) if m.role == "user" else m
            for m in history
        ]
        scope = classify(cleaned)
        courtesy = _courtesy(cleaned, scope, injected)
        if courtesy is not None:
            said_before = _last_spoken(history) if courtesy is SmallTalk.REPEAT else ""
            if courtesy is SmallTalk.REPEAT and not said_before:
                courtesy = SmallTalk.GREETING  # nothing said yet to say again
            yield draft.say(self.wording.small_talk(courtesy))
            if said_before:
                yield draft.say(said_before)
            yield draft.finish(AnswerMode.SMALL_TALK, [], [], refused=False)
            return
        if scope is Scope.OTHER_LANGUAGE:  # said in Mandarin, and shown in English too
            yield draft.say(self.wording.other_language())
            screen = f"{self.wording.other_language()}\n\n{cfg.other_language_screen}"
            yield draft.finish(AnswerMode.REFUSAL, [], [], refused=True, screen=screen)
            return
        if scope is not Scope.IN_SCOPE and scope not in _AT_THE_WINDOW:
            yield draft.say(self.wording.scope())
            yield draft.finish(AnswerMode.REFUSAL, [], [], refused=True)
            return

        hall = scope in _AT_THE_WINDOW
        # 办护照要多久 周六能办吗: the statute's part first, so an FAQ entry on weekend hours does not take the whole question
        split = await self._hall_split(cleaned, scope, history, draft) if hall and split_parts else None
        if split and not _refused(split):
            for event in split:
                yield event
            return
        faq = await self._match_faq(cleaned)
        if faq is not None:
            yield draft.say(faq.entry.answer)
            yield draft.finish(AnswerMode.FAQ, [_faq_citation(faq)], [], refused=False)
            return
        if hall:
            if split:  # the opening is refused too: its refusal, which names it
                for event in split:
                    yield event
            else:
                yield draft.say(self._hall_reply(scope))
                mode = AnswerMode.COMPLAINT if scope is Scope.COMPLAINT else AnswerMode.REFUSAL
                yield draft.finish(mode, [], [], refused=True)
            return

        understood = await self._understand(cleaned)
        history = await self._understood_history(history)
        renames = await self._renames()
        # a name an older version used (低收入困难家庭) is searched as the current one and the change is said
        asked_by_old_name = [r for r in renames if r.old in understood and r.new not in understood]
        for rename in asked_by_old_name:
            understood = understood.replace(rename.old, rename.new)
        another = asked_of_another(understood, history, cfg.history_turns)
        if another is not None:  # 护照呢 / 不是，我问的是护照: the previous question, of that thing
            understood = another.question
        draft.understood = understood if understood != cleaned else None
        query = retrieval_query(understood, history, cfg.history_turns)
        terms = analyse(query)
        # 要带什么材料, as the first question; 养狗要办狗证吗 names a topic jieba cuts into single characters, which
        # the referral list names
        if FOLLOWUP_SEPARATOR not in query and not names_topic(terms) and self.referrals.refer(understood, None) is None:
            logger.info("names no service, asked which: %s", mask_personal_data(understood))
            yield draft.say(self.wording.topic())
            yield draft.finish(AnswerMode.REFUSAL, [], [], refused=True)
            return
        if FOLLOWUP_SEPARATOR in query and another is None and asks_nothing_of_it(understood):
            # 在哪办 heard as 再拿盾: searched under the earlier topic it found that topic's best article, which answers
            # nothing asked; the citizen is asked what they want to know of it
            logger.info("a follow-up that asks nothing: %s", mask_personal_data(understood))
            yield draft.say(self.wording.situation(topic_of(mask_personal_data(query.split(FOLLOWUP_SEPARATOR)[0]))))
            yield draft.finish(AnswerMode.REFUSAL, [], [], refused=True)
            return
        hits = await self._retrieve(searched_as(query), draft)
        if hits is None:  # the knowledge base itself failed
            yield draft.say(self.refusal_text(cleaned))
            yield draft.finish(AnswerMode.DEGRADED, [], [], refused=True)
            return
        yield AnswerRetrieved(tuple(hits), understood)

        referral = self.referrals.refer(understood, hits[0] if hits else None, terms.subject)
        if referral is not None:
            logger.info("referred to %s (names %s): %s", referral.referral.where, referral.term, mask_personal_data(understood))
            sentence = self.wording.referral(referral.referral)
            # 低保怎么申请 养狗要办狗证吗: the 低保 part is answered, then the dog licence referred
            split = self._unreferred(understood) if split_parts and FOLLOWUP_SEPARATOR not in query else None
            answered = await self._answered_before(split, sentence, history, draft)
            if answered:
                for event in answered:
                    yield event
                return
            yield draft.say(sentence)
            yield draft.finish(AnswerMode.REFUSAL, [], hits, refused=True)
            return

        checked = self.gate.check(query, terms, hits)
        alone = FOLLOWUP_SEPARATOR not in query and another is None
        focus: str | None = None  # what the quote is about, when not the question as a whole
        if checked.refusal is not None and alone and cfg.question_parts:
            answerable = self.gate.best_part(self._parts(understood), hits, self._referred)
            if answerable is not None:  # 低保怎么申请 一个月能领多少钱: judged whole, the amount no article here states
                part, terms, checked = answerable
                focus = part.focus
                logger.info("answered for one part (%s): %s", part.clause, mask_personal_data(understood))
        candidates = checked.candidates
        if hits and (not candidates or candidates[0] is not hits[0]):
            logger.info("top passage left out (%s %s): written for a group the question does not name, or on ending or "
                        "punishing for a how-to question: %s", hits[0].title, hits[0].article, mask_personal_data(understood))
        draft.answerability = checked.verdict.score
        if checked.refusal is not None:
            logger.info("not answerable (%s): %s", checked.refusal, mask_personal_data(understood))
            if FOLLOWUP_SEPARATOR not in query and states_a_situation(understood, analyse(understood)):
                # 我失业了 asks nothing yet: "the knowledge base has nothing on it" would be untrue, and any article a
                # guess; the citizen is asked what they want to know (我要结婚 is searched as how to register a
                # marriage, which asks no kind of fact either)
                yield draft.say(self.wording.situation(topic_of(mask_personal_data(cleaned))))
                yield draft.finish(AnswerMode.REFUSAL, [], hits, refused=True)
                return
            async for event in self._refuse(understood, history, hits, draft):
                yield event
            return

        passage = candidates[0].titled_text
        aspect = unanswered_aspect(understood, passage, followup=FOLLOWUP_SEPARATOR in query)
        if aspect is not None:
            logger.info("asks %s, which the top passage does not speak to: %s", aspect,
                        mask_personal_data(understood))
            async for event in self._refuse(understood, history, hits, draft):
                yield event
            return
        if another is not None and not all(present(word, passage) for word in another.things):
            logger.info("asked of %s, which the top passage does not name: %s", "、".join(another.things),
                        mask_personal_data(understood))
            async for event in self._refuse(understood, history, hits, draft):
                yield event
            return

        # the other parts of a question asking several things are searched once the first fact is on its way
        more = (lambda: self._part_answers(understood, hits)) if alone and cfg.question_parts else None
        focus = focus or question_focus(understood, history, cfg.history_turns)
        turn = Question(
            understood, focus, terms, history, candidates, draft, asked_by_old_name, renames, more, self._closeness,
            followup=FOLLOWUP_SEPARATOR in query,
        )
        strategy = self.generate if cfg.style == "generate" else self.quote
        async for event in strategy.reply(turn):
            yield event

    def _parts(self, question: str) -> list[Part]:
        """The parts of a question asking several things, at most `answering.question_parts` of them."""
        return question_parts(question)[: self.config.answering.question_parts]

    async def _answered_before(
        self, split: tuple[str, str] | None, reply: str, history: Sequence[ChatMessage], draft: Draft,
        *, refusal_alone: bool = False, unanswered: str | None = None, cited: Citation | None = None,
    ) -> list[AnswerEvent] | None:
        """For a question split into (the rest, the parts set aside): the events answering the rest, then `reply` said
        of the parts set aside; None when there is no split or the rest is refused too. Only an answered rest is worth
        it: 学区是怎么划的 我们小区对口的是哪所小学 is a school question throughout, and a refusal of its second half
        before the referral only muddles it. `refusal_alone`: the rest's refusal or referral as it is, rather than
        None: 孩子打疫苗去哪个社区医院 要预约吗 is no question about the hall's arrangements, though it asks one.
        `unanswered`: recorded as the part not answered, for the staff's queue; `cited`: where `reply` comes from."""
        if split is None:
            return None
        rest, aside = split
        note = self.wording.about(aside, reply)
        inner = Draft(started=draft.started)
        events = [event async for event in self._events(rest, history, inner, split_parts=False)]
        done = events[-1]
        if not isinstance(done, AnswerDone) or done.answer.refused:
            return events if refusal_alone and isinstance(done, AnswerDone) else None
        before, screen = done.answer.spoken, done.answer.answer
        if unanswered:
            done.answer.unanswered = (*done.answer.unanswered, unanswered)
        if cited is not None:
            done.answer.citations.append(cited)
        said = inner.say(note, [cited] if cited else ())
        done.answer.spoken = inner.spoken
        # on the screen with what is said, above the articles quoted in full (which the page folds away)
        done.answer.answer = inner.spoken + screen[len(before) :] if screen.startswith(before) else f"{screen}\n\n{note}"
        return [*events[:-1], said, done]

    def _referred(self, query: str, top: Hit, terms: QuestionTerms) -> bool:
        return self.referrals.refer(query, top, terms.subject) is not None

    def _hall_reply(self, scope: Scope) -> str:
        replies = {Scope.CASE: self.wording.case, Scope.COMPLAINT: self.wording.complaint}
        return replies.get(scope, self.wording.hall)()

    async def _hall_split(
        self, question: str, scope: Scope, history: Sequence[ChatMessage], draft: Draft
    ) -> list[AnswerEvent] | None:
        """办居住证要带什么 在几楼办: the statute's part answered, then the floor from the staff's FAQ (asked of 居住证) or
        left to the window, and the question sent to the staff's unanswered queue as the hall's reply would have sent
        it (在几楼办 alone would not tell them which service's floor was asked). The opening's refusal when it is
        refused; None when the question does not open with a statute's part."""
        split = self._in_scope_parts(question)
        if split is None:
            return None
        faq = await self._match_faq(_asked_of(*split))
        reply, cited, unanswered = (
            (faq.entry.answer, _faq_citation(faq), None) if faq else (self._hall_reply(scope), None, question)
        )
        return await self._answered_before(
            split, reply, history, draft, refusal_alone=True, unanswered=unanswered, cited=cited
        )

    def _in_scope_parts(self, question: str) -> tuple[str, str] | None:
        """Of a question that opens with what a statute may answer and goes on to the hall itself or one's own case
        (办居住证要带什么 在几楼办): the question up to that part, with the scene it sets, and the parts from there on as
        said; else None. What follows a part about the hall asks about it too: 办公积金的窗口在几楼 有电梯吗."""
        clauses = [p.clause for p in self._parts(question)]
        opening = list(itertools.takewhile(lambda clause: classify(clause) is Scope.IN_SCOPE, clauses))
        aside = clauses[len(opening) :]
        start = question.find(aside[0]) if opening and aside else -1
        return (question[:start].strip(" ，,"), "，".join(aside)) if start > 0 else None

    def _unreferred(self, question: str) -> tuple[str, str] | None:
        """Of a question asking several things, some of which another department handles: the question without the
        clauses that name a referral topic, and the referred parts as said; None unless both kinds are asked. The
        statements kept set the scene: 我是残疾人 想开个小卖部 办执照要交钱吗 驾照能考吗 asks the licence fee of a
        disabled shopkeeper, which 残疾人就业条例 answers and 行政许可法 does not."""
        parts = self._parts(question)
        kept = [p.clause for p in parts if self.referrals.refer(p.query, None) is None]
        referred = [p.clause for p in parts if p.clause not in kept]
        if not (kept and referred):
            return None
        rest = [c for c in CLAUSE.split(question) if c and c not in referred and self.referrals.refer(c, None) is None]
        return " ".join(rest), "，".join(referred)

    async def _part_answers(self, question: str, found: Sequence[Hit]) -> list[PartAnswer]:
        """Each part of a question that asks several things, searched and checked on its own. A part's article is
        kept only when the search of the whole question found it too (`found`): a part searched alone loses the
        rest of what was said, and its best article may be about something else (我能举报吗 after 公司一直拖着不交社保
        found the article on reporting a pension agency). A part no article answers comes back without one."""
        whole = {(h.source, h.article) for h in found}
        answers = []
        for part in self._parts(question):
            hits = await self._retrieve(part.query)
            terms = analyse(part.query)
            answer = PartAnswer(part, None, terms.asks)
            referral = self.referrals.refer(part.query, hits[0], terms.subject) if hits else None
            if referral is not None:
                sentence = self.wording.referral(referral.referral)
                answer = PartAnswer(part, None, terms.asks, self.wording.about(part.clause, sentence))
            elif hits:
                checked = self.gate.check(part.query, terms, hits)
                top = checked.candidates[0] if checked.candidates else None
                if top is not None and (top.source, top.article) not in whole:
                    logger.debug("part's article not among the whole question's: %s", mask_personal_data(part.clause))
                elif checked.refusal is None and checked.verdict.score >= self.config.answering.part_threshold:
                    answer = PartAnswer(part, checked.candidates[0], terms.asks)
                else:
                    reason = checked.refusal or f"answerability {checked.verdict.score:.2f} under the part threshold"
                    logger.debug("part not answered (%s): %s", reason, mask_personal_data(part.clause))
            answers.append(answer)
        return answers

    async def _refuse(
        self, question: str, history: Sequence[ChatMessage], hits: list[Hit], draft: Draft
    ) -> AsyncIterator[AnswerEvent]:
        """The hall's refusal; no article is quoted or shown (the hits stay on the record for the panel). A question
        about another department's matter is sent there (`ReferralBook.refer_refused`)."""
        referral = self.referrals.refer_refused(question, analyse(question).subject, [h.title for h in hits])
        if referral is not None:
            logger.info("refused, and referred to %s (names %s): %s", referral.referral.where, referral.term,
                        mask_personal_data(question))
        yield draft.say(self.wording.referral(referral.referral) if referral else self.refusal_text(question, history))
        yield draft.finish(AnswerMode.REFUSAL, [], hits, refused=True)

    async def _understand(self, question: str) -> str:
        try:
            understood, corrections = await run_in("kb", self.kb.understand, question)
        except KioskError as exc:
            logger.warning("could not read homophones, searching as heard: %s", exc)
            return question
        for c in corrections:
            logger.info("read %s as %s", c.heard, c.meant)
        return understood

    async def _understood_history(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The earlier questions a follow-up may lean on, as the knowledge base reads them: heard or typed wrongly
        (宾葬的事归哪个部门管), one names no topic, and a follow-up after it leaned on the question before."""
        recent = [i for i, m in enumerate(history) if m.role == "user"][-self.config.answering.history_turns :]
        understood = list(history)
        for i in recent:
            try:
                text, _ = await run_in("kb", self.kb.understand, history[i].content)
            except KioskError:
                continue  # searched as said, as the question itself would be
            understood[i] = ChatMessage("user", text)
        return understood

    async def _renames(self) -> list[Rename]:
        if not self.config.answering.renamed_terms:
            return []
        try:
            return await run_in("kb", self.kb.renames)
        except KioskError as exc:
            logger.warning("could not compare document versions, searching as asked: %s", exc)
            return []

    async def _match_faq(self, question: str) -> FaqMatch | None:
        try:
            match = await run_in("kb", self.kb.match_faq, question)
        except KioskError as exc:
            logger.warning("FAQ lookup failed, answering from documents: %s", exc)
            return None
        if match is not None and match.score >= self.config.answering.faq_threshold:
            return match
        return None

    async def _retrieve(self, query: str, draft: Draft | None = None) -> list[Hit] | None:
        started = time.monotonic()
        try:
            hits = await run_in("kb", self.kb.search, query, self.config.retrieval.k)
        except KioskError as exc:
            logger.error("retrieval failed: %s", exc)
            return None
        finally:
            if draft is not None:
                draft.timings.retrieve_s = round(time.monotonic() - started, 3)
        return sorted(hits, key=lambda h: h.score, reverse=True)

    async def _closeness(self, text: str, statements: list[str]) -> list[float] | None:
        """The knowledge base's closeness of each statement to `text`; None, and the wording alone chooses what is
        spoken, when it cannot tell."""
        try:
            return await run_in("kb", self.kb.closeness, text, statements)
        except Exception as exc:  # noqa: BLE001 - a refinement of what is spoken; the answer stands without it
            logger.warning("statement closeness not available: %s", exc)
            return None

    def _log(self, answer: Answer, masked_question: str) -> None:
        logger.info(
            "answered mode=%s refused=%s answerability=%s citations=%s timings=%s question=%s",
            answer.mode.value,
            answer.refused,
            answer.answerability,
            [c.label() for c in answer.citations],
            answer.timings,
            masked_question,
        )


def _unidentified(text: str) -> str:
    """The text without personal data (core/privacy.py). An ID number's label (我身份证号是…) goes with it when the rest
    still names what is asked about (…低保怎么申请: searched with 身份证 it found the ID card's fee), and stays when the
    ID card is what is asked about (…丢了怎么办); so does a plate's (车牌)."""
    kept = drop_personal_data(text)
    dropped = drop_personal_data(text, labels=True)
    return dropped if dropped != kept and names_topic(analyse(dropped)) else kept


def _last_spoken(history: Sequence[ChatMessage]) -> str:
    """What the kiosk said last: an answer's spoken part comes before the article shown under it."""
    answers = [m.content for m in history if m.role == "assistant" and m.content.strip()]
    return answers[-1].split("\n\n")[0].strip() if answers else ""


def _courtesy(text: str, scope: Scope, injected: bool) -> SmallTalk | None:
    """How to meet an utterance that asks nothing: a courtesy as itself, no words at all (😊, ？？, a number alone)
    as a greeting. Nothing left once planted instructions are dropped is out of scope, as before."""
    if scope is Scope.SMALL_TALK:
        return small_talk(text)
    return SmallTalk.GREETING if scope is Scope.EMPTY and not injected else None


def build_answerer(config: KioskConfig, kb: KnowledgeSource | None = None, chat_model: ChatModel | None = None) -> Answerer:
    """The kiosk's answerer: the configured knowledge base and chat model backend."""
    if kb is None:
        from knowledge_base import open_knowledge_base

        kb = open_knowledge_base(config)
    if chat_model is None:
        from answering.backends import build_chat_model

        chat_model = build_chat_model(config)
    return Answerer(kb, chat_model, config)
