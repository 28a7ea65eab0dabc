"""The engines one kiosk process uses, built lazily from config and kept for the life of the process.

Tests inject fakes through the constructor; anything not injected is built on first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from core.config import KioskConfig
from core.errors import KioskError
from core.models import TurnRecord
from kiosk.pipeline import Answerer, FallbackTexts, TurnPipeline
from core.protocols import Synthesizer, Transcriber

log = logging.getLogger(__name__)

_UNSET: Any = object()


class Services:
    def __init__(
        self,
        config: KioskConfig,
        *,
        kb: Any = _UNSET,
        answerer: Answerer | None = None,
        transcriber: Transcriber | None = None,
        synthesizer: Synthesizer | None = None,
        elderly_synthesizer: Synthesizer | None = None,
        store: Any = _UNSET,
    ) -> None:
        self.config = config
        self._engine_config = config  # config with the admin's runtime settings, as the engines were built
        self._fingerprints: dict[str, str] = {}
        self._built: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.RLock()
        injected = {
            "kb": kb,
            "answerer": answerer,
            "transcriber": transcriber,
            "synthesizer": synthesizer,
            "elderly_synthesizer": elderly_synthesizer,
            "store": store,
        }
        self._built.update({k: v for k, v in injected.items() if v is not None and v is not _UNSET})
        self._injected = set(self._built)
        if store is None:
            self._built["store"] = None  # explicitly no store (tests)

    # ------------------------------------------------------------ engines

    @property
    def kb(self) -> Any:
        def build() -> Any:
            from knowledge_base import open_knowledge_base

            return open_knowledge_base(self._engine_config)

        return self._get("kb", build)

    @property
    def answerer(self) -> Answerer:
        def build() -> Answerer:
            from answering import build_answerer

            return build_answerer(self._engine_config, self.kb)

        return self._get("answerer", build)

    @property
    def transcriber(self) -> Transcriber:
        def build() -> Transcriber:
            from speech import build_transcriber
            from speech.vocabulary import terms_from_titles

            return build_transcriber(self._engine_config, terms_from_titles(self._document_titles()))

        return self._get("transcriber", build)

    @property
    def synthesizer(self) -> Synthesizer:
        def build() -> Synthesizer:
            from speech import build_synthesizer

            return build_synthesizer(self._engine_config)

        return self._get("synthesizer", build)

    @property
    def elderly_synthesizer(self) -> Synthesizer:
        """The same voice, slower (config.tts.elderly_speed)."""

        def build() -> Synthesizer:
            from speech import build_synthesizer

            config = self._engine_config
            return build_synthesizer(config, speed=config.tts.elderly_speed)

        return self._get("elderly_synthesizer", build)

    @property
    def store(self) -> Any:
        """The admin store (turn log, feedback, runtime settings), or None when it cannot be opened."""
        if "store" not in self._built:
            try:
                from panel.store import Store

                self._built["store"] = Store.open(self.config)
            except Exception as exc:  # the kiosk must answer citizens even without its log
                log.warning("store unavailable: %s", exc)
                self._errors["store"] = str(exc)
                self._built["store"] = None
        return self._built["store"]

    def _get(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._built:
                try:
                    self._built[name] = build()
                    self._errors.pop(name, None)
                except Exception as exc:
                    self._errors[name] = exc.message if isinstance(exc, KioskError) else f"{type(exc).__name__}: {exc}"
                    raise
            return self._built[name]

    def _document_titles(self) -> list[str]:
        """Titles for the recogniser's vocabulary; none when the knowledge base cannot say (ASR still works)."""
        try:
            return [doc.title for doc in self.kb.list_documents()]
        except Exception as exc:
            log.warning("no document titles for the speech vocabulary: %s", exc)
            return []

    def _optional(self, name: str) -> Any:
        """The engine, or None when it cannot be built (the pipeline then degrades around it)."""
        try:
            return getattr(self, name)
        except Exception as exc:
            log.warning("%s unavailable: %s", name, exc)
            return None

    # ------------------------------------------------------------ composition

    def pipeline(self, elderly: bool = False) -> TurnPipeline:
        """The turn pipeline, rebuilt when the admin changed answering, LLM or voice settings since the last turn."""
        self._follow_runtime_settings()
        key = "pipeline-elderly" if elderly else "pipeline"
        with self._lock:
            if key not in self._built:
                synthesizer = self._optional("elderly_synthesizer" if elderly else "synthesizer")
                fallback = FallbackTexts.from_config(self._engine_config.answering)
                self._built[key] = TurnPipeline(self._optional("transcriber"), self.answerer, synthesizer, fallback)
            return self._built[key]

    def _follow_runtime_settings(self) -> None:
        effective = self.effective_config()
        groups = {("answerer",): ("answering", "llm"), ("synthesizer", "elderly_synthesizer"): ("tts",)}
        with self._lock:
            self._engine_config = effective
            for names, sections in groups.items():
                fingerprint = "|".join(getattr(effective, s).model_dump_json() for s in sections)
                previous = self._fingerprints.get(names[0])
                self._fingerprints[names[0]] = fingerprint
                if previous is None or previous == fingerprint:
                    continue
                log.info("runtime settings changed: rebuilding %s", ", ".join(names))
                for name in (*names, "pipeline", "pipeline-elderly"):
                    if name not in self._injected:
                        self._built.pop(name, None)

    def warm_up(self) -> None:
        """Build every engine now so the first citizen does not wait for model loading."""
        for name in ("kb", "answerer", "transcriber", "synthesizer"):
            self._optional(name)

    def effective_config(self) -> KioskConfig:
        """The config with the admin panel's runtime settings applied (greeting, hot topics, …)."""
        store = self.store
        if store is None:
            return self.config
        try:
            return store.effective_config(self.config)
        except Exception as exc:
            log.warning("runtime settings unavailable: %s", exc)
            return self.config

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

    def health(self) -> list[dict[str, Any]]:
        """One row per engine: engine, model, device/provider, status (ready|not-loaded|error), last_error."""
        rows = []
        for name in ("kb", "answerer", "transcriber", "synthesizer", "store"):
            engine = self._built.get(name)
            if name in self._errors:
                status = "error"
            elif engine is None:
                status = "not-loaded" if name != "store" or "store" not in self._built else "off"
            else:
                status = "ready"
            described = getattr(engine, "chat_model", engine)  # the answerer's model is its LLM's
            rows.append(
                {
                    "engine": name,
                    "model": _describe(described, ("model_name", "name", "model")),
                    "device": _describe(described, ("device", "provider", "providers")),
                    "status": status,
                    "last_error": self._errors.get(name),
                }
            )
        return rows


def _describe(engine: Any, attributes: tuple[str, ...]) -> str | None:
    for attribute in attributes:
        value = getattr(engine, attribute, None)
        if value is not None and not callable(value):
            return str(value)
    return None
