"""Locks for the knowledge base: a reader/writer lock for threads, a writer lock for processes.

Chroma's persistent client keeps one shared "system" per directory in each process. Refreshing it (to see what
another process wrote) stops that system, so no other thread may be inside a Chroma call at that moment: every
call holds `CHROMA_LOCK` for reading, a refresh holds it for writing. Across processes, writes to one knowledge
base (vectors, then the registry commit; removals; the orphan sweep) are serialised by a `WriterLock`: the file
`<kb>/writer.lock` when the registry is a SQLite file (one host), a PostgreSQL advisory lock when the registry is
on a shared database (every host). The registry picks which (`Registry.writer_lock`).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.errors import KnowledgeBaseError

if TYPE_CHECKING:
    from panel.store.database import Database


class ReadWriteLock:
    """Many readers or one writer; a waiting writer blocks new readers, so refreshes are not starved.

    Not re-entrant: a thread holding the read side must not take it again.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


# One per process: Chroma's shared systems are per process, so is the discipline around them.
CHROMA_LOCK = ReadWriteLock()

WRITER_LOCK_NAME = "writer.lock"


@contextmanager
def writer_lock(kb_dir: Path, timeout_s: float = 600.0, shared: bool = False) -> Iterator[None]:
    """Hold the knowledge base's file lock: exclusive for a writer, `shared` for a reader that reloads indexes.

    Each call opens its own descriptor, so two threads of one process exclude each other as two processes do.
    """
    kb_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(kb_dir / WRITER_LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(str(kb_dir), timeout_s) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _busy(where: str, timeout_s: float) -> KnowledgeBaseError:
    return KnowledgeBaseError(
        "kb-busy",
        f"the knowledge base at {where} stayed locked by another writer for {timeout_s:.0f} s; "
        "wait for the running ingest to finish and try again",
    )


class WriterLock(Protocol):
    def hold(self, timeout_s: float = 600.0, shared: bool = False) -> AbstractContextManager[None]:
        """Exclusive for a writer, `shared` for a reader that reloads indexes; `kb-busy` after `timeout_s`."""
        ...


class FileWriterLock:
    """`<kb>/writer.lock`: processes of one host."""

    def __init__(self, kb_dir: Path) -> None:
        self.kb_dir = kb_dir

    def hold(self, timeout_s: float = 600.0, shared: bool = False) -> AbstractContextManager[None]:
        return writer_lock(self.kb_dir, timeout_s=timeout_s, shared=shared)


class AdvisoryWriterLock:
    """A PostgreSQL advisory lock (`pg_advisory_lock` / `pg_advisory_lock_shared`) on a connection of its own:
    processes on every host that share the registry's database. A crashed holder's lock goes with its session."""

    def __init__(self, db: Database, name: str, where: str) -> None:
        self._db = db
        self._name = name
        self._where = where

    @contextmanager
    def hold(self, timeout_s: float = 600.0, shared: bool = False) -> Iterator[None]:
        with self._db.advisory_lock(self._name, timeout_s=timeout_s, shared=shared) as held:
            if not held:
                raise _busy(self._where, timeout_s)
            yield
