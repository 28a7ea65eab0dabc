"""The admin store on SQLite and PostgreSQL: migrations, turns, feedback, runtime-settings overlay, retention
purge, accounts."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import KioskConfig
from core.errors import AdminError
from core.models import AnswerMode, Citation, TurnRecord
from panel.store import Store
from panel.store.database import Database
from panel.store.migrations import MIGRATIONS
from tests.unit.admin_fakes import admin_config


def store_config(tmp_path: Path, database_url: str) -> KioskConfig:
    config = admin_config(tmp_path)
    config.paths.database_url = database_url
    return config


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Store]:
    store = Store.open(store_config(tmp_path, database_url))
    yield store
    store.close()


def turn(turn_id: str, question: str = "居住证怎么办", refused: bool = False, age_days: float = 0.0, **kw: object) -> TurnRecord:
    return TurnRecord(
        turn_id=turn_id, session_id="s1", question=question, answer="带身份证。",
        mode=AnswerMode.REFUSAL if refused else AnswerMode.LLM, refused=refused,
        citations=(Citation("居住证暂行条例.md", "居住证暂行条例", "第九条"),),
        timings={"retrieve_s": 0.1, "total_s": 1.5}, created_at=time.time() - age_days * 86400, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_migrations_create_schema_once_and_reopen_keeps_data(tmp_path: Path, database_url: str) -> None:
    config = store_config(tmp_path, database_url)
    first = Store.open(config)
    assert first.db.schema_version() == len(MIGRATIONS)
    first.record_turn(turn("t1"))
    first.close()
    assert (tmp_path / "kiosk.sqlite").exists() == database_url.startswith("sqlite")
    again = Store.open(config)
    assert again.db.schema_version() == len(MIGRATIONS)
    assert again.db.migrate() == len(MIGRATIONS)  # nothing left to apply
    assert [t["turn_id"] for t in again.turn_log.turns()] == ["t1"]


def test_database_url_is_configurable_and_validated(tmp_path: Path) -> None:
    config = admin_config(tmp_path)
    config.paths.database_url = f"sqlite:///{tmp_path / 'elsewhere' / 'panel.db'}"
    Store.open(config).close()
    assert (tmp_path / "elsewhere" / "panel.db").exists()
    for url in ("mysql://kiosk:s3cret@db/kiosk", "kiosk.sqlite", "postgresql://kiosk:s3cret@db", "sqlite://x.db"):
        with pytest.raises(AdminError) as info:
            Database(url)
        assert info.value.code == "database-url", url
        assert "KIOSK_PATHS__DATABASE_URL" in info.value.message and "s3cret" not in str(info.value)


def test_unreachable_postgres_names_the_setting_and_hides_the_password() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(AdminError) as info:
        Database(f"postgresql://kiosk:s3cret-pw@127.0.0.1:{port}/kiosk")
    assert info.value.code == "database-unreachable"
    assert "paths.database_url" in info.value.message and f"127.0.0.1:{port}" in info.value.message
    assert "s3cret-pw" not in str(info.value)


def test_record_turn_masks_personal_data_and_keeps_fields(store: Store) -> None:
    store.record_turn(turn("t1", question="我的身份证110101199003071234丢了，电话13812345678"))
    (row,) = store.turn_log.turns()
    assert "110101199003071234" not in row["question"] and "13812345678" not in row["question"]
    assert row["question"].startswith("我的身份证110")
    assert row["citations"][0]["title"] == "居住证暂行条例"
    assert row["timings"] == {"retrieve_s": 0.1, "total_s": 1.5}
    assert row["mode"] == "llm" and row["refused"] is False and row["helpful"] is None


def test_feedback_attaches_to_turn_and_feeds_unanswered_queue(store: Store) -> None:
    store.record_turn(turn("good"))
    store.record_turn(turn("bad"))
    store.record_turn(turn("refused", refused=True))
    store.record_feedback("good", True)
    store.record_feedback("bad", False)
    helpful = {t["turn_id"]: t["helpful"] for t in store.turn_log.turns()}
    assert helpful == {"good": True, "bad": False, "refused": None}
    assert {t["turn_id"] for t in store.turn_log.unanswered()} == {"bad", "refused"}
    store.turn_log.mark_resolved(["bad"], "faq-1")
    assert {t["turn_id"] for t in store.turn_log.unanswered()} == {"refused"}
    with pytest.raises(AdminError):
        store.record_feedback("no-such-turn", True)
    store.record_feedback("bad", True)  # the citizen changed their mind: the last choice is what counts
    assert {t["turn_id"]: t["helpful"] for t in store.turn_log.turns()}["bad"] is True
    assert "bad" not in {t["turn_id"] for t in store.turn_log.unanswered()}


def test_a_turn_with_a_part_said_to_be_unanswered_reaches_the_queue(store: Store) -> None:
    store.record_turn(turn("part", question="残疾人就业有什么扶持 残疾证怎么办", unanswered=("残疾证怎么办",)))
    store.record_turn(turn("whole"))
    store.record_turn(turn("phone", unanswered=("打13812345678能问吗",)))
    queue = {t["turn_id"]: t for t in store.turn_log.unanswered()}
    assert set(queue) == {"part", "phone"} and queue["part"]["unanswered"] == ["残疾证怎么办"]
    assert "13812345678" not in queue["phone"]["unanswered"][0]  # masked like the question
    assert {t["turn_id"]: t["unanswered"] for t in store.turn_log.turns()}["whole"] == []
    store.turn_log.mark_resolved(["part"], "faq-2")
    assert "part" not in {t["turn_id"] for t in store.turn_log.unanswered()}


def test_a_store_made_before_unanswered_parts_is_upgraded_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = Database(url, migrations=MIGRATIONS[:1])
    old.migrate()
    old.execute(
        "INSERT INTO turns (turn_id, session_id, question, answer, mode, refused, citations, timings, created_at) "
        "VALUES ('t0', 's', '低保怎么申请', '……', 'refusal', 1, '[]', '{}', 1.0)"
    )
    old.close()
    config = admin_config(tmp_path)
    config.paths.database_url = url
    upgraded = Store.open(config)
    assert upgraded.db.schema_version() == len(MIGRATIONS)
    assert [(t["turn_id"], t["unanswered"]) for t in upgraded.turn_log.unanswered()] == [("t0", [])]
    upgraded.close()


def test_effective_config_applies_admin_overrides_without_touching_base(store: Store, tmp_path: Path) -> None:
    base = admin_config(tmp_path)
    changed = store.settings.update(
        base,
        {"kiosk.greeting": "欢迎光临", "kiosk.hot_topics": ["社保卡"], "tts.speed": 1.2,
         "answering.window_guidance": "3号窗口", "llm.backend": "openai", "llm.base_url": "http://10.0.0.2:8080/v1"},
        actor="boss",
    )  # fmt: skip
    assert set(changed) == {"kiosk.greeting", "kiosk.hot_topics", "tts.speed", "answering.window_guidance",
                            "llm.backend", "llm.base_url"}  # fmt: skip
    effective = store.effective_config(base)
    assert effective.kiosk.greeting == "欢迎光临" and effective.kiosk.hot_topics == ["社保卡"]
    assert effective.tts.speed == 1.2 and effective.llm.backend == "openai"
    assert effective.answering.window_guidance == "3号窗口"
    assert base.kiosk.greeting != "欢迎光临"  # the deployment config itself is unchanged
    assert store.runtime_settings()["kiosk.greeting"] == "欢迎光临"
    # Saving the same values again changes nothing.
    assert store.settings.update(base, {"kiosk.greeting": "欢迎光临"}, actor="boss") == {}


@pytest.mark.parametrize(
    "change",
    [{"tts.speed": 9.0}, {"llm.backend": "gpt"}, {"answering.refusal_template": "没有{subject}"}, {"paths.data_dir": "/"}],
)
def test_invalid_settings_are_rejected(store: Store, tmp_path: Path, change: dict[str, object]) -> None:
    with pytest.raises(AdminError) as info:
        store.settings.update(admin_config(tmp_path), change, actor="boss")
    assert info.value.code == "bad-setting"
    assert store.runtime_settings() == {}


def test_purge_old_removes_only_turns_past_retention(store: Store) -> None:
    store.record_turn(turn("old", age_days=40))
    store.record_feedback("old", False)
    store.record_turn(turn("new", age_days=1))
    assert store.purge_old(30) == 1
    assert [t["turn_id"] for t in store.turn_log.turns()] == ["new"]
    assert store.db.query_one("SELECT COUNT(*) AS n FROM feedback")["n"] == 0
    with pytest.raises(AdminError):
        store.purge_old(0)


def test_retention_days_follow_the_runtime_setting(store: Store, tmp_path: Path) -> None:
    assert store.retention_days() == 180
    store.settings.update(admin_config(tmp_path), {"admin.retention_days": 30}, actor="boss")
    assert store.retention_days() == 30


def test_audit_log_records_who_what_when(store: Store) -> None:
    before = time.time()
    store.audit("alice", "faq-added", "faq-1", "居住证")
    (entry,) = store.audit_log()
    assert entry["actor"] == "alice" and entry["action"] == "faq-added" and entry["target"] == "faq-1"
    assert entry["at"] >= before


def test_recording_turns_purges_expired_ones_once_a_day(store: Store) -> None:
    store.turn_log.record_turn(turn("ancient", age_days=400))  # written straight to the log, as by an older run
    store.record_turn(turn("today"))
    assert [t["turn_id"] for t in store.turn_log.turns()] == ["today"]  # 400 days > the default 180
    store.turn_log.record_turn(turn("ancient-2", age_days=400))
    store.record_turn(turn("later"))
    assert "ancient-2" in {t["turn_id"] for t in store.turn_log.turns()}  # not again within the same day
