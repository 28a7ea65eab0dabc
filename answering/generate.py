"""Generate strategy: the chat model answers in a few sentences of its own (for 7B+ models on a GPU box).

Sentences are released as they complete; one that states a number no passage states is never said. A model that
refuses, says only a citation, or fails, ends in the hall's refusal or the quoted passage (degraded). Model work is
bounded per box: a turn that must wait for the model first hears the busy notice, never a timeout apology.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections.abc import AsyncIterator

from answering.citations import citation_for, citation_phrase, parse_citations
from answering.extract import screen_text
from answering.faithfulness import unsupported_numbers
from answering.parts import PartAnswer
from answering.prompt import build_messages
from answering.quote import QuoteStrategy
from answering.reply import Question, Wording
from core.config import KioskConfig
from core.errors import KioskError
from core.models import AnswerDone, AnswerMode, AnswerSpoken, ChatOptions
from core.protocols import ChatModel
from core.sentences import SentenceSplitter

logger = logging.getLogger(__name__)

# How a model says "not in the documents"; the prompt asks for 知识库中没有找到相关规定。
_REFUSAL_OPENINGS = ("知识库中没有", "知识库里没有", "知识库中未", "资料中没有", "资料里没有", "资料中未", "没有找到相关")
_REFUSAL_ANYWHERE = re.compile(r"(知识库|资料)(中|里)?(没有|未)(找到|提到|提及|涉及|规定|相关)|没有找到相关规定")
_ANSWER_LABEL = re.compile(r"^\s*(【回答】|回答[:：])\s*")  # some models echo the prompt's label
_POLITE_LEAD = re.compile(r"^[\s抱歉对不起很，,。]*")
_STOP = ("【问题】", "【资料】", "\n\n\n")  # the model starting a new example instead of ending
_HOLD_BACK_CHARS = 12
_CITATION_ONLY = re.compile(r"(依据|根据|参见|见)?《[^》]*》(第[零〇一二三四五六七八九十百千两\d]+条[、和及与]?)*(的规定)?")
_MIN_CONTENT_CHARS = 6


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


async def _settled(answers: list[PartAnswer]) -> list[PartAnswer]:
    return answers


class GenerateStrategy:
    name = "generate"

    def __init__(self, chat_model: ChatModel, config: KioskConfig, quote: QuoteStrategy) -> None:
        self.chat_model = chat_model
        self.config = config
        self.quote = quote
        self.wording = Wording(config.answering)
        self._model_turns = asyncio.Semaphore(config.answering.max_concurrent_model_turns)

    async def reply(self, q: Question) -> AsyncIterator[AnswerSpoken | AnswerDone]:
        cfg = self.config.answering
        # the article each other part of the question found goes into the prompt after the top one
        answers = await q.part_answers()
        extra = [a.hit for a in self.quote.other_parts(q.hits[:1], answers)]
        pool = q.hits[:1] + extra + [h for h in q.hits[1:] if h not in extra]
        passages = pool[: cfg.max_passages + len(extra)]
        q = dataclasses.replace(q, hits=pool, more=lambda: _settled(answers))  # a degraded quote does not search again
        messages = build_messages(q.text, passages, q.history, turns=cfg.history_turns, passage_chars=cfg.passage_chars)
        sources = [h.text for h in passages] + [q.text] + [m.content for m in q.history if m.role == "user"]
        if self._model_turns.locked():
            yield q.draft.say(cfg.busy_notice)
        async with self._model_turns:
            async for event in self._generate(q, messages, sources):
                yield event

    async def _generate(self, q: Question, messages: list, sources: list[str]) -> AsyncIterator[AnswerSpoken | AnswerDone]:
        cfg = self.config
        draft = q.draft
        waited = len(draft.parts)  # the busy notice, if any, is not part of the model's answer
        options = ChatOptions(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature, stop=_STOP)
        deadline = time.monotonic() + cfg.answering.total_timeout_s
        splitter = SentenceSplitter(max_chars=40)
        pending = ""  # model text before its opening is decided
        deferred = ""  # released text held until it says something
        decided = False
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
                    if not decided:
                        pending += piece
                        if "【回答】".startswith(pending.strip()):
                            continue
                        pending = _ANSWER_LABEL.sub("", pending)
                        state = opening_state(pending)
                        if state == "refusal":
                            outcome = "refusal"
                            break  # closing the stream stops generation
                        if state == "undecided":
                            continue
                        decided, piece, pending = True, pending, ""
                    for sentence in splitter.feed(piece):
                        if self._unsupported(sentence, sources):
                            outcome = "unsupported"
                            break
                        if len(draft.parts) == waited and says_nothing(deferred + sentence):
                            deferred += sentence  # a bare citation first: say it only if content follows
                            continue
                        yield draft.say(deferred + sentence)
                        deferred = ""
        except Exception as exc:  # any backend failure degrades; cancellation (BaseException) still propagates
            self._log_failure(exc)
            async for event in self.degraded(q):
                yield event
            return

        rest = _ANSWER_LABEL.sub("", pending) if not decided else "".join(splitter.flush())
        if outcome == "answer" and rest.strip():
            if not decided and opening_state(rest) == "refusal":
                outcome = "refusal"
            elif self._unsupported(rest, sources):
                outcome = "unsupported"
            elif len(draft.parts) > waited or not says_nothing(deferred + rest):
                yield draft.say(deferred + rest)
        said = "".join(draft.parts[waited:])
        cited_by_model = parse_citations(said, q.hits)
        late_refusal = (_REFUSAL_ANYWHERE.search(said) and not cited_by_model) or says_nothing(said)
        said_nothing = len(draft.parts) == waited and (outcome != "answer" or bool(deferred))
        if said_nothing or late_refusal:
            if len(draft.parts) == waited:
                yield draft.say(self.wording.refusal(q.text))
            elif "12345" not in said:
                yield draft.say(self.wording.guidance())
            yield draft.finish(AnswerMode.REFUSAL, [], q.hits, refused=True)
            return
        if not said.strip():
            logger.error("chat model %s returned an empty answer", self.chat_model.name)
            async for event in self.degraded(q):
                yield event
            return
        citations = cited_by_model or [citation_for(q.hits[0])]
        if not cited_by_model:
            joiner = "" if said.rstrip().endswith(("。", "！", "？")) else "。"
            yield draft.say(joiner + citation_phrase(citations) + "。")
        cited = [h for h in q.hits if citation_for(h) in citations][: cfg.answering.screen_articles]
        yield draft.finish(AnswerMode.LLM, citations, q.hits, refused=False, screen=screen_text(draft.spoken, cited))

    async def degraded(self, q: Question) -> AsyncIterator[AnswerSpoken | AnswerDone]:
        """The model failed: the quoted fact (it already passed the answerability check), marked degraded."""
        lead = self.config.answering.interrupted_lead if q.draft.parts else self.config.answering.degraded_lead
        async for event in self.quote.reply(q, lead=lead, mode=AnswerMode.DEGRADED):
            yield event

    def _log_failure(self, exc: Exception) -> None:
        reason = exc.code if isinstance(exc, KioskError) else type(exc).__name__
        logger.error("chat model %s failed (%s): %s", self.chat_model.name, reason, exc)

    def _unsupported(self, sentence: str, sources: list[str]) -> bool:
        invented = unsupported_numbers(sentence, sources)
        if invented:
            logger.warning("model stated numbers no source has (%s); sentence withheld", ", ".join(invented))
        return bool(invented)
