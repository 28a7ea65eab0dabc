"""The knowledge base under concurrency: opening it while another process ingests, and searching from threads
while another process changes it (fake embedder, real on-disk Chroma; the registry in SQLite, and for the lease
tests also in PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from core.models import IngestStatus
from knowledge_base import KnowledgeBase, open_knowledge_base
from tests.conftest import REPO, make_config
from tests.fakes import HashEmbedder

ARTICLES = "一二三四五六七八九十"


def _statute(n: int) -> str:
    body = "\n\n".join(f"第{a}条 第{n}号示例规定的第{a}条内容，涉及事项{n}-{i}的办理要求和所需材料。" for i, a in enumerate(ARTICLES))
    return f"# 示例规定{n}\n\n{body}\n"


def _docs(tmp_path: Path, count: int, folder: str = "docs", start: int = 0) -> list[Path]:
    paths = []
    for n in range(start, start + count):
        path = tmp_path / folder / f"规定{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_statute(n), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def registry_backend(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry in <kb>/registry.sqlite, or on PostgreSQL (subprocesses inherit the setting)."""
    if database_url.startswith("postgresql"):
        monkeypatch.setenv("KIOSK_PATHS__DATABASE_URL", database_url)
    return database_url


def _kb(tmp_path: Path) -> KnowledgeBase:
    return open_knowledge_base(make_config(tmp_path), embedder=HashEmbedder())


_SLOW_INGEST = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from tests.conftest import make_config
    from tests.fakes import HashEmbedder
    from knowledge_base import open_knowledge_base
    from knowledge_base.registry import Registry

    commit = Registry.commit_document
    def slow_commit(self, *args, **kwargs):  # widen the window between writing vectors and committing them
        time.sleep({delay})
        return commit(self, *args, **kwargs)

    Registry.commit_document = slow_commit
    kb = open_knowledge_base(make_config(Path({tmp!r})), embedder=HashEmbedder())
    for path in {paths!r}:
        [result] = kb.ingest([Path(path)])
        assert result.status.value in ("added", "replaced", "unchanged"), result
    for ref in {remove!r}:
        kb.remove(ref)
    print("done", flush=True)
    """
)


def _writer(tmp_path: Path, paths: list[Path], remove: list[str] = (), delay: float = 0.3) -> subprocess.Popen:
    script = _SLOW_INGEST.format(repo=str(REPO), tmp=str(tmp_path), paths=[str(p) for p in paths], remove=list(remove), delay=delay)
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_every_committed_chunk_has_its_vector(kb: KnowledgeBase) -> None:
    kb.vectors.reload()
    committed = {c.chunk_id for d in kb.list_documents() for c in kb.registry.chunks(d.doc_id)}
    stored = kb.vectors.existing(sorted(committed))
    missing = committed - stored
    assert not missing, f"{len(missing)} of {len(committed)} committed passages lost their vector"
    # The ANN index holds them too (a stale index written back by another process would drop them).
    found = {cid for cid, _ in kb.vectors.search(HashEmbedder().embed_query("办理要求和所需材料"), len(committed) + 10)}
    assert committed <= found, f"{len(committed - found)} committed passages missing from the vector index"


def test_opening_the_kb_while_another_process_ingests_sweeps_nothing_it_will_commit(
    tmp_path: Path, registry_backend: str
) -> None:
    _kb(tmp_path).close()
    docs = _docs(tmp_path, 6)
    proc = _writer(tmp_path, docs)
    opened = 0
    while proc.poll() is None:  # reopen (and so reconcile) in a tight loop while the ingest runs
        kb = _kb(tmp_path)
        kb.close()
        opened += 1
    out, err = proc.communicate()
    assert proc.returncode == 0 and "done" in out, err[-2000:]
    assert opened >= 2
    kb = _kb(tmp_path)
    assert len(kb.list_documents()) == 6
    _assert_every_committed_chunk_has_its_vector(kb)


def test_reingest_restores_a_document_whose_vectors_are_gone(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    [path] = _docs(tmp_path, 1)
    kb.ingest([path])
    doc = kb.list_documents()[0]
    kb.vectors.delete([c.chunk_id for c in kb.registry.chunks(doc.doc_id)][:4])
    [result] = kb.ingest([path])
    assert result.status == IngestStatus.REPLACED and "missing" in result.message
    _assert_every_committed_chunk_has_its_vector(kb)
    assert kb.ingest([path])[0].status == IngestStatus.UNCHANGED


def test_a_live_lease_keeps_pending_vectors_and_a_dead_one_does_not(tmp_path: Path, registry_backend: str) -> None:
    kb = _kb(tmp_path)
    lease = kb.registry.open_lease(60)
    kb.registry.add_pending(lease, ["doc-x:g1:0"])
    kb.vectors.add(["doc-x:g1:0", "doc-y:g1:0"], ["甲", "乙"], [{"doc_id": "doc-x"}, {"doc_id": "doc-y"}])
    assert kb.reconcile() == 1  # doc-y has no lease: swept; doc-x is pending under a live lease
    assert kb.vectors.existing(["doc-x:g1:0", "doc-y:g1:0"]) == {"doc-x:g1:0"}
    with kb.registry._transaction(bump_version=False) as db:  # the ingest's process died
        db.execute("UPDATE ingest_leases SET pid = 999999999")
    assert kb.reconcile() == 1
    assert kb.vectors.count() == 0


def test_searches_in_threads_never_fail_while_another_process_changes_the_kb(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    first = _docs(tmp_path, 3, "first")
    kb.ingest(first)
    failures: list[str] = []
    searches = 0
    stop = threading.Event()

    def ask() -> None:
        nonlocal searches
        while not stop.is_set():
            try:
                hits = kb.search("示例规定 办理要求 所需材料", k=3)
                assert hits, "no hits"
                searches += 1
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(2):
            proc = _writer(tmp_path, _docs(tmp_path, 3, "second", start=10), remove=["规定1.md"], delay=0.05)
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err[-2000:]
            time.sleep(0.5)
            kb.ingest(first)  # a change from this process too
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert searches > 20
    assert failures == [], failures[:5]
