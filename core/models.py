"""Typed, dependency-free models and events shared by every stage, the UI, the logs and the benchmarks."""

from __future__ import annotations

import enum
import time
from dataclasses import asdict, dataclass, field
from typing import Any

# ---------------------------------------------------------------- knowledge base


class DocumentStatus(str, enum.Enum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"  # a newer version (same title, later effective date) exists
    RETIRED = "retired"  # staff took it out of service; still listed


@dataclass(frozen=True)
class Hit:
    """One retrieved passage. `score` is the fused confidence in [0, 1] the answering stage gates on."""

    text: str
    score: float
    source: str
    title: str
    article: str | None
    doc_id: str
    effective_date: str | None
    chunk_id: str = ""
    vector_score: float | None = None
    lexical_score: float | None = None

    @property
    def titled_text(self) -> str:
        """The passage with its document's title: what a question's words are looked for in (社会保险法 names 社保)."""
        return f"{self.title} {self.text}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    source: str = "FAQ"


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float


# ---------------------------------------------------------------- answering


class AnswerMode(str, enum.Enum):
    FAQ = "faq"
    QUOTE = "quote"  # the statute's own words, chosen without a model
    LLM = "llm"  # the chat model's words
    REFUSAL = "refusal"
    DEGRADED = "degraded"
    SMALL_TALK = "small-talk"  # 你好 / 谢谢 / 再见: a courtesy answered as such
    INTERRUPTED = "interrupted"  # cut off by the next question: what was said before the barge-in
    COMPLAINT = "complaint"  # about the hall's own staff or service: sent to its window, not a knowledge gap


@dataclass(frozen=True)
class Citation:
    source: str
    title: str
    article: str | None

    def label(self) -> str:
        return f"《{self.title}》{self.article or ''}"


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class ChatOptions:
    max_tokens: int = 256
    temperature: float = 0.1
    stop: tuple[str, ...] = ()


@dataclass
class AnswerTimings:
    retrieve_s: float | None = None
    first_token_s: float | None = None
    total_s: float | None = None


@dataclass
class Answer:
    """One reply in two forms: `spoken` is what the avatar says (the fact, in one breath); `answer` is the screen
    text (the spoken text, then the full article(s) with citation). `understood` is the question as the kiosk read
    it (homophones of the knowledge base's words corrected, 护照呢 and 不是，我问的是护照 read as the question they ask);
    `answerability` the score the reply was gated on."""

    answer: str
    citations: list[Citation]
    refused: bool
    mode: AnswerMode
    timings: AnswerTimings = field(default_factory=AnswerTimings)
    hits: list[Hit] = field(default_factory=list)
    spoken: str = ""
    understood: str | None = None
    answerability: float | None = None
    # parts of the question said to have no answer in the documents (残疾证怎么办 of 残疾人就业有什么扶持 残疾证怎么办)
    unanswered: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.spoken:
            self.spoken = self.answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "spoken": self.spoken,
            "answer": self.answer,
            "citations": [asdict(c) for c in self.citations],
            "refused": self.refused,
            "mode": self.mode.value,
            "understood": self.understood,
            "answerability": self.answerability,
            "unanswered": list(self.unanswered),
            "timings": asdict(self.timings),
        }


@dataclass(frozen=True)
class AnswerRetrieved:
    """The answering stage's retrieval ended: the passages found for the question as understood."""

    hits: tuple[Hit, ...]
    understood: str


@dataclass(frozen=True)
class AnswerSpoken:
    """A piece of the spoken answer, streamed as soon as it exists, with the articles it states (a quoted fact)."""

    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class AnswerDone:
    """The whole reply; always the last event of an answer stream."""

    answer: Answer


AnswerEvent = AnswerRetrieved | AnswerSpoken | AnswerDone


# ---------------------------------------------------------------- speech


@dataclass(frozen=True)
class Transcript:
    text: str
    duration_s: float
    asr_s: float
    language: str = "zh"
    nothing_heard: bool = False


@dataclass(frozen=True)
class TimingMark:
    """A unit of speech (phone, syllable or word) with its time span, for lip sync and subtitles."""

    start_s: float
    end_s: float
    unit: str
    viseme: str = ""


@dataclass(frozen=True)
class SpeechAudio:
    """Mono float32 samples in [-1, 1]."""

    samples: Any  # numpy.ndarray; typed loosely to keep this module dependency-free
    sample_rate: int
    text: str
    engine: str
    marks: tuple[TimingMark, ...] = ()

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)


# ---------------------------------------------------------------- turn pipeline events


class PipelineEventType(str, enum.Enum):
    RUN_START = "run-start"
    VAD_END = "vad-end"
    ASR_START = "asr-start"
    ASR_END = "asr-end"
    RETRIEVE_END = "retrieve-end"
    ANSWER_START = "answer-start"
    ANSWER_PARTIAL = "answer-partial"
    ANSWER_END = "answer-end"
    TTS_START = "tts-start"
    TTS_AUDIO = "tts-audio"
    TTS_END = "tts-end"
    ERROR = "error"
    CANCELLED = "cancelled"
    RUN_END = "run-end"


@dataclass(frozen=True)
class PipelineEvent:
    """One thing that happened in a turn. Exactly one payload field is set for events that carry data."""

    type: PipelineEventType
    turn_id: str
    t_s: float = field(default_factory=time.monotonic)
    text: str | None = None  # ASR text, partial answer text, or sentence being spoken
    transcript: Transcript | None = None
    hits: tuple[Hit, ...] | None = None
    answer: Answer | None = None
    audio: SpeechAudio | None = None
    error: dict[str, str] | None = None  # KioskError.to_dict()


# ---------------------------------------------------------------- knowledge-base records


class IngestStatus(str, enum.Enum):
    ADDED = "added"
    REPLACED = "replaced"  # same source re-ingested with new content: all old chunks replaced
    UNCHANGED = "unchanged"  # same source, same content: nothing to do
    DUPLICATE = "duplicate"  # same content already ingested under another name
    FAQ = "faq"  # FAQ table imported
    FAILED = "failed"


@dataclass(frozen=True)
class IngestResult:
    path: str
    status: IngestStatus
    doc_id: str | None = None
    chunks: int = 0
    message: str = ""
    error_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str
    title: str
    status: DocumentStatus
    chunks: int
    effective_date: str | None
    version: str
    department: str | None
    ingested_at: str
    sha256: str
    superseded_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


@dataclass(frozen=True)
class ChunkInfo:
    chunk_id: str
    doc_id: str
    index: int
    text: str
    article: str | None
    chapter: str | None


# ---------------------------------------------------------------- turn records (admin store)


@dataclass(frozen=True)
class TurnRecord:
    """One answered (or refused) question as stored for the dashboard, log and unanswered queue.

    `question` must already be masked; the store masks it again. `timings` maps stage → seconds,
    e.g. {"asr_s": 0.8, "retrieve_s": 0.1, "first_token_s": 1.2, "tts_first_audio_s": 0.4, "total_s": 3.0}.
    `created_at` is Unix time in seconds.
    """

    turn_id: str
    session_id: str
    question: str
    answer: str
    mode: AnswerMode
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)
    unanswered: tuple[str, ...] = ()  # parts of the question the answer said it had no rule for (masked like it)


# ---------------------------------------------------------------- engine health (start-up report, panel)


class EngineStatus(str, enum.Enum):
    READY = "ready"
    NOT_LOADED = "not-loaded"
    ERROR = "error"
    OFF = "off"  # deliberately absent (no store in a test, the panel not mounted)


@dataclass(frozen=True)
class EngineHealth:
    """One engine of a running process: what it is, where it runs, and why it failed last if it did."""

    engine: str  # kb | answerer | transcriber | synthesizer | store
    status: EngineStatus
    model: str | None = None
    device: str | None = None
    last_error: str | None = None
    preparing: str | None = None  # work it does in the background meanwhile (kb: "statements 1200/2837")
