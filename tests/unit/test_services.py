from __future__ import annotations

import asyncio
import inspect
import threading
import time
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from core.config import KioskConfig
from core.models import EngineStatus, FaqEntry, TurnRecord
from core.models import PipelineEventType as E
from core.sentences import spoken_pieces
from kiosk.pipeline import TurnRequest
from kiosk.services import Services
from knowledge_base.ingest import IngestProgress
from tests.unit.kiosk_fakes import FakeAnswerer, FakeSynthesizer, FakeTranscriber


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeStore:
    """The store as Services uses it: runtime settings in, turns and feedback out."""

    def __init__(self) -> None:
        self.settings: dict[str, object] = {}
        self.settings_reads = 0
        self.turns: list[TurnRecord] = []

    def runtime_settings(self) -> dict[str, object]:
        self.settings_reads += 1
        return dict(self.settings)

    def record_turn(self, turn: TurnRecord) -> str:
        self.turns.append(turn)
        return turn.turn_id

    def record_feedback(self, turn_id: str, helpful: bool) -> None:
        pass


class VocabularyTranscriber(FakeTranscriber):
    def __init__(self) -> None:
        super().__init__()
        self.vocabularies: list[list[str]] = []

    def set_vocabulary(self, domain_terms: Iterable[str]) -> None:
        self.vocabularies.append(list(domain_terms))


class VersionedKb:
    """What Services reads from the knowledge base: its (throttled) version and the titles in force."""

    def __init__(self) -> None:
        self.version = 1
        self.titles = ["居住证暂行条例"]

    def current_version(self) -> int:
        return self.version

    def active_titles(self) -> list[str]:
        return list(self.titles)


def config(interval_s: float = 0.0) -> KioskConfig:
    cfg = KioskConfig()
    cfg.kb.refresh_interval_s = interval_s
    return cfg


def test_injected_engines_are_used_and_reported_ready() -> None:
    answerer, synth = FakeAnswerer(), FakeSynthesizer()
    services = Services(KioskConfig(), kb=object(), answerer=answerer, transcriber=FakeTranscriber(), synthesizer=synth, store=None)  # type: ignore[arg-type]
    assert services.answerer is answerer and services.synthesizer is synth
    rows = {row.engine: row for row in services.health()}
    assert set(rows) == {"kb", "answerer", "transcriber", "synthesizer", "store"}
    assert rows["answerer"].status is EngineStatus.READY and rows["store"].status is EngineStatus.OFF
    assert services.pipeline() is services.pipeline()  # built once per process


def test_health_names_the_answerers_llm_and_its_device(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from answering import Answerer
    from answering.llama_cpp_model import LlamaCppChatModel
    from answering.openai_model import OpenAICompatibleChatModel

    local = Answerer(object(), LlamaCppChatModel(tmp_path / "qwen2.5-1.5b" / "model.gguf", n_threads=2), KioskConfig())  # type: ignore[arg-type]
    row = next(r for r in Services(KioskConfig(), answerer=local, store=None).health() if r.engine == "answerer")
    assert row.model == "llama.cpp:qwen2.5-1.5b" and row.device == "CPU · 2 线程"
    remote = Answerer(object(), OpenAICompatibleChatModel("http://10.0.0.2:8000/v1", "qwen2.5-7b"), KioskConfig())  # type: ignore[arg-type]
    row = next(r for r in Services(KioskConfig(), answerer=remote, store=None).health() if r.engine == "answerer")
    assert row.model == "openai:qwen2.5-7b" and row.device is not None and "10.0.0.2:8000" in row.device
    kb_row = next(r for r in Services(KioskConfig(), answerer=remote, store=None).health() if r.engine == "kb")
    assert kb_row.status is EngineStatus.NOT_LOADED  # reporting health builds nothing


async def test_a_voice_that_cannot_start_leaves_a_subtitles_only_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("no voice installed")

    monkeypatch.setattr(speech, "build_synthesizer", broken)
    services = Services(KioskConfig(), kb=object(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(), store=None)  # type: ignore[arg-type]
    events = [e async for e in services.pipeline().start(TurnRequest(text="问"))]
    assert [e.text for e in events if e.type is E.TTS_AUDIO] == ["您需要带本人身份证和照片。", "还要居住证明。"]
    row = next(r for r in services.health() if r.engine == "synthesizer")
    assert row.status is EngineStatus.ERROR and row.last_error is not None and "no voice installed" in row.last_error


def test_no_store_means_turns_and_feedback_are_dropped_quietly() -> None:
    services = Services(KioskConfig(), answerer=FakeAnswerer(), store=None)
    services.record_feedback("t1", True)  # must not raise
    assert services.effective_config() is services.config


def test_a_store_that_cannot_open_is_tried_once_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from panel.store import Store

    opened: list[int] = []

    def fail(_config: KioskConfig) -> Store:
        opened.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(Store, "open", staticmethod(fail))
    services = Services(config(), answerer=FakeAnswerer())
    assert services.store is None and services.store is None and opened == [1]
    assert services.effective_config() is services.config
    row = next(r for r in services.health() if r.engine == "store")
    assert row.status is EngineStatus.ERROR and "disk full" in (row.last_error or "")


def test_admin_settings_change_rebuilds_the_voice_without_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech

    built: list[float] = []

    def build_synthesizer(config: KioskConfig, speed: float | None = None) -> FakeSynthesizer:
        built.append(speed or config.tts.speed)
        return FakeSynthesizer()

    monkeypatch.setattr(speech, "build_synthesizer", build_synthesizer)
    store = FakeStore()
    services = Services(config(), kb=object(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(), store=store)  # type: ignore[arg-type]
    first = services.pipeline()
    assert services.pipeline() is first and built == [1.0]
    store.settings["tts.speed"] = 1.2
    second = services.pipeline()
    assert second is not first and built == [1.0, 1.2]
    assert second.answerer is first.answerer  # injected engines are never rebuilt
    store.settings["kiosk.greeting"] = "欢迎"
    assert services.effective_config().kiosk.greeting == "欢迎" and built == [1.0, 1.2]  # the voice is kept


def test_runtime_settings_are_read_at_most_once_per_refresh_interval() -> None:
    store, clock = FakeStore(), Clock()
    services = Services(config(interval_s=2.0), answerer=FakeAnswerer(), store=store, clock=clock)  # type: ignore[arg-type]
    for _ in range(5):
        services.pipeline()
        services.effective_config()
    assert store.settings_reads == 1
    store.settings["kiosk.greeting"] = "另一个大厅欢迎您"  # saved by the panel, in another process
    clock.now += 1.0
    assert services.effective_config().kiosk.greeting == KioskConfig().kiosk.greeting
    clock.now += 1.0
    assert services.effective_config().kiosk.greeting == "另一个大厅欢迎您" and store.settings_reads == 2


def test_the_recognisers_vocabulary_follows_the_knowledge_base() -> None:
    kb, transcriber = VersionedKb(), VocabularyTranscriber()
    services = Services(config(), kb=kb, answerer=FakeAnswerer(), transcriber=transcriber, store=None)  # type: ignore[arg-type]
    services.pipeline()
    assert transcriber.vocabularies == [["居住证"]]
    services.pipeline()
    assert len(transcriber.vocabularies) == 1  # same version: nothing redone
    kb.titles.append("住房公积金管理条例")
    kb.version = 2  # another process ingested a document
    services.pipeline()
    assert transcriber.vocabularies[-1] == ["居住证", "住房公积金管理"]


async def test_every_pipeline_records_its_turns_through_one_observer() -> None:
    store = FakeStore()
    services = Services(config(), kb=object(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                        synthesizer=FakeSynthesizer(), store=store)  # type: ignore[arg-type]  # fmt: skip
    [e async for e in services.pipeline().start(TurnRequest(text="我的身份证110101199003071234丢了", session_id="screen-2"))]
    [e async for e in services.text_pipeline().start(TurnRequest(text="办居住证要带什么", session_id="cli"))]
    assert [t.session_id for t in store.turns] == ["screen-2", "cli"]
    assert "110101199003071234" not in store.turns[0].question and store.turns[0].question.startswith("我的身份证110")
    assert services.recorder.turns_in_flight == 0


def test_the_public_surface_is_typed_without_any() -> None:
    from knowledge_base import KnowledgeBase
    from panel.store import Store

    names = {"KnowledgeBase": KnowledgeBase, "Store": Store}
    for name, member in inspect.getmembers(Services):
        if name.startswith("_") and name != "__init__":
            continue
        function = member.fget if isinstance(member, property) else member
        if not callable(function):
            continue
        hints = typing.get_type_hints(function, localns=names)
        assert hints or name == "__init__", name
        for hint in hints.values():
            assert "Any" not in repr(hint), (name, hint)
    assert typing.get_type_hints(Services.kb.fget, localns=names)["return"] is KnowledgeBase


class FaqKb(VersionedKb):
    def __init__(self) -> None:
        super().__init__()
        self.faq = [FaqEntry("f1", "大厅几点上班", "工作日上午九点到下午五点，周六上午九点到十二点，法定节假日休息。")]

    def list_faq(self) -> list[FaqEntry]:
        return list(self.faq)


def test_warm_up_prepares_the_first_clip_of_faq_answers_and_fixed_replies(tmp_path: Path) -> None:
    from answering import Answerer
    from tests.unit.answering_fakes import FakeKnowledgeBase, ScriptedChatModel

    config = KioskConfig()
    referrals = tmp_path / "referrals.yaml"
    referrals.write_text("- topic: 机动车和驾驶证\n  where: 车管所\n  terms: [驾照]\n", encoding="utf-8")
    config.answering.referrals_file = referrals
    voice = FakeSynthesizer()
    answerer = Answerer(FakeKnowledgeBase([]), ScriptedChatModel([]), config)
    services = Services(config, kb=FaqKb(), answerer=answerer, transcriber=FakeTranscriber(), synthesizer=voice, store=None)  # type: ignore[arg-type]
    services.warm_up()
    assert services.speech_prepared.wait(10)
    faq_first = spoken_pieces("工作日上午九点到下午五点，周六上午九点到十二点，法定节假日休息。")[0]
    assert faq_first != "工作日上午九点到下午五点，周六上午九点到十二点，法定节假日休息。"  # only the short first clip
    referral = config.answering.referral_reply.format(topic="机动车和驾驶证", where="车管所")
    assert faq_first in voice.spoken and spoken_pieces(referral)[0] in voice.spoken
    assert spoken_pieces(answerer.wording.scope())[0] in voice.spoken
    no_amount = answerer.wording.missing_figure("金额") + answerer.wording.guidance()  # said as the quote style says it
    assert spoken_pieces(no_amount)[0] in voice.spoken
    assert "抱歉，知识库里没有找到相关规定。" in voice.spoken  # every gate refusal opens with it
    assert len(voice.spoken) == len(set(voice.spoken))  # each text once


def test_the_elderly_voice_gets_the_prepared_clips_once_a_citizen_uses_it() -> None:
    from answering import Answerer
    from tests.unit.answering_fakes import FakeKnowledgeBase, ScriptedChatModel

    config = KioskConfig()
    voice, slow_voice = FakeSynthesizer(), FakeSynthesizer()
    answerer = Answerer(FakeKnowledgeBase([]), ScriptedChatModel([]), config)
    services = Services(config, kb=FaqKb(), answerer=answerer, transcriber=FakeTranscriber(), synthesizer=voice,  # type: ignore[arg-type]
                        elderly_synthesizer=slow_voice, store=None)  # fmt: skip
    services.warm_up()
    assert services.speech_prepared.wait(10)
    scope_first = spoken_pieces(answerer.wording.scope())[0]
    assert scope_first in voice.spoken and slow_voice.spoken == []  # not built for a mode nobody used yet
    services.pipeline(elderly=True)
    deadline = time.monotonic() + 10
    while scope_first not in slow_voice.spoken and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scope_first in slow_voice.spoken


def test_a_failing_voice_does_not_stop_warm_up() -> None:
    services = Services(KioskConfig(), kb=FaqKb(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                        synthesizer=FakeSynthesizer(fail=True), store=None)  # fmt: skip
    services.warm_up()
    assert services.speech_prepared.wait(10)


def test_a_faq_entry_added_after_warm_up_is_prepared_after_the_next_change() -> None:
    voice, kb = FakeSynthesizer(), FaqKb()
    services = Services(KioskConfig(), kb=kb, answerer=FakeAnswerer(), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                        synthesizer=voice, store=None)  # fmt: skip
    services.warm_up()
    assert services.speech_prepared.wait(10)
    kb.faq.append(FaqEntry("f2", "护照怎么办", "请携带本人居民身份证，到户籍所在地出入境窗口申请。"))
    kb.version += 1
    services.pipeline()  # a turn starts: the knowledge base moved, so the new entry's first clip is prepared
    wanted = spoken_pieces("请携带本人居民身份证，到户籍所在地出入境窗口申请。")[0]
    deadline = time.monotonic() + 10
    while wanted not in voice.spoken and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wanted in voice.spoken


async def test_screens_keep_answering_while_the_panel_changes_the_referral_list() -> None:
    from tests.unit.answering_fakes import ID_CARD_5, FakeKnowledgeBase

    store, cfg = FakeStore(), config()
    cfg.llm.backend = "openai"  # never called: the quote style answers without a model
    services = Services(cfg, kb=FakeKnowledgeBase([ID_CARD_5]), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                        synthesizer=FakeSynthesizer(), store=store)  # fmt: skip
    talent = "- topic: 人才补贴\n  where: 区人才服务中心\n  terms: [安家补贴]\n"

    async def screen(n: int) -> list[str]:
        said = []
        for i in range(5):
            turn = services.pipeline().start(TurnRequest(text="博士来这边工作 安家补贴能给多少", session_id=f"screen-{n}"))
            events = [e async for e in turn]
            assert not [e for e in events if e.type is E.ERROR], [e.error for e in events if e.type is E.ERROR]
            answers = [e.answer for e in events if e.type is E.ANSWER_END]
            assert len(answers) == 1 and answers[0] is not None
            said.append(answers[0].spoken)
            if n == 0 and i == 1:
                store.settings["answering.referrals_yaml"] = talent  # a clerk saves a new list mid-session
            await asyncio.sleep(0)
        return said

    screens = await asyncio.gather(*(screen(n) for n in range(8)))
    assert all("区人才服务中心" not in said[0] for said in screens)  # before the change: not a referral topic
    assert all("区人才服务中心" in said[-1] for said in screens)  # after it, every screen refers
    assert len(store.turns) == 40


def test_warm_up_warms_the_knowledge_base_and_survives_its_failure() -> None:
    class WarmingKb(FaqKb):
        warmed = 0

        def warm_up(self) -> float:
            WarmingKb.warmed += 1
            if WarmingKb.warmed > 1:
                raise RuntimeError("vector store gone")
            return 0.0

    for _ in range(2):  # the second time warming fails: warm-up carries on to the voice
        services = Services(KioskConfig(), kb=WarmingKb(), answerer=FakeAnswerer(), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                            synthesizer=FakeSynthesizer(), store=None)  # fmt: skip
        services.warm_up()
        assert services.speech_prepared.wait(10)
    assert WarmingKb.warmed == 2


class PreparingKb(FaqKb):
    """A knowledge base whose statements' vectors take a while after the start, reporting progress."""

    def __init__(self) -> None:
        super().__init__()
        self.halfway, self.finish = threading.Event(), threading.Event()

    def prepare_paragraphs(self, progress: Callable[[IngestProgress], None] | None = None) -> int:
        return 0

    def prepare_statements(self, progress: Callable[[IngestProgress], None] | None = None) -> int:
        assert progress is not None
        progress(IngestProgress("statements", 0, 1, 640, 2837))
        self.halfway.set()
        self.finish.wait(10)
        progress(IngestProgress("statements", 0, 1, 2837, 2837))
        return 2837

    def renames(self) -> list[object]:
        return []


def test_the_health_report_and_the_panel_show_what_the_knowledge_base_prepares_in_the_background() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kiosk.health import health_router
    from panel import dashboard

    kb = PreparingKb()
    services = Services(KioskConfig(), kb=kb, answerer=FakeAnswerer(), transcriber=FakeTranscriber(),  # type: ignore[arg-type]
                        synthesizer=FakeSynthesizer(), store=None)  # fmt: skip
    app = FastAPI()
    app.include_router(health_router(services, "kiosk"))
    services.warm_up()
    assert kb.halfway.wait(10)
    body = TestClient(app).get("/health").json()
    assert body["status"] == "ok" and body["preparing"] == {"kb": "statements 640/2837"}
    status = dashboard.health_table(services.health())["状态"].tolist()
    assert "正常（后台准备条文句子向量 640/2837，回答稍慢）" in status
    kb.finish.set()
    deadline = time.monotonic() + 10
    while "preparing" in TestClient(app).get("/health").json() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "preparing" not in TestClient(app).get("/health").json()
    assert all("后台" not in s for s in dashboard.health_table(services.health())["状态"])
