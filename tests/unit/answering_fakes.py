"""Fakes for the answering tests: a knowledge base and chat models that script their behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from core.errors import ChatModelError, KnowledgeBaseError
from core.models import ChatMessage, ChatOptions, FaqEntry, FaqMatch, Hit
from knowledge_base.renames import Rename
from knowledge_base.terms import Correction


def hit(title: str, article: str, text: str, score: float = 0.8, cosine: float = 0.88) -> Hit:
    """A passage as retrieval returns it; `cosine` is the embedding similarity of a close passage."""
    return Hit(
        text=text,
        score=score,
        source=f"{title}(2015-11-26).md",
        title=title,
        article=article,
        doc_id=title,
        effective_date="2015-11-26",
        vector_score=cosine,
    )


RESIDENCE_9 = hit("居住证暂行条例", "第九条", "第九条 申领居住证，应当向居住地公安派出所提交本人居民身份证、本人相片以及居住地住址、就业、就读等证明材料。")
RESIDENCE_12 = hit("居住证暂行条例", "第十二条", "第十二条 公安机关应当自受理之日起15日内制作发放居住证。", 0.7)
ID_CARD_5 = hit("居民身份证法", "第五条", "第五条 二十六周岁至四十五周岁的，居民身份证有效期二十年。", 0.6)


class FakeVocabulary:
    def __init__(self, texts: Sequence[str]) -> None:
        self.text = "\n".join(texts)

    def occurs(self, text: str) -> bool:
        return bool(text) and text in self.text

    def idf(self, word: str) -> float:
        return 1.0 if self.occurs(word) else self.max_idf

    max_idf = 5.0


class FakeKnowledgeBase:
    def __init__(
        self,
        hits: Sequence[Hit] = (),
        faq: FaqMatch | None = None,
        fail: bool = False,
        heard_as: dict[str, str] | None = None,
        renames: Sequence[Rename] = (),
        near: dict[str, float] | None = None,
    ) -> None:
        self.hits = list(hits)
        self.near = near  # statement → its closeness to any question; None: statements are not embedded
        self.faq = faq
        self.fail = fail
        self.heard_as = heard_as or {}
        self._renames = list(renames)
        self.queries: list[str] = []

    def renames(self) -> list[Rename]:
        return self._renames

    def closeness(self, query: str, statements: Sequence[str]) -> list[float] | None:
        if self.near is None:
            return None
        return [self.near.get(s, 0.0) for s in statements]

    def understand(self, question: str) -> tuple[str, list[Correction]]:
        corrections = [Correction(a, b) for a, b in self.heard_as.items() if a in question]
        for c in corrections:
            question = question.replace(c.heard, c.meant)
        return question, corrections

    @property
    def terms(self) -> FakeVocabulary:
        return FakeVocabulary([f"{h.title} {h.text}" for h in self.hits])

    def search(self, query: str, k: int = 5) -> list[Hit]:
        self.queries.append(query)
        if self.fail:
            raise KnowledgeBaseError("kb-unavailable", "index missing")
        return self.hits[:k]

    def match_faq(self, question: str) -> FaqMatch | None:
        return self.faq


def faq_match(score: float = 0.95) -> FaqMatch:
    return FaqMatch(FaqEntry("faq-7", "大厅几点上班", "本大厅工作日上午9点至下午5点办公。", "staff"), score)


class ScriptedChatModel:
    """Yields the given pieces (optionally slowly), or fails the way a real backend can."""

    name = "scripted"

    def __init__(
        self, pieces: Sequence[str] = (), *, delay_s: float = 0.0, error: ChatModelError | None = None, hang: bool = False
    ) -> None:
        self.pieces = list(pieces)
        self.delay_s = delay_s
        self.error = error
        self.hang = hang
        self.calls: list[list[ChatMessage]] = []
        self.produced = 0
        self.closed = False

    async def stream(self, messages: Sequence[ChatMessage], options: ChatOptions) -> AsyncIterator[str]:
        self.calls.append(list(messages))
        try:
            if self.hang:
                await asyncio.sleep(3600)
            for piece in self.pieces:
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                self.produced += 1
                yield piece
            if self.error is not None:
                raise self.error
        finally:
            self.closed = True


class RoutedKnowledgeBase(FakeKnowledgeBase):
    """A knowledge base whose search answers by how the query starts: the passage of the first route whose words
    open the query's last line, alone; the default hits otherwise."""

    def __init__(self, hits: Sequence[Hit], routes: dict[str, Hit]) -> None:
        super().__init__(hits)
        self.routes = routes

    def search(self, query: str, k: int = 5) -> list[Hit]:
        self.queries.append(query)
        routed = next((h for word, h in self.routes.items() if query.split("\n")[-1].startswith(word)), None)
        return [routed] if routed else self.hits[:k]
