from __future__ import annotations

import pytest

from core.config import KioskConfig
from core.models import PipelineEventType as E
from kiosk.pipeline import TurnRequest
from kiosk.services import Services
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer, FakeTranscriber


def test_injected_engines_are_used_and_reported_ready() -> None:
    answerer, synth = FakeAnswerer(), FakeSynthesizer()
    services = Services(KioskConfig(), kb=object(), answerer=answerer, transcriber=FakeTranscriber(), synthesizer=synth, store=None)
    assert services.answerer is answerer and services.synthesizer is synth
    rows = {row["engine"]: row for row in services.health()}
    assert set(rows) == {"kb", "answerer", "transcriber", "synthesizer", "store"}
    assert rows["answerer"]["status"] == "ready" and rows["store"]["status"] == "off"
    assert services.pipeline() is services.pipeline()  # built once per process


def test_health_names_the_answerers_llm_and_its_device(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from answering import Answerer
    from answering.llama_cpp_model import LlamaCppChatModel
    from answering.openai_model import OpenAICompatibleChatModel

    local = Answerer(object(), LlamaCppChatModel(tmp_path / "qwen2.5-1.5b" / "model.gguf", n_threads=2), KioskConfig())  # type: ignore[arg-type]
    row = next(r for r in Services(KioskConfig(), kb=object(), answerer=local, store=None).health() if r["engine"] == "answerer")
    assert row["model"] == "llama.cpp:qwen2.5-1.5b" and row["device"] == "CPU · 2 线程"
    remote = Answerer(object(), OpenAICompatibleChatModel("http://10.0.0.2:8000/v1", "qwen2.5-7b"), KioskConfig())  # type: ignore[arg-type]
    row = next(r for r in Services(KioskConfig(), kb=object(), answerer=remote, store=None).health() if r["engine"] == "answerer")
    assert row["model"] == "openai:qwen2.5-7b" and "10.0.0.2:8000" in row["device"]


async def test_a_voice_that_cannot_start_leaves_a_subtitles_only_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("no voice installed")

    monkeypatch.setattr(speech, "build_synthesizer", broken)
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(), store=None)
    events = [e async for e in services.pipeline().start(TurnRequest(text="问"))]
    assert [e.text for e in events if e.type is E.TTS_AUDIO] == ["您需要带本人身份证和照片。", "还要居住证明。"]
    row = next(r for r in services.health() if r["engine"] == "synthesizer")
    assert row["status"] == "error" and "no voice installed" in row["last_error"]


def test_no_store_means_turns_and_feedback_are_dropped_quietly() -> None:
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), store=None)
    services.record_feedback("t1", True)  # must not raise
    assert services.effective_config() is services.config


class FakeSettingsStore:
    def __init__(self) -> None:
        self.settings: dict[str, object] = {}

    def effective_config(self, base: KioskConfig) -> KioskConfig:
        from panel.store.settings import apply_settings

        return apply_settings(base, self.settings)


def test_admin_settings_change_rebuilds_the_voice_without_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech

    built: list[float] = []

    def build_synthesizer(config: KioskConfig, speed: float | None = None) -> FakeSynthesizer:
        built.append(speed or config.tts.speed)
        return FakeSynthesizer()

    monkeypatch.setattr(speech, "build_synthesizer", build_synthesizer)
    store = FakeSettingsStore()
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(), store=store)
    first = services.pipeline()
    assert services.pipeline() is first and built == [1.0]
    store.settings["tts.speed"] = 1.2
    second = services.pipeline()
    assert second is not first and built == [1.0, 1.2]
    assert second.answerer is first.answerer  # injected engines are never rebuilt
