"""Per-process views of shared state (the knowledge base, the panel's settings) that follow other processes' edits.

Several kiosk processes share one knowledge base and one settings table; each keeps views built from them (BM25,
term statistics, FAQ vectors, the recogniser's vocabulary, the effective config). A `VersionGate` reads the
source's version at most once per interval, so a question pays at most one cheap read; a `Snapshot` rebuilds its
view when that version moves. Readers keep the view they already hold while another thread rebuilds, and a failed
rebuild keeps the previous view, so a refresh never blocks or fails a question in flight.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

V = TypeVar("V")
T = TypeVar("T")


class SourceBusy(Exception):
    """Raised by a snapshot's build when the source cannot be read consistently now (a writer holds it)."""


class VersionGate(Generic[V]):
    """The version of a shared source, read at most once every `interval_s`; between reads, the last value."""

    def __init__(self, read: Callable[[], V], interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self.interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._value: V | None = None
        self._read_at: float | None = None
        self.reads = 0

    def current(self) -> V:
        with self._lock:
            now = self._clock()
            if self._read_at is not None and self._value is not None and now - self._read_at < self.interval_s:
                return self._value
            try:
                value = self._read()
            except Exception as exc:
                if self._value is None:
                    raise
                log.warning("version check failed, keeping the current view: %s", exc)
                self._read_at = now  # try again after the interval, not on every call
                return self._value
            self.reads += 1
            self._value, self._read_at = value, now
            return value

    def expire(self) -> None:
        """Read again on the next call: this process just changed the source itself."""
        with self._lock:
            self._read_at = None


class Snapshot(Generic[V, T]):
    """A view built from a versioned source, rebuilt when the gate shows a new version.

    The first build blocks (nobody can answer without it). Later, one thread rebuilds while the others go on with
    the view they have; a build that fails or raises SourceBusy keeps the previous view and is retried after the
    gate's interval.
    """

    def __init__(
        self, gate: VersionGate[V], build: Callable[[V], T], name: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._gate = gate
        self._build = build
        self.name = name
        self._clock = clock
        self._loaded: tuple[V, T] | None = None
        self._lock = threading.Lock()
        self._retry_at = 0.0

    @property
    def version(self) -> V | None:
        loaded = self._loaded
        return None if loaded is None else loaded[0]

    def get(self) -> T:
        loaded = self._loaded
        version = self._gate.current()
        if loaded is not None and (loaded[0] == version or self._clock() < self._retry_at):
            return loaded[1]
        if not self._lock.acquire(blocking=loaded is None):
            return loaded[1]  # type: ignore[index]  # loaded is set: only the first build blocks
        try:
            return self._rebuild(version)
        finally:
            self._lock.release()

    def rebuild_loaded(self) -> None:
        """Build now if a view was built before; a process that never read this one builds it on its first read."""
        if self._loaded is not None:
            self.rebuild()

    def rebuild(self) -> T:
        """Build now even if the version did not move (e.g. after repairing the source), waiting for a build under way."""
        with self._lock:
            return self._rebuild(self._gate.current(), force=True)

    def _rebuild(self, version: V, force: bool = False) -> T:
        loaded = self._loaded
        if loaded is not None and loaded[0] == version and not force:
            return loaded[1]  # another thread built it while this one waited
        try:
            value = self._build(version)
        except Exception as exc:
            if loaded is None:
                raise
            self._retry_at = self._clock() + max(self._gate.interval_s, 0.5)
            if isinstance(exc, SourceBusy):
                log.info("%s not reloaded yet: %s", self.name, exc)
            else:
                log.warning("%s not reloaded, answering from the previous view: %s", self.name, exc)
            return loaded[1]
        self._loaded, self._retry_at = (version, value), 0.0
        if loaded is not None:
            log.info("%s reloaded at version %s", self.name, version)
        return value
