"""Several kiosks on one PostgreSQL database: each sees the others' writes, migrations run once however many
processes start together, and the knowledge base's writer lock holds across connections."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.errors import KnowledgeBaseError
from core.models import DocumentInfo, DocumentStatus
from knowledge_base import open_knowledge_base
from knowledge_base.locks import AdvisoryWriterLock
from knowledge_base.registry import NewChunk, Registry
from panel.store import Store
from panel.store.database import Database
from panel.store.migrations import MIGRATIONS
from tests.conftest import make_config
from tests.fakes import HashEmbedder
from tests.unit.admin_fakes import admin_config
from tests.unit.test_admin_store import turn


def _store(tmp_path: Path, url: str) -> Store:
    config = admin_config(tmp_path)
    config.paths.database_url = url
    return Store.open(config)


def _doc(doc_id: str, title: str = "示例办法") -> DocumentInfo:
    return DocumentInfo(doc_id, f"{doc_id}.md", title, DocumentStatus.ACTIVE, 1, "2024-01-01", "1", None, "", "sha-" + doc_id)


def test_two_stores_see_each_others_writes(tmp_path: Path, postgres_url: str) -> None:
    kiosk, panel = _store(tmp_path / "a", postgres_url), _store(tmp_path / "b", postgres_url)
    kiosk.record_turn(turn("t1", refused=True))
    assert [t["turn_id"] for t in panel.turn_log.unanswered()] == ["t1"]
    panel.settings.update(admin_config(tmp_path), {"kiosk.greeting": "欢迎光临"}, actor="boss")
    assert kiosk.effective_config(admin_config(tmp_path)).kiosk.greeting == "欢迎光临"
    panel.accounts.create_user("boss", "correct horse 42", "admin")
    token = panel.accounts.create_session("boss", 600)
    assert kiosk.accounts.resolve_session(token, 600).username == "boss"  # type: ignore[union-attr]
    assert kiosk.session_secret() == panel.session_secret()
    kiosk.audit("boss", "faq-added", "faq-1")
    assert [e["action"] for e in panel.audit_log()] == ["faq-added"]
    assert not (tmp_path / "a" / "kiosk.sqlite").exists()


def test_migrations_started_at_once_apply_once(postgres_url: str) -> None:
    barrier = threading.Barrier(6)

    def start(i: int) -> int:
        barrier.wait()
        if i % 2:
            return Registry(postgres_url)._db.schema_version()
        db = Database(postgres_url)
        return db.migrate()

    with ThreadPoolExecutor(6) as pool:
        versions = list(pool.map(start, range(6)))
    assert versions == [len(MIGRATIONS), 1] * 3
    db = Database(postgres_url)
    assert db.query("SELECT version FROM schema_version ORDER BY version") == [
        {"version": v} for v in range(1, len(MIGRATIONS) + 1)
    ]
    assert db.query("SELECT version FROM kb.schema_version") == [{"version": 1}]  # the registry's own schema


def test_registries_share_documents_faq_leases_and_the_version(postgres_url: str) -> None:
    first, second = Registry(postgres_url), Registry(postgres_url)
    assert first.shared and second.version == first.version == 0
    first.commit_document(_doc("doc-a"), 1, [NewChunk("doc-a:g1:0", 0, "第一条 内容。", "第一条", None)])
    assert second.version == 1
    assert [d.doc_id for d in second.documents()] == ["doc-a"]
    assert [c.text for c in second.chunks("doc-a")] == ["第一条 内容。"]
    lease = second.open_lease(60)
    second.add_pending(lease, ["doc-b:g1:0"])
    committed, pending, dead = first.sweep_snapshot()
    assert committed == {"doc-a:g1:0"} and pending == {"doc-b:g1:0"} and dead == []
    first.drop_leases([lease])
    with pytest.raises(KnowledgeBaseError) as info:
        second.add_pending(lease, ["doc-b:g1:1"])
    assert info.value.code == "ingest-lease-lost"
    assert second.version == 1  # leases are bookkeeping, not content


def test_two_knowledge_bases_on_one_database_share_the_faq(tmp_path: Path, postgres_url: str) -> None:
    configs = [make_config(tmp_path / name) for name in ("hall-1", "hall-2")]
    for config in configs:
        config.paths.database_url = postgres_url
    one, two = (open_knowledge_base(c, embedder=HashEmbedder()) for c in configs)
    assert isinstance(one.writer_lock, AdvisoryWriterLock)
    assert not (tmp_path / "hall-1" / "kb" / "registry.sqlite").exists()
    entry = one.add_faq("大厅几点开门", "工作日上午9点至下午5点。")
    match = two.match_faq("大厅几点开门？")
    assert match is not None and match.entry.id == entry.id
    two.delete_faq(entry.id)
    assert one.list_faq() == [] and one.match_faq("大厅几点开门") is None


def test_advisory_writer_lock_excludes_and_times_out_with_kb_busy(postgres_url: str) -> None:
    lock = Registry(postgres_url).writer_lock(Path("/unused"))
    other = Registry(postgres_url).writer_lock(Path("/unused"))  # another kiosk's connection
    with lock.hold():
        started = time.monotonic()
        with pytest.raises(KnowledgeBaseError) as info:
            with other.hold(timeout_s=0.5):
                pytest.fail("a second writer got the lock")
        assert info.value.code == "kb-busy" and 0.4 < time.monotonic() - started < 5
        with pytest.raises(KnowledgeBaseError):
            with other.hold(timeout_s=0.2, shared=True):  # a reader waits for the writer too
                pass
    with other.hold(timeout_s=1):  # released: free again
        pass


def test_advisory_writer_lock_admits_readers_together_but_no_writer(postgres_url: str) -> None:
    locks = [Registry(postgres_url).writer_lock(Path("/unused")) for _ in range(3)]
    with locks[0].hold(shared=True), locks[1].hold(timeout_s=1, shared=True):
        with pytest.raises(KnowledgeBaseError) as info:
            with locks[2].hold(timeout_s=0.3):
                pass
        assert info.value.code == "kb-busy"
    got = threading.Event()

    def writer() -> None:
        with locks[2].hold(timeout_s=10):
            got.set()

    with locks[0].hold(shared=True):
        thread = threading.Thread(target=writer)
        thread.start()
        assert not got.wait(0.3)  # the writer waits while a reader holds the lock…
    thread.join(10)
    assert got.is_set()  # …and gets it once the reader lets go


def test_a_lock_holder_that_dies_releases_the_lock(postgres_url: str) -> None:
    holder = Database(postgres_url)
    waiter = Registry(postgres_url).writer_lock(Path("/unused"))
    lock_name = "kb-writer:kb"
    with holder.advisory_lock(lock_name, timeout_s=1) as held:
        assert held
        holder._engine.dispose()  # keeps checked-out connections; terminate them as a crash would
        Database(postgres_url).query(
            "SELECT pg_terminate_backend(pid) AS gone FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
        )
        with waiter.hold(timeout_s=5):
            pass


def test_a_migration_waits_for_the_migration_lock(postgres_url: str) -> None:
    db, other = Database(postgres_url), Database(postgres_url)
    done = threading.Event()

    def migrate() -> None:
        other.migrate()
        done.set()

    with db.advisory_lock("migrate:kiosk-store:public", timeout_s=1) as held:  # another process is migrating
        assert held
        thread = threading.Thread(target=migrate)
        thread.start()
        assert not done.wait(0.5)
    thread.join(30)
    assert done.is_set() and other.schema_version() == len(MIGRATIONS)
