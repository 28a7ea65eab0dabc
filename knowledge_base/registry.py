"""The knowledge base's authoritative record: documents, their committed chunks, and FAQ entries (SQLite).

Vectors live in Chroma, but a chunk counts only once its document's generation is committed here in one
transaction. A crash between writing vectors and committing leaves the old generation in force; the orphan
vectors are swept on the next open (see KnowledgeBase.reconcile).

An ingest first takes a lease (host, pid, expiry) and records the chunk ids it is about to write as pending under
it; the commit turns them into chunks in the same transaction. The sweep spares pending ids of a live lease, so
opening the knowledge base never deletes vectors that a running ingest (another process or thread) will commit.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core.errors import KnowledgeBaseError
from core.models import ChunkInfo, DocumentInfo, DocumentStatus, FaqEntry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_date TEXT,
    version TEXT NOT NULL,
    department TEXT,
    sha256 TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    superseded_by TEXT,
    generation INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_title ON documents(title);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    article TEXT,
    chapter TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS faq (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ingest_leases (
    lease_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_vectors (
    chunk_id TEXT PRIMARY KEY,
    lease_id TEXT NOT NULL REFERENCES ingest_leases(lease_id) ON DELETE CASCADE
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('version', '0');
"""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class NewChunk:
    chunk_id: str
    index: int
    text: str
    article: str | None
    chapter: str | None


class Registry:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError("registry-corrupt", f"knowledge-base registry {path} is unreadable: {exc}") from None
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self, bump_version: bool = True) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                if bump_version:
                    self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, params)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row)) for row in cur.fetchall()]  # type: ignore[misc]

    # ------------------------------------------------------------ reads

    @property
    def version(self) -> int:
        return int(self._rows("SELECT value FROM meta WHERE key = 'version'")[0]["value"])

    @staticmethod
    def _doc(row: dict) -> DocumentInfo:
        return DocumentInfo(
            doc_id=row["doc_id"],
            source=row["source"],
            title=row["title"],
            status=DocumentStatus(row["status"]),
            chunks=row["chunk_count"],
            effective_date=row["effective_date"],
            version=row["version"],
            department=row["department"],
            ingested_at=row["ingested_at"],
            sha256=row["sha256"],
            superseded_by=row["superseded_by"],
        )

    def documents(self) -> list[DocumentInfo]:
        return [self._doc(r) for r in self._rows("SELECT * FROM documents ORDER BY title, effective_date")]

    def document(self, doc_id: str) -> DocumentInfo | None:
        rows = self._rows("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return self._doc(rows[0]) if rows else None

    def find_documents(self, ref: str) -> list[DocumentInfo]:
        rows = self._rows("SELECT * FROM documents WHERE doc_id = ? OR source = ? OR title = ?", (ref, ref, ref))
        return [self._doc(r) for r in rows]

    def by_sha(self, sha256: str) -> list[DocumentInfo]:
        return [self._doc(r) for r in self._rows("SELECT * FROM documents WHERE sha256 = ?", (sha256,))]

    def by_title(self, title: str) -> list[DocumentInfo]:
        return [self._doc(r) for r in self._rows("SELECT * FROM documents WHERE title = ?", (title,))]

    def generation(self, doc_id: str) -> int:
        rows = self._rows("SELECT generation FROM documents WHERE doc_id = ?", (doc_id,))
        return int(rows[0]["generation"]) if rows else 0

    def chunks(self, doc_id: str) -> list[ChunkInfo]:
        rows = self._rows("SELECT * FROM chunks WHERE doc_id = ? ORDER BY idx", (doc_id,))
        return [ChunkInfo(r["chunk_id"], r["doc_id"], r["idx"], r["text"], r["article"], r["chapter"]) for r in rows]

    def active_chunks(self) -> list[dict]:
        """Every chunk of an active document, with the document fields a Hit needs."""
        return self._rows(
            "SELECT c.chunk_id, c.text, c.article, c.chapter, d.doc_id, d.source, d.title, d.effective_date "
            "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status = 'active' ORDER BY d.doc_id, c.idx"
        )

    def all_chunk_ids(self) -> set[str]:
        return {r["chunk_id"] for r in self._rows("SELECT chunk_id FROM chunks")}

    # ------------------------------------------------------------ writes

    # ------------------------------------------------------------ ingest leases

    def open_lease(self, ttl_s: float) -> str:
        """Start an ingest: its pending vectors are spared by the sweep while the lease is live."""
        lease_id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{time.time_ns()}"
        with self._transaction(bump_version=False) as db:
            db.execute(
                "INSERT INTO ingest_leases (lease_id, host, pid, expires_at) VALUES (?,?,?,?)",
                (lease_id, socket.gethostname(), os.getpid(), time.time() + ttl_s),
            )
        return lease_id

    def renew_lease(self, lease_id: str, ttl_s: float) -> bool:
        with self._transaction(bump_version=False) as db:
            cur = db.execute("UPDATE ingest_leases SET expires_at = ? WHERE lease_id = ?", (time.time() + ttl_s, lease_id))
            return cur.rowcount > 0

    def add_pending(self, lease_id: str, chunk_ids: Sequence[str]) -> None:
        """Record vectors about to be written; raises when the lease was reaped (the ingest stalled too long)."""
        with self._transaction(bump_version=False) as db:
            if not db.execute("SELECT 1 FROM ingest_leases WHERE lease_id = ?", (lease_id,)).fetchone():
                raise KnowledgeBaseError("ingest-lease-lost", "this ingest's lease expired; run the ingest again")
            db.executemany(
                "INSERT OR REPLACE INTO pending_vectors (chunk_id, lease_id) VALUES (?, ?)",
                [(cid, lease_id) for cid in chunk_ids],
            )

    def close_lease(self, lease_id: str) -> None:
        with self._transaction(bump_version=False) as db:
            db.execute("DELETE FROM ingest_leases WHERE lease_id = ?", (lease_id,))

    def _lease_live(self, row: dict, now: float) -> bool:
        if row["expires_at"] < now:
            return False
        return row["host"] != socket.gethostname() or _pid_alive(int(row["pid"]))

    def sweep_snapshot(self) -> tuple[set[str], set[str], list[str]]:
        """In one read: (committed chunk ids, pending ids of live leases, dead lease ids)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                leases = self._rows("SELECT * FROM ingest_leases")
                pending = self._rows("SELECT chunk_id, lease_id FROM pending_vectors")
                committed = {r["chunk_id"] for r in self._rows("SELECT chunk_id FROM chunks")}
            finally:
                self._db.execute("COMMIT")
        live = {r["lease_id"] for r in leases if self._lease_live(r, now)}
        dead = [r["lease_id"] for r in leases if r["lease_id"] not in live]
        return committed, {r["chunk_id"] for r in pending if r["lease_id"] in live}, dead

    def drop_leases(self, lease_ids: Sequence[str]) -> None:
        with self._transaction(bump_version=False) as db:
            db.executemany("DELETE FROM ingest_leases WHERE lease_id = ?", [(lid,) for lid in lease_ids])

    # ------------------------------------------------------------ writes

    def commit_document(
        self,
        doc: DocumentInfo,
        generation: int,
        chunks: Sequence[NewChunk],
        supersedes: Sequence[str] = (),
        lease_id: str | None = None,
    ) -> None:
        """Atomically make `generation` the document's content (its chunks replace all earlier ones) and mark
        the documents it supersedes. With `lease_id`, the lease must still hold (else its vectors may be gone)."""
        with self._transaction() as db:
            if lease_id is not None:
                if not db.execute("SELECT 1 FROM ingest_leases WHERE lease_id = ?", (lease_id,)).fetchone():
                    raise KnowledgeBaseError(
                        "ingest-lease-lost", f"{doc.source}: this ingest's lease expired before the commit; ingest it again"
                    )
                db.executemany("DELETE FROM pending_vectors WHERE chunk_id = ?", [(c.chunk_id,) for c in chunks])
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
            db.execute(
                "INSERT INTO documents (doc_id, source, title, status, effective_date, version, department, sha256, "
                "ingested_at, superseded_by, generation, chunk_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(doc_id) DO UPDATE SET source=excluded.source, title=excluded.title, status=excluded.status, "
                "effective_date=excluded.effective_date, version=excluded.version, department=excluded.department, "
                "sha256=excluded.sha256, ingested_at=excluded.ingested_at, superseded_by=excluded.superseded_by, "
                "generation=excluded.generation, chunk_count=excluded.chunk_count",
                (
                    doc.doc_id, doc.source, doc.title, doc.status.value, doc.effective_date, doc.version,
                    doc.department, doc.sha256, doc.ingested_at or _now(), doc.superseded_by, generation, len(chunks),
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO chunks (chunk_id, doc_id, idx, text, article, chapter) VALUES (?,?,?,?,?,?)",
                [(c.chunk_id, doc.doc_id, c.index, c.text, c.article, c.chapter) for c in chunks],
            )
            db.executemany(
                "UPDATE documents SET status = 'superseded', superseded_by = ? WHERE doc_id = ?",
                [(doc.doc_id, older) for older in supersedes],
            )

    def set_status(self, doc_id: str, status: DocumentStatus, superseded_by: str | None = None) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET status = ?, superseded_by = ? WHERE doc_id = ?", (status.value, superseded_by, doc_id)
            )

    def delete_document(self, doc_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            db.execute("UPDATE documents SET superseded_by = NULL WHERE superseded_by = ?", (doc_id,))

    # ------------------------------------------------------------ FAQ

    def faq(self) -> list[FaqEntry]:
        rows = self._rows("SELECT * FROM faq ORDER BY id")
        return [FaqEntry(r["id"], r["question"], r["answer"], r["source"]) for r in rows]

    def upsert_faq(self, entries: Sequence[FaqEntry]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO faq (id, question, answer, source, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET question=excluded.question, answer=excluded.answer, "
                "source=excluded.source, updated_at=excluded.updated_at",
                [(e.id, e.question, e.answer, e.source, _now()) for e in entries],
            )

    def delete_faq(self, faq_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM faq WHERE id = ?", (faq_id,)).rowcount > 0


def now_iso() -> str:
    return _now()
