"""The engines one kiosk (or panel) process uses, built lazily from config and kept for the life of the process.

Tests inject fakes through the constructor; anything not injected is built on first use. What another process may
change while this one runs is followed here: the panel's runtime settings (the engines they configure are rebuilt)
and the knowledge base's document titles (the recogniser's vocabulary), each checked at most every
kb.refresh_interval_s. Every turn of a pipeline built here is recorded through one observer (kiosk/recording.py).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from core.config import KioskConfig
from core.errors import KioskError
from core.freshness import Snapshot, VersionGate
from core.models import EngineHealth, EngineStatus, TurnRecord
from core.protocols import Answerer, HasFixedReplies, KeepsClips, Synthesizer, Transcriber, VocabularyTranscriber
from core.sentences import spoken_pieces
from kiosk.pipeline import FallbackTexts, TurnPipeline
from kiosk.recording import TurnRecorder

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase
    from knowledge_base.ingest import IngestProgress
    from panel.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
RuntimeSettings = dict[str, object]


class Default(enum.Enum):
    """`store=Default.OPEN`: open the configured store on first use (`store=None`: run without one)."""

    OPEN = "open"


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, KioskError) else f"{type(exc).__name__}: {exc}"


class Lazy(Generic[T]):
    """One engine: injected, or built on first use and kept; remembers why its last build failed."""

    def __init__(self, build: Callable[[], T], injected: T | None = None) -> None:
        self._build = build
        self._value = injected
        self.injected = injected is not None
        self.error: str | None = None
        self._lock = threading.RLock()

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                try:
                    self._value = self._build()
                    self.error = None
                except Exception as exc:
                    self.error = _reason(exc)
                    raise
            return self._value

    def peek(self) -> T | None:
        """The engine if it was built or injected, without building it."""
        return self._value

    def reset(self) -> None:
        """Build again on next use (injected engines stay)."""
        with self._lock:
            if not self.injected:
                self._value = None


class Services:
    def __init__(
        self,
        config: KioskConfig,
        *,
        kb: KnowledgeBase | None = None,
        answerer: Answerer | None = None,
        transcriber: Transcriber | None = None,
        synthesizer: Synthesizer | None = None,
        elderly_synthesizer: Synthesizer | None = None,
        store: Store | None | Literal[Default.OPEN] = Default.OPEN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._engine_config = config  # config with the admin's runtime settings, as the engines were built
        self._lock = threading.RLock()
        self._kb = Lazy(self._build_kb, kb)
        self._answerer: Lazy[Answerer] = Lazy(self._build_answerer, answerer)
        self._transcriber: Lazy[Transcriber] = Lazy(self._build_transcriber, transcriber)
        self._synthesizer: Lazy[Synthesizer] = Lazy(lambda: self._build_synthesizer(None), synthesizer)
        self._elderly_synthesizer: Lazy[Synthesizer] = Lazy(
            lambda: self._build_synthesizer(self._engine_config.tts.elderly_speed), elderly_synthesizer
        )
        self._store_wanted = store is not None
        self._store_failed = False
        self._store: Lazy[Store] = Lazy(self._open_store, None if isinstance(store, Default) else store)
        self._pipelines: dict[str, TurnPipeline] = {}
        self._fingerprints = _fingerprints(config)
        self._vocabulary_version: int | None = None
        interval_s = config.kb.refresh_interval_s
        gate = VersionGate(self._read_settings, interval_s, clock)
        self._settings = Snapshot(gate, self._apply_settings, "runtime settings", clock)
        self.recorder = TurnRecorder(self.record_turn)
        self.speech_prepared = threading.Event()  # set once warm_up's first clips are synthesised (or failed)
        self._kb_preparing: str | None = None  # the background step of _prepare_kb in progress: "statements 640/2837"
        self._preparing = threading.Lock()
        self._speech_version: int | None = None  # the knowledge-base version whose FAQ clips were prepared

    # ------------------------------------------------------------ engines

    @property
    def kb(self) -> KnowledgeBase:
        return self._kb.get()

    @property
    def answerer(self) -> Answerer:
        return self._answerer.get()

    @property
    def transcriber(self) -> Transcriber:
        return self._transcriber.get()

    @property
    def synthesizer(self) -> Synthesizer:
        return self._synthesizer.get()

    @property
    def elderly_synthesizer(self) -> Synthesizer:
        """The same voice, slower (config.tts.elderly_speed)."""
        return self._elderly_synthesizer.get()

    @property
    def store(self) -> Store | None:
        """The admin store (turn log, feedback, runtime settings), or None when there is none or it cannot open."""
        if not self._store_wanted or self._store_failed:
            return None
        try:
            return self._store.get()
        except Exception as exc:  # the kiosk must answer citizens even without its log; tried once
            log.warning("store unavailable: %s", exc)
            self._store_failed = True
            return None

    def _build_kb(self) -> KnowledgeBase:
        from knowledge_base import open_knowledge_base

        return open_knowledge_base(self._engine_config)

    def _build_answerer(self) -> Answerer:
        from answering import build_answerer

        return build_answerer(self._engine_config, self.kb)

    def _build_transcriber(self) -> Transcriber:
        from speech import build_transcriber

        return build_transcriber(self._engine_config, self._vocabulary())

    def _build_synthesizer(self, speed: float | None) -> Synthesizer:
        from speech import build_synthesizer

        return build_synthesizer(self._engine_config, speed=speed) if speed else build_synthesizer(self._engine_config)

    def _open_store(self) -> Store:
        from panel.store import Store

        return Store.open(self.config)

    def _vocabulary(self) -> list[str]:
        """Terms from the titles in force, for the recogniser; none when the knowledge base cannot say (ASR still works)."""
        from speech.vocabulary import terms_from_titles

        try:
            kb = self.kb
            version = kb.current_version()
            terms = terms_from_titles(kb.active_titles())
        except Exception as exc:
            log.warning("no document titles for the speech vocabulary: %s", exc)
            return []
        self._vocabulary_version = version
        return terms

    def _optional(self, engine: Lazy[T], name: str) -> T | None:
        """The engine, or None when it cannot be built (the pipeline then degrades around it)."""
        try:
            return engine.get()
        except Exception as exc:
            log.warning("%s unavailable: %s", name, exc)
            return None

    # ------------------------------------------------------------ composition

    def pipeline(self, elderly: bool = False) -> TurnPipeline:
        """The kiosk's turn pipeline, rebuilt when the admin changed answering, LLM or voice settings; the
        recogniser's vocabulary follows the knowledge base."""
        self._follow_runtime_settings()
        self._follow_knowledge_base()
        key = "elderly" if elderly else "normal"
        with self._lock:
            if key not in self._pipelines:
                synthesizer = self._optional(self._elderly_synthesizer if elderly else self._synthesizer, "synthesizer")
                transcriber = self._optional(self._transcriber, "transcriber")
                self._pipelines[key] = self._compose(transcriber, synthesizer)
                if elderly:  # the slower voice, built at the first elderly turn, has none of the prepared clips yet
                    self._speech_version = None
            pipeline = self._pipelines[key]
        self._follow_faq_speech()
        return pipeline

    def text_pipeline(self) -> TurnPipeline:
        """Typed questions in, text answers out (no recogniser, no voice): `kiosk ask` and benchmarks."""
        self._follow_runtime_settings()
        with self._lock:
            if "text" not in self._pipelines:
                self._pipelines["text"] = self._compose(None, None)
            return self._pipelines["text"]

    def _compose(self, transcriber: Transcriber | None, synthesizer: Synthesizer | None) -> TurnPipeline:
        fallback = FallbackTexts.from_config(self._engine_config.answering)
        return TurnPipeline(transcriber, self.answerer, synthesizer, fallback, observers=[self.recorder])

    def _follow_runtime_settings(self) -> None:
        effective = self.effective_config()
        if effective is self._engine_config:
            return
        engines = {"answerer": self._answerer, "voice": self._synthesizer}
        with self._lock:
            self._engine_config = effective
            fingerprints = _fingerprints(effective)
            changed = [name for name in engines if fingerprints[name] != self._fingerprints[name]]
            self._fingerprints = fingerprints
            for name in changed:
                engines[name].reset()
                if name == "voice":
                    self._elderly_synthesizer.reset()
                    self._speech_version = None  # a new voice has none of the prepared clips
            if changed:
                log.info("runtime settings changed: rebuilding %s", ", ".join(changed))
            self._pipelines.clear()  # fallback texts come from the answering settings too

    def _follow_knowledge_base(self) -> None:
        """Give the recogniser the titles in force once the knowledge base's version moved (from any process)."""
        transcriber, kb = self._transcriber.peek(), self._kb.peek()
        if kb is None or not isinstance(transcriber, VocabularyTranscriber):
            return
        try:
            if kb.current_version() == self._vocabulary_version:
                return
        except Exception as exc:
            log.warning("knowledge-base version unreadable, vocabulary kept: %s", exc)
            return
        transcriber.set_vocabulary(self._vocabulary())

    def warm_up(self) -> None:
        """Build every engine now so the first citizen does not wait for model loading, then synthesise the first
        clip of every FAQ answer and fixed reply in the background (`speech_prepared` is set when done)."""
        self._follow_runtime_settings()
        for engine, name in ((self._kb, "kb"), (self._answerer, "answerer"), (self._transcriber, "transcriber"),
                             (self._synthesizer, "synthesizer")):  # fmt: skip
            self._optional(engine, name)
        warm_kb = getattr(self._kb.peek(), "warm_up", None)
        if callable(warm_kb):
            try:
                warm_kb()
            except Exception as exc:  # the first question then pays for it, and says what failed
                log.warning("knowledge base not warmed up: %s", exc)
        threading.Thread(target=self._prepare_speech, name="prepare-speech", daemon=True).start()
        if callable(getattr(self._kb.peek(), "prepare_paragraphs", None)):
            threading.Thread(target=self._prepare_kb, name="prepare-kb", daemon=True).start()

    def _prepare_kb(self) -> None:
        """Paragraph and statement vectors a knowledge base from before they were used lacks, and the terms newer
        versions renamed; meanwhile a turn computes what it needs itself (slower, the same answer)."""
        kb = self._kb.peek()

        def progress(step: IngestProgress) -> None:  # shown by /health and the panel while it lasts
            self._kb_preparing = f"{step.file} {step.chunks_done}/{step.chunks_total}"

        try:
            kb.prepare_paragraphs(progress=progress)
        except Exception as exc:  # noqa: BLE001 - searches embed what they need
            log.warning("paragraph vectors not prepared: %s", exc)
        try:
            kb.prepare_statements(progress=progress)
        except Exception as exc:  # noqa: BLE001 - answers embed the statements they weigh
            log.warning("statement vectors not prepared: %s", exc)
        finally:
            self._kb_preparing = None
        try:
            renames = kb.renames()
            log.info("renamed terms between document versions: %d", len(renames))
        except Exception as exc:  # noqa: BLE001 - the first turn compares the versions itself
            log.warning("document versions not compared: %s", exc)

    def _follow_faq_speech(self) -> None:
        """After warm-up, a knowledge-base change (a clerk's new FAQ entry) prepares the new first clips too."""
        kb = self._kb.peek()
        if kb is None or not self.speech_prepared.is_set() or self._preparing.locked():
            return
        try:
            if kb.current_version() == self._speech_version:
                return
        except Exception:
            return  # the vocabulary check above already says why
        threading.Thread(target=self._prepare_speech, name="prepare-speech", daemon=True).start()

    def _prepare_speech(self) -> None:
        if not self._preparing.acquire(blocking=False):
            return
        elderly = self._elderly_synthesizer.peek() if "elderly" in self._pipelines else None  # once a citizen used it
        voices = [v for v in (self._synthesizer.peek(), elderly) if v is not None]
        kb, answerer = self._kb.peek(), self._answerer.peek()
        try:
            self._speech_version = kb.current_version() if kb is not None else None
        except Exception:
            self._speech_version = None
        try:
            if not voices:
                return
            texts = answerer.fixed_replies() if isinstance(answerer, HasFixedReplies) else []
            texts += [entry.answer for entry in kb.list_faq()] if kb is not None else []
            firsts = list(dict.fromkeys(pieces[0] for text in texts if (pieces := spoken_pieces(text))))
            started = time.monotonic()
            for voice in voices:
                asyncio.run(_synthesize_all(voice, firsts))
            log.info("first clips of %d FAQ answers and fixed replies ready in %.1f s", len(firsts), time.monotonic() - started)
        except Exception as exc:  # a voice or store problem shows in health; preparing is only a head start
            log.warning("could not prepare FAQ and reply speech: %s", exc)
        finally:
            self._preparing.release()
            self.speech_prepared.set()

    def effective_config(self) -> KioskConfig:
        """The config with the admin panel's runtime settings applied (greeting, hot topics, …), as last checked."""
        try:
            return self._settings.get()
        except Exception as exc:
            log.warning("runtime settings unavailable: %s", exc)
            return self.config

    def _read_settings(self) -> RuntimeSettings:
        store = self.store
        return {} if store is None else dict(store.runtime_settings())

    def _apply_settings(self, settings: RuntimeSettings) -> KioskConfig:
        from panel.store.settings import apply_settings

        return apply_settings(self.config, settings) if settings else self.config

    # ------------------------------------------------------------ records

    def record_turn(self, record: TurnRecord) -> None:
        store = self.store
        if store is not None:
            try:
                store.record_turn(record)
            except Exception as exc:
                log.warning("turn not recorded: %s", exc)

    def record_feedback(self, turn_id: str, helpful: bool) -> None:
        store = self.store
        if store is not None:
            try:
                store.record_feedback(turn_id, helpful)
            except Exception as exc:
                log.warning("feedback not recorded: %s", exc)

    # ------------------------------------------------------------ health

    def health(self) -> list[EngineHealth]:
        """One row per engine: what it is, where it runs, ready / not loaded / error / off."""
        slots: list[tuple[str, object, str | None]] = [
            ("kb", self._kb.peek(), self._kb.error),
            ("answerer", self._answerer.peek(), self._answerer.error),
            ("transcriber", self._transcriber.peek(), self._transcriber.error),
            ("synthesizer", self._synthesizer.peek(), self._synthesizer.error),
            ("store", self._store.peek(), self._store.error),
        ]
        rows = []
        for name, built, error in slots:
            if error is not None:
                status = EngineStatus.ERROR
            elif name == "store" and not self._store_wanted:
                status = EngineStatus.OFF
            else:
                status = EngineStatus.NOT_LOADED if built is None else EngineStatus.READY
            described = getattr(built, "chat_model", built)  # the answerer's model is its LLM's
            rows.append(EngineHealth(name, status, _describe(described, ("model_name", "name", "model")),
                                     _describe(described, ("device", "provider", "providers")), error,
                                     self._kb_preparing if name == "kb" else None))  # fmt: skip
        return rows


def _fingerprints(config: KioskConfig) -> dict[str, str]:
    """What each rebuildable engine was configured with: the answerer by answering + llm, the voices by tts."""
    return {"answerer": config.answering.model_dump_json() + config.llm.model_dump_json(), "voice": config.tts.model_dump_json()}


def _describe(engine: object, attributes: tuple[str, ...]) -> str | None:
    for attribute in attributes:
        value = getattr(engine, attribute, None)
        if value is not None and not callable(value):
            return str(value)
    return None


async def _synthesize_all(synthesizer: Synthesizer, texts: list[str]) -> None:
    if isinstance(synthesizer, KeepsClips):  # kept out of the clip cache's eviction
        await synthesizer.keep(texts)
        return
    for text in texts:
        await synthesizer.synthesize(text)
