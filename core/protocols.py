"""Small engine interfaces. Each engine is chosen by config, so a GPU box swaps engines, not the pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Protocol, runtime_checkable

from core.models import AnswerEvent, ChatMessage, ChatOptions, Hit, SpeechAudio, Transcript


@runtime_checkable
class Embedder(Protocol):
    """Text → vectors. Implementations are also usable as a langchain `Embeddings`."""

    model_name: str
    dimension: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int = 5) -> list[Hit]: ...


@runtime_checkable
class ChatModel(Protocol):
    """Streams answer tokens; cancelling the consuming task stops generation."""

    name: str

    def stream(self, messages: Sequence[ChatMessage], options: ChatOptions) -> AsyncIterator[str]: ...


@runtime_checkable
class Transcriber(Protocol):
    """Blocking; the pipeline runs it in a worker thread. `audio` is mono float32 at 16 kHz."""

    name: str

    def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript: ...


@runtime_checkable
class VocabularyTranscriber(Transcriber, Protocol):
    """A transcriber steered by domain terms, which can be replaced while it runs (after a knowledge-base change)."""

    def set_vocabulary(self, domain_terms: Iterable[str]) -> None: ...


@runtime_checkable
class KeepsClips(Protocol):
    """A voice that can synthesise clips ahead (fixed replies, FAQ answers) and keep them for the day."""

    async def keep(self, texts: Sequence[str], speed: float | None = None) -> None: ...


@runtime_checkable
class HasFixedReplies(Protocol):
    """An answerer whose replies to some questions are fixed texts (scope, the hall, referrals), which the voice
    can synthesise ahead of any question."""

    def fixed_replies(self) -> list[str]: ...


@runtime_checkable
class Answerer(Protocol):
    """Yields AnswerRetrieved (when retrieval ran), AnswerSpoken pieces, then exactly one AnswerDone.
    answering.Answerer is the kiosk's; the pipeline and the panel need only this."""

    def stream(self, question: str, history: Sequence[ChatMessage] = ()) -> AsyncIterator[AnswerEvent]: ...


@runtime_checkable
class Synthesizer(Protocol):
    """Speaks one sentence; the pipeline feeds sentences as the answer streams."""

    name: str

    async def synthesize(self, text: str) -> SpeechAudio: ...
