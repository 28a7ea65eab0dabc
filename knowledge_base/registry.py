"""The knowledge base's authoritative record: documents, their committed chunks, and FAQ entries.

Stored in its own SQLite file (`<kb>/registry.sqlite`) by default. When `paths.database_url` names PostgreSQL the
registry lives in that shared database instead, in its own schema `kb` (tables `kb.documents`, `kb.chunks`,
`kb.faq`, `kb.meta`, `kb.ingest_leases`, `kb.pending_vectors`, `kb.schema_version`), so every kiosk reads and
writes one registry; the cross-process writer lock is then a PostgreSQL advisory lock instead of a file lock.

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
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from core.config import KioskConfig
from core.errors import KnowledgeBaseError
from core.models import ChunkInfo, DocumentInfo, DocumentStatus, FaqEntry
from knowledge_base.locks import AdvisoryWriterLock, FileWriterLock, WriterLock
from panel.store.database import SETTING, Database, Row, Tx, database_dialect

REGISTRY_SCHEMA = "kb"  # on a shared PostgreSQL database
_FILE_SETTING = "the knowledge-base directory, paths.kb_dir (environment: KIOSK_PATHS__KB_DIR)"
_BUSY_TIMEOUT_S = 30.0

# Numbered like the store's migrations; the first is idempotent, so registries made before numbering adopt it.
_MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE IF NOT EXISTS documents (
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
        )""",
        "CREATE INDEX IF NOT EXISTS documents_title ON documents(title)",
        "CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256)",
        """CREATE TABLE IF NOT EXISTS chunks (
            chunk_id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            article TEXT,
            chapter TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id)",
        """CREATE TABLE IF NOT EXISTS faq (
            id TEXT PRIMARY KEY,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            source TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS ingest_leases (
            lease_id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            expires_at REAL NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS pending_vectors (
            chunk_id TEXT PRIMARY KEY,
            lease_id TEXT NOT NULL REFERENCES ingest_leases(lease_id) ON DELETE CASCADE
        )""",
        "INSERT INTO meta (key, value) VALUES ('version', '0') ON CONFLICT (key) DO NOTHING",
    ],
]


REGISTRY_FILE = "registry.sqlite"  # in the knowledge-base directory, unless the registry is on PostgreSQL


def registry_is_shared(config: KioskConfig) -> bool:
    return database_dialect(config.paths.database, KnowledgeBaseError) == "postgresql"


def registry_url(config: KioskConfig) -> str:
    """The shared database when `paths.database_url` is PostgreSQL, else `<kb>/registry.sqlite`."""
    return config.paths.database if registry_is_shared(config) else f"sqlite:///{config.paths.kb / REGISTRY_FILE}"


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
    def __init__(self, url: str | Path) -> None:
        """`url`: a database URL (see `registry_url`), or the path of a registry SQLite file."""
        if isinstance(url, Path):
            url = f"sqlite:///{url}"
        on_file = database_dialect(url, KnowledgeBaseError) == "sqlite"
        try:
            self._db = Database(
                url, migrations=_MIGRATIONS, schema=REGISTRY_SCHEMA, name="kb-registry", error=KnowledgeBaseError,
                busy_timeout_s=_BUSY_TIMEOUT_S, setting=_FILE_SETTING if on_file else SETTING,
            )  # fmt: skip
            self._db.migrate()
        except KnowledgeBaseError as exc:
            if on_file and exc.code == "database-open":
                raise KnowledgeBaseError("registry-corrupt", exc.message) from None
            raise
        except DBAPIError as exc:
            if not on_file:
                raise
            path = url.removeprefix("sqlite:///")
            raise KnowledgeBaseError("registry-corrupt", f"knowledge-base registry {path} is unreadable: {exc.orig}") from None

    @property
    def shared(self) -> bool:
        """True when the registry is on a PostgreSQL database that several hosts may share."""
        return self._db.dialect == "postgresql"

    def writer_lock(self, kb_dir: Path) -> WriterLock:
        """The cross-process writer lock that matches where the registry lives."""
        if self.shared:
            return AdvisoryWriterLock(self._db, f"kb-writer:{REGISTRY_SCHEMA}", self._db.target.redacted)
        return FileWriterLock(kb_dir)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self, bump_version: bool = True) -> Iterator[Tx]:
        with self._db.transaction() as tx:
            yield tx
            if bump_version:
                tx.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'version'")

    def _rows(self, sql: str, params: dict[str, object] | None = None) -> list[Row]:
        return self._db.query(sql, params)

    # ------------------------------------------------------------ reads

    @property
    def version(self) -> int:
        """Bumped by every committed change, by any process or host: readers reload their indexes when it moves."""
        return int(self._rows("SELECT value FROM meta WHERE key = 'version'")[0]["value"])

    def embedder(self) -> str | None:
        """The embedding model the passage vectors were made with, as recorded (None before the first record)."""
        rows = self._rows("SELECT value FROM meta WHERE key = 'embedder'")
        return rows[0]["value"] if rows else None

    def record_embedder(self, identity: str) -> None:
        with self._transaction(bump_version=False) as tx:
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('embedder', :identity) "
                "ON CONFLICT (key) DO UPDATE SET value = :identity",
                {"identity": identity},
            )

    @staticmethod
    def _doc(row: Row) -> DocumentInfo:
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
        rows = self._rows("SELECT * FROM documents ORDER BY title, effective_date NULLS FIRST, doc_id")
        return [self._doc(r) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        rows = self._rows("SELECT * FROM documents WHERE doc_id = :doc_id", {"doc_id": doc_id})
        return self._doc(rows[0]) if rows else None

    def find_documents(self, ref: str) -> list[DocumentInfo]:
        rows = self._rows(
            "SELECT * FROM documents WHERE doc_id = :ref OR source = :ref OR title = :ref ORDER BY doc_id", {"ref": ref}
        )
        return [self._doc(r) for r in rows]

    def by_sha(self, sha256: str) -> list[DocumentInfo]:
        rows = self._rows("SELECT * FROM documents WHERE sha256 = :sha ORDER BY doc_id", {"sha": sha256})
        return [self._doc(r) for r in rows]

    def by_title(self, title: str) -> list[DocumentInfo]:
        rows = self._rows("SELECT * FROM documents WHERE title = :title ORDER BY doc_id", {"title": title})
        return [self._doc(r) for r in rows]

    def generation(self, doc_id: str) -> int:
        rows = self._rows("SELECT generation FROM documents WHERE doc_id = :doc_id", {"doc_id": doc_id})
        return int(rows[0]["generation"]) if rows else 0

    def chunks(self, doc_id: str) -> list[ChunkInfo]:
        rows = self._rows("SELECT * FROM chunks WHERE doc_id = :doc_id ORDER BY idx", {"doc_id": doc_id})
        return [ChunkInfo(r["chunk_id"], r["doc_id"], r["idx"], r["text"], r["article"], r["chapter"]) for r in rows]

    def active_chunks(self) -> list[Row]:
        """Every chunk of an active document, with the document fields a Hit needs."""
        return self._rows(
            "SELECT c.chunk_id, c.text, c.article, c.chapter, d.doc_id, d.source, d.title, d.effective_date "
            "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status = 'active' ORDER BY d.doc_id, c.idx"
        )

    def all_chunk_ids(self) -> set[str]:
        return {r["chunk_id"] for r in self._rows("SELECT chunk_id FROM chunks")}

    # ------------------------------------------------------------ ingest leases

    def open_lease(self, ttl_s: float) -> str:
        """Start an ingest: its pending vectors are spared by the sweep while the lease is live."""
        lease_id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{time.time_ns()}"
        with self._transaction(bump_version=False) as tx:
            tx.execute(
                "INSERT INTO ingest_leases (lease_id, host, pid, expires_at) VALUES (:lease, :host, :pid, :expires)",
                {"lease": lease_id, "host": socket.gethostname(), "pid": os.getpid(), "expires": time.time() + ttl_s},
            )
        return lease_id

    def renew_lease(self, lease_id: str, ttl_s: float) -> bool:
        with self._transaction(bump_version=False) as tx:
            return tx.execute(
                "UPDATE ingest_leases SET expires_at = :expires WHERE lease_id = :lease",
                {"expires": time.time() + ttl_s, "lease": lease_id},
            ) > 0

    @staticmethod
    def _lease_held(tx: Tx, lease_id: str) -> bool:
        return tx.row("SELECT 1 AS held FROM ingest_leases WHERE lease_id = :lease", {"lease": lease_id}) is not None

    def add_pending(self, lease_id: str, chunk_ids: Sequence[str]) -> None:
        """Record vectors about to be written; raises when the lease was reaped (the ingest stalled too long)."""
        with self._transaction(bump_version=False) as tx:
            if not self._lease_held(tx, lease_id):
                raise KnowledgeBaseError("ingest-lease-lost", "this ingest's lease expired; run the ingest again")
            tx.execute_many(
                "INSERT INTO pending_vectors (chunk_id, lease_id) VALUES (:chunk, :lease) "
                "ON CONFLICT (chunk_id) DO UPDATE SET lease_id = excluded.lease_id",
                [{"chunk": cid, "lease": lease_id} for cid in chunk_ids],
            )

    def close_lease(self, lease_id: str) -> None:
        with self._transaction(bump_version=False) as tx:
            tx.execute("DELETE FROM ingest_leases WHERE lease_id = :lease", {"lease": lease_id})

    def _lease_live(self, row: Row, now: float) -> bool:
        if row["expires_at"] < now:
            return False
        return row["host"] != socket.gethostname() or _pid_alive(int(row["pid"]))

    def sweep_snapshot(self) -> tuple[set[str], set[str], list[str]]:
        """In one read: (committed chunk ids, pending ids of live leases, dead lease ids)."""
        now = time.time()
        with self._db.snapshot() as tx:
            leases = tx.rows("SELECT * FROM ingest_leases")
            pending = tx.rows("SELECT chunk_id, lease_id FROM pending_vectors")
            committed = {r["chunk_id"] for r in tx.rows("SELECT chunk_id FROM chunks")}
        live = {r["lease_id"] for r in leases if self._lease_live(r, now)}
        dead = [r["lease_id"] for r in leases if r["lease_id"] not in live]
        return committed, {r["chunk_id"] for r in pending if r["lease_id"] in live}, dead

    def drop_leases(self, lease_ids: Sequence[str]) -> None:
        with self._transaction(bump_version=False) as tx:
            tx.execute_many("DELETE FROM ingest_leases WHERE lease_id = :lease", [{"lease": lid} for lid in lease_ids])

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
        with self._transaction() as tx:
            if lease_id is not None:
                if not self._lease_held(tx, lease_id):
                    raise KnowledgeBaseError(
                        "ingest-lease-lost", f"{doc.source}: this ingest's lease expired before the commit; ingest it again"
                    )
                tx.execute_many("DELETE FROM pending_vectors WHERE chunk_id = :chunk", [{"chunk": c.chunk_id} for c in chunks])
            tx.execute("DELETE FROM chunks WHERE doc_id = :doc_id", {"doc_id": doc.doc_id})
            tx.execute(
                "INSERT INTO documents (doc_id, source, title, status, effective_date, version, department, sha256, "
                "ingested_at, superseded_by, generation, chunk_count) VALUES (:doc_id, :source, :title, :status, "
                ":effective_date, :version, :department, :sha256, :ingested_at, :superseded_by, :generation, "
                ":chunk_count) "
                "ON CONFLICT(doc_id) DO UPDATE SET source=excluded.source, title=excluded.title, status=excluded.status, "
                "effective_date=excluded.effective_date, version=excluded.version, department=excluded.department, "
                "sha256=excluded.sha256, ingested_at=excluded.ingested_at, superseded_by=excluded.superseded_by, "
                "generation=excluded.generation, chunk_count=excluded.chunk_count",
                {
                    "doc_id": doc.doc_id, "source": doc.source, "title": doc.title, "status": doc.status.value,
                    "effective_date": doc.effective_date, "version": doc.version, "department": doc.department,
                    "sha256": doc.sha256, "ingested_at": doc.ingested_at or _now(), "superseded_by": doc.superseded_by,
                    "generation": generation, "chunk_count": len(chunks),
                },
            )  # fmt: skip
            tx.execute_many(
                "INSERT INTO chunks (chunk_id, doc_id, idx, text, article, chapter) "
                "VALUES (:chunk_id, :doc_id, :idx, :text, :article, :chapter)",
                [
                    {"chunk_id": c.chunk_id, "doc_id": doc.doc_id, "idx": c.index, "text": c.text,
                     "article": c.article, "chapter": c.chapter}
                    for c in chunks
                ],
            )  # fmt: skip
            tx.execute_many(
                "UPDATE documents SET status = 'superseded', superseded_by = :newer WHERE doc_id = :older",
                [{"newer": doc.doc_id, "older": older} for older in supersedes],
            )

    def set_status(self, doc_id: str, status: DocumentStatus, superseded_by: str | None = None) -> None:
        with self._transaction() as tx:
            tx.execute(
                "UPDATE documents SET status = :status, superseded_by = :by WHERE doc_id = :doc_id",
                {"status": status.value, "by": superseded_by, "doc_id": doc_id},
            )

    def delete_document(self, doc_id: str) -> None:
        with self._transaction() as tx:
            tx.execute("DELETE FROM documents WHERE doc_id = :doc_id", {"doc_id": doc_id})
            tx.execute("UPDATE documents SET superseded_by = NULL WHERE superseded_by = :doc_id", {"doc_id": doc_id})

    # ------------------------------------------------------------ FAQ

    def faq(self) -> list[FaqEntry]:
        rows = self._rows("SELECT * FROM faq ORDER BY id")
        return [FaqEntry(r["id"], r["question"], r["answer"], r["source"]) for r in rows]

    def upsert_faq(self, entries: Sequence[FaqEntry]) -> None:
        with self._transaction() as tx:
            tx.execute_many(
                "INSERT INTO faq (id, question, answer, source, updated_at) "
                "VALUES (:id, :question, :answer, :source, :updated_at) "
                "ON CONFLICT(id) DO UPDATE SET question=excluded.question, answer=excluded.answer, "
                "source=excluded.source, updated_at=excluded.updated_at",
                [
                    {"id": e.id, "question": e.question, "answer": e.answer, "source": e.source, "updated_at": _now()}
                    for e in entries
                ],
            )

    def delete_faq(self, faq_id: str) -> bool:
        with self._transaction() as tx:
            return tx.execute("DELETE FROM faq WHERE id = :id", {"id": faq_id}) > 0


def now_iso() -> str:
    return _now()
