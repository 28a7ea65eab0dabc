"""Grounded answering: FAQ first, else retrieve → gate → prompt the LLM with numbered passages → cite.

Every path ends in exactly one `Answer`; a failing model degrades to a quoted passage, never to silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.answering.citations import citation_for, citation_phrase, extractive_answer, parse_citations
from kiosk.answering.faithfulness import missing_figure, split_sentences, unsupported_numbers
from kiosk.answering.guardrails import Scope, classify, strip_injection
from kiosk.answering.prompt import build_messages, prefix_messages, question_focus, retrieval_query
from kiosk.config import KioskConfig
from kiosk.errors import KioskError
from kiosk.models import Answer, AnswerMode, AnswerTimings, ChatMessage, ChatOptions, Citation, FaqMatch, Hit
from kiosk.privacy import mask_personal_data
from kiosk.protocols import ChatModel

logger = logging.getLogger(__name__)

# How a model says "not in the documents"; the prompt asks for 知识库中没有找到相关规定。
_REFUSAL_OPENINGS = ("知识库中没有", "知识库里没有", "知识库中未", "资料中没有", "资料里没有", "资料中未", "没有找到相关")
_REFUSAL_ANYWHERE = re.compile(r"(知识库|资料)(中|里)?(没有|未)(找到|提到|提及|涉及|规定|相关)|没有找到相关规定")
_ANSWER_LABEL = re.compile(r"^\s*(【回答】|回答[:：])\s*")  # some models echo the prompt's label
_POLITE_LEAD = re.compile(r"^[\s抱歉对不起很，,。]*")
_STOP = ("【问题】", "【资料】", "\n\n\n")  # the model starting a new example instead of ending
_HOLD_BACK_CHARS = 12
_CITATION_ONLY = re.compile(r"(依据|根据|参见|见)?《[^》]*》(第[零〇一二三四五六七八九十百千两\d]+条[、和及与]?)*(的规定)?")
_MIN_CONTENT_CHARS = 6  # a refusal is recognised within its first characters; hold back at most this many


class KnowledgeSource(Protocol):
    def search(self, query: str, k: int = 5) -> list[Hit]: ...

    def match_faq(self, question: str) -> FaqMatch | None: ...


@dataclass
class _Draft:
    """What a turn has produced so far."""

    started: float
    parts: list[str] = field(default_factory=list)
    timings: AnswerTimings = field(default_factory=AnswerTimings)

    def emit(self, piece: str) -> str:
        if self.timings.first_token_s is None:
            self.timings.first_token_s = round(time.monotonic() - self.started, 3)
        self.parts.append(piece)
        return piece

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def finish(self, mode: AnswerMode, citations: list[Citation], hits: Sequence[Hit], refused: bool) -> Answer:
        self.timings.total_s = round(time.monotonic() - self.started, 3)
        return Answer(self.text, citations, refused, mode, self.timings, list(hits))


def opening_state(text: str) -> str:
    """'refusal', 'answer' or 'undecided' for the first characters a model produced."""
    lead = _POLITE_LEAD.sub("", text)
    if not lead:
        return "undecided" if len(text) < _HOLD_BACK_CHARS else "answer"
    if any(lead.startswith(opening) for opening in _REFUSAL_OPENINGS):
        return "refusal"
    if any(opening.startswith(lead) for opening in _REFUSAL_OPENINGS) and len(text) < _HOLD_BACK_CHARS:
        return "undecided"
    return "answer"


def says_nothing(text: str) -> bool:
    """A reply that is only a citation ("根据《居住证暂行条例》第十六条。") answers nothing: treat it as a refusal."""
    content = _CITATION_ONLY.sub("", text)
    return bool(text.strip()) and len(re.sub(r"[\W_]", "", content)) < _MIN_CONTENT_CHARS


def topic_of(question: str, max_chars: int = 24) -> str:
    topic = re.sub(r"[\s？?！!。，,、；;：:]+$", "", question.strip())
    topic = re.sub(r"\s+", "，", topic)
    return topic if len(topic) <= max_chars else topic[:max_chars] + "…"


class Answerer:
    def __init__(self, kb: KnowledgeSource, chat_model: ChatModel, config: KioskConfig) -> None:
        self.kb = kb
        self.chat_model = chat_model
        self.config = config

    async def warm_up(self) -> None:
        """Load the model and cache the fixed system prompt, so the first citizen does not wait for it."""
        warm_up = getattr(self.chat_model, "warm_up", None)
        if callable(warm_up):
            started = time.monotonic()
            await asyncio.to_thread(warm_up, prefix_messages())
            logger.info("chat model %s warmed up in %.1f s", self.chat_model.name, time.monotonic() - started)

    # ------------------------------------------------------------ replies that need no model

    def refusal_text(self, question: str) -> str:
        cfg = self.config.answering
        return cfg.refusal_template.format(topic=topic_of(mask_personal_data(question)), window=cfg.window_guidance)

    def scope_text(self) -> str:
        cfg = self.config.answering
        return cfg.scope_reply.format(window=cfg.window_guidance)

    def guidance_text(self) -> str:
        return f"建议您到{self.config.answering.window_guidance}咨询工作人员，或拨打12345政务服务热线。"

    # ------------------------------------------------------------ the turn

    async def answer(self, question: str, history: Sequence[ChatMessage] = ()) -> Answer:
        async for item in self.stream(question, history):
            if isinstance(item, Answer):
                return item
        raise AssertionError("Answerer.stream ended without an Answer")  # stream() always ends with one

    async def stream(self, question: str, history: Sequence[ChatMessage] = ()) -> AsyncIterator[str | Answer]:
        """Yield answer text pieces as they arrive, then exactly one Answer."""
        draft = _Draft(started=time.monotonic())
        masked = mask_personal_data(question)
        cleaned, injected = strip_injection(question)
        if injected:
            logger.warning("instruction-like text ignored in question: %s", masked)
        scope = classify(cleaned)
        if scope is not Scope.IN_SCOPE:
            logger.info("out-of-scope question (%s): %s", scope.value, masked)
            yield draft.emit(self.scope_text())
            yield self._log(draft.finish(AnswerMode.REFUSAL, [], [], refused=True), masked)
            return

        faq = await self._match_faq(cleaned)
        if faq is not None:
            yield draft.emit(faq.entry.answer)
            citation = Citation(source=f"faq:{faq.entry.id}", title=f"常见问题：{faq.entry.question}", article=None)
            yield self._log(draft.finish(AnswerMode.FAQ, [citation], [], refused=False), masked)
            return

        query = retrieval_query(cleaned, history, self.config.answering.history_turns)
        hits = await self._retrieve(query, draft)
        if hits is None:  # the knowledge base itself failed
            yield draft.emit(self.refusal_text(cleaned))
            yield self._log(draft.finish(AnswerMode.DEGRADED, [], [], refused=True), masked)
            return
        if not hits or hits[0].score < self.config.retrieval.gate_threshold:
            yield draft.emit(self.refusal_text(cleaned))
            yield self._log(draft.finish(AnswerMode.REFUSAL, [], hits, refused=True), masked)
            return

        passages = hits[: self.config.answering.max_passages]
        messages = build_messages(
            cleaned,
            passages,
            history,
            turns=self.config.answering.history_turns,
            passage_chars=self.config.answering.passage_chars,
        )
        focus = question_focus(cleaned, history, self.config.answering.history_turns)
        if self.config.answering.style == "quote":
            replies = self._judge_then_quote(messages, passages, hits, cleaned, focus, draft)
        else:
            sources = [h.text for h in passages] + [cleaned] + [m.content for m in history if m.role == "user"]
            replies = self._generate(messages, passages, hits, cleaned, focus, draft, sources)
        async for item in replies:
            if isinstance(item, Answer):
                yield self._log(item, masked)
            else:
                yield item

    async def _match_faq(self, question: str) -> FaqMatch | None:
        try:
            match = await asyncio.to_thread(self.kb.match_faq, question)
        except KioskError as exc:
            logger.warning("FAQ lookup failed, answering from documents: %s", exc)
            return None
        if match is not None and match.score >= self.config.answering.faq_threshold:
            return match
        return None

    async def _retrieve(self, query: str, draft: _Draft) -> list[Hit] | None:
        started = time.monotonic()
        try:
            hits = await asyncio.to_thread(self.kb.search, query, self.config.retrieval.k)
        except KioskError as exc:
            logger.error("retrieval failed: %s", exc)
            return None
        finally:
            draft.timings.retrieve_s = round(time.monotonic() - started, 3)
        return sorted(hits, key=lambda h: h.score, reverse=True)

    async def _judge_then_quote(
        self, messages: list[ChatMessage], passages: list[Hit], hits: list[Hit], question: str, focus: str,
        draft: _Draft,
    ) -> AsyncIterator[str | Answer]:
        """Quote style: the model's opening says whether the passages answer the question; the statute is quoted."""
        cfg = self.config
        options = ChatOptions(max_tokens=16, temperature=cfg.llm.temperature, stop=_STOP)
        opening = ""
        state = "undecided"
        try:
            async with contextlib.aclosing(self.chat_model.stream(messages, options)) as pieces:
                while state == "undecided":  # closing the stream as soon as the opening decides stops generation
                    try:
                        piece = await asyncio.wait_for(anext(pieces), timeout=cfg.answering.first_token_timeout_s)
                    except StopAsyncIteration:
                        break
                    opening += piece
                    if "【回答】".startswith(opening.strip()):
                        continue  # an echoed label, not yet the answer
                    opening = _ANSWER_LABEL.sub("", opening)
                    state = opening_state(opening)
        except Exception as exc:  # any backend failure degrades; cancellation (BaseException) still propagates
            self._log_backend_failure(exc)
            state = "failed"
        if state == "refusal":
            yield draft.emit(self.refusal_text(question))
            yield draft.finish(AnswerMode.REFUSAL, [], hits, refused=True)
        elif state == "failed" or not opening.strip():
            async for item in self._degraded(passages, hits, focus, draft):
                yield item
        else:
            quoted = self._quoted_passages(passages)
            quote, citations = self._quote(quoted, focus)
            if kind := missing_figure(question, "".join(h.text for h in quoted)):
                # the rule is quoted, but the figure asked for is not in the knowledge base: say so, and let staff see it
                yield draft.emit(f"抱歉，知识库中没有具体的{kind}。{quote}{self.guidance_text()}")
                yield draft.finish(AnswerMode.REFUSAL, citations, hits, refused=True)
            else:
                yield draft.emit(quote)
                yield draft.finish(AnswerMode.LLM, citations, hits, refused=False)

    def _quoted_passages(self, passages: list[Hit]) -> list[Hit]:
        """The top passage, and the second too when retrieval scores them as a near tie (it cannot tell which)."""
        margin = self.config.answering.quote_tie_margin
        if len(passages) > 1 and passages[0].score - passages[1].score < margin:
            return passages[:2]
        return passages[:1]

    def _quote(self, quoted: list[Hit], focus: str) -> tuple[str, list[Citation]]:
        """The passages' own sentences closest to the question, each with its citation."""
        text = "".join(extractive_answer(h, self.config.answering.quote_chars, focus) for h in quoted)
        return text, list(dict.fromkeys(citation_for(h) for h in quoted))

    async def _generate(
        self, messages: list[ChatMessage], passages: list[Hit], hits: list[Hit], question: str, focus: str,
        draft: _Draft, sources: list[str],
    ) -> AsyncIterator[str | Answer]:
        """Stream the model's answer sentence by sentence; a sentence with a number no source states is never said."""
        cfg = self.config
        options = ChatOptions(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature, stop=_STOP)
        deadline = time.monotonic() + cfg.answering.total_timeout_s
        pending = ""  # model text not yet released
        deferred = ""  # released text held until it says something
        received = False
        outcome = "answer"
        try:
            async with contextlib.aclosing(self.chat_model.stream(messages, options)) as pieces:
                while outcome == "answer":
                    limit = deadline - time.monotonic() if received else cfg.answering.first_token_timeout_s
                    try:
                        piece = await asyncio.wait_for(anext(pieces), timeout=max(limit, 0.001))
                    except StopAsyncIteration:
                        break
                    received = True
                    pending += piece
                    if not draft.parts:
                        if "【回答】".startswith(pending.strip()):
                            continue
                        pending = _ANSWER_LABEL.sub("", pending)
                        state = opening_state(pending)
                        if state == "refusal":
                            outcome = "refusal"
                            break  # closing the stream stops generation
                        if state == "undecided":
                            continue
                    sentences, pending = split_sentences(pending)
                    for sentence in sentences:
                        if self._unsupported(sentence, sources):
                            outcome = "unsupported"
                            break
                        if not draft.parts and says_nothing(deferred + sentence):
                            deferred += sentence  # a bare citation first: say it only if content follows
                            continue
                        yield draft.emit(deferred + sentence)
                        deferred = ""
        except Exception as exc:  # any backend failure degrades; cancellation (BaseException) still propagates
            self._log_backend_failure(exc)
            async for item in self._degraded(passages, hits, focus, draft):
                yield item
            return

        if outcome == "answer" and pending.strip():
            pending = _ANSWER_LABEL.sub("", pending)
            if opening_state(pending) == "refusal" and not draft.parts:
                outcome = "refusal"
            elif self._unsupported(pending, sources):
                outcome = "unsupported"
            elif draft.parts or not says_nothing(deferred + pending):
                yield draft.emit(deferred + pending)
        late_refusal = (
            _REFUSAL_ANYWHERE.search(draft.text) and not parse_citations(draft.text, passages)
        ) or says_nothing(draft.text)
        said_nothing = not draft.parts and (outcome != "answer" or bool(deferred))
        if said_nothing or late_refusal:
            if not draft.parts:
                yield draft.emit(self.refusal_text(question))
            elif "12345" not in draft.text:
                yield draft.emit(self.guidance_text())
            yield draft.finish(AnswerMode.REFUSAL, [], hits, refused=True)
            return
        if not draft.text.strip():
            logger.error("chat model %s returned an empty answer", self.chat_model.name)
            async for item in self._degraded(passages, hits, focus, draft):
                yield item
            return
        citations = parse_citations(draft.text, passages)
        if not citations:
            citations = [citation_for(passages[0])]
            joiner = "" if draft.text.rstrip().endswith(("。", "！", "？")) else "。"
            yield draft.emit(joiner + citation_phrase(citations) + "。")
        yield draft.finish(AnswerMode.LLM, citations, hits, refused=False)

    def _log_backend_failure(self, exc: Exception) -> None:
        reason = exc.code if isinstance(exc, KioskError) else type(exc).__name__
        logger.error("chat model %s failed (%s): %s", self.chat_model.name, reason, exc)

    def _unsupported(self, sentence: str, sources: list[str]) -> bool:
        invented = unsupported_numbers(sentence, sources)
        if invented:
            logger.warning("model stated numbers no source has (%s); sentence withheld", ", ".join(invented))
        return bool(invented)

    async def _degraded(
        self, passages: list[Hit], hits: list[Hit], focus: str, draft: _Draft
    ) -> AsyncIterator[str | Answer]:
        """The model failed: quote the top passage with its citation (it already passed the gate)."""
        lead = "……抱歉，回答中断了。" if draft.parts else "系统繁忙，先为您摘录相关规定："
        quote, citations = self._quote(passages[:1], focus)
        yield draft.emit(lead + quote + self.guidance_text())
        yield draft.finish(AnswerMode.DEGRADED, citations, hits, refused=False)

    def _log(self, answer: Answer, masked_question: str) -> Answer:
        logger.info(
            "answered mode=%s refused=%s citations=%s timings=%s question=%s",
            answer.mode.value,
            answer.refused,
            [c.label() for c in answer.citations],
            answer.timings,
            masked_question,
        )
        return answer


def build_answerer(config: KioskConfig, kb: KnowledgeSource | None = None, chat_model: ChatModel | None = None) -> Answerer:
    """The kiosk's answerer: the configured knowledge base and chat model backend."""
    if kb is None:
        from knowledge_base import open_knowledge_base

        kb = open_knowledge_base(config)
    if chat_model is None:
        from kiosk.answering.backends import build_chat_model

        chat_model = build_chat_model(config)
    return Answerer(kb, chat_model, config)
