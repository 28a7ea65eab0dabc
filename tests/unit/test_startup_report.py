"""`kiosk serve`'s start-up report and the quiet retry of an unreachable online voice."""

from __future__ import annotations

import logging

import pytest

from core.errors import TextToSpeechError
from core.models import EngineHealth, EngineStatus, SpeechAudio
from kiosk.commands.startup import KbSize, check_edge, startup_report
from speech.synthesis import CircuitBreaker, FallbackSynthesizer


class Voice:
    def __init__(self, name: str, works: bool) -> None:
        self.name, self.works, self.calls = name, works, 0

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        self.calls += 1
        if not self.works:
            raise TextToSpeechError("edge-unreachable", "no network")
        import numpy as np

        return SpeechAudio(np.zeros(160, np.float32), 16000, text, self.name)


def test_report_names_each_engine_model_device_and_the_kb_size() -> None:
    health = [
        EngineHealth("kb", EngineStatus.READY, model="multilingual-e5-small-q4", device="cpu"),
        EngineHealth("answerer", EngineStatus.READY, model="llama.cpp:qwen2.5-1.5b", device="CPU · 2 线程"),
        EngineHealth("synthesizer", EngineStatus.READY, model="edge+offline"),
    ]  # fmt: skip
    lines = startup_report(health, KbSize(documents=12, active=11, passages=345), "not reachable (edge-unreachable)", 300)
    text = "\n".join(lines)
    assert "LLM" in text and "llama.cpp:qwen2.5-1.5b on CPU · 2 线程" in text
    assert "11 documents in force (1 retired or superseded), 345 passages" in text
    assert "edge-tts: configured, not reachable" in text and "retried quietly every 300 s" in text
    assert "edge-tts: not configured" in "\n".join(startup_report(health, None, None, 300))


def test_edge_is_checked_once_at_start_and_then_retried_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    edge, offline = Voice("edge", works=False), Voice("offline", works=True)
    clock = [0.0]
    synthesizer = FallbackSynthesizer([(edge, CircuitBreaker(300, clock=lambda: clock[0])), (offline, None)])
    assert check_edge(synthesizer, timeout_s=1) == "not reachable (edge-unreachable)"
    caplog.set_level(logging.DEBUG)
    for minute in range(0, 30, 1):  # half an hour of citizens on an offline box
        clock[0] = minute * 60.0
        assert asyncio.run(synthesizer.synthesize("您好")).engine == "offline"
    assert edge.calls == 1 + 5  # the start-up check, then one quiet retry every 5 minutes (at 5, 10, … 25)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [], [r.getMessage() for r in warnings]
    assert check_edge(FallbackSynthesizer([(offline, None)]), timeout_s=1) is None  # not configured


def test_panel_report_names_accounts_security_and_the_shared_state() -> None:
    from core.config import KioskConfig
    from kiosk.commands.startup import panel_report

    config = KioskConfig()
    config.chroma.mode, config.chroma.host = "http", "10.0.0.5"
    config.paths.database_url = "postgresql://kiosk:s3cret@10.0.0.6/kiosk"
    config.admin.trusted_origins = ["https://hall.example"]
    health = [EngineHealth("kb", EngineStatus.READY, model="e5"), EngineHealth("transcriber", EngineStatus.NOT_LOADED),
              EngineHealth("store", EngineStatus.READY)]  # fmt: skip
    lines = panel_report(config, health, KbSize(3, 3, 40), [{"role": "staff", "disabled": False}])
    text = "\n".join(lines)
    assert "speech recognition" not in text  # the panel loads no speech engines
    assert "accounts: 0 admin, 1 staff; no one can open the admin pages yet: kiosk admin create-user" in text
    assert "Secure when the request came over HTTPS" in text and "trusted: https://hall.example" in text
    assert "Chroma server 10.0.0.5:8000" in text and "within 2 s" in text
    assert "s3cret" not in text and "postgresql://kiosk:***@10.0.0.6/kiosk" in text
    config.admin.cookie_secure = True
    admins = [{"role": "admin", "disabled": False}, {"role": "admin", "disabled": True}]
    text = "\n".join(panel_report(config, health, None, admins))
    assert "accounts: 1 admin, 0 staff" in text and "no one" not in text and "always Secure" in text
