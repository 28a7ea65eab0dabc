"""Per-process views that follow another process's edits: throttled version reads, snapshot rebuilds."""

from __future__ import annotations

import threading

import pytest

from core.freshness import Snapshot, SourceBusy, VersionGate


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A shared version counter as another process would bump it."""

    def __init__(self) -> None:
        self.version = 1
        self.reads = 0
        self.fail = False

    def read(self) -> int:
        self.reads += 1
        if self.fail:
            raise OSError("database gone")
        return self.version


def test_the_version_is_read_at_most_once_per_interval() -> None:
    source, clock = Source(), Clock()
    gate = VersionGate(source.read, interval_s=2.0, clock=clock)
    assert [gate.current() for _ in range(5)] == [1] * 5 and source.reads == 1
    source.version = 2
    clock.now += 1.9
    assert gate.current() == 1 and source.reads == 1  # inside the interval: the last value, no read
    clock.now += 0.1
    assert gate.current() == 2 and source.reads == 2


def test_expire_reads_at_once_after_this_process_changed_the_source() -> None:
    source, clock = Source(), Clock()
    gate = VersionGate(source.read, interval_s=60.0, clock=clock)
    gate.current()
    source.version = 2
    gate.expire()
    assert gate.current() == 2


def test_a_failed_version_read_keeps_the_last_value_but_the_first_must_succeed() -> None:
    source, clock = Source(), Clock()
    source.fail = True
    gate = VersionGate(source.read, interval_s=2.0, clock=clock)
    with pytest.raises(OSError):
        gate.current()
    source.fail = False
    assert gate.current() == 1
    source.fail, source.version = True, 2
    clock.now += 5
    assert gate.current() == 1
    reads = source.reads
    assert gate.current() == 1 and source.reads == reads  # a broken source is not hammered on every call


def test_a_snapshot_is_rebuilt_only_when_the_version_moves() -> None:
    source, clock = Source(), Clock()
    built: list[int] = []
    snapshot = Snapshot(VersionGate(source.read, 2.0, clock), lambda v: built.append(v) or f"view{v}", "test", clock)
    assert snapshot.get() == "view1" and snapshot.get() == "view1" and built == [1]
    source.version = 2
    clock.now += 2
    assert snapshot.get() == "view2" and built == [1, 2] and snapshot.version == 2


def test_a_failed_rebuild_keeps_the_previous_view_and_is_retried_after_the_interval() -> None:
    source, clock = Source(), Clock()
    attempts: list[int] = []

    def build(version: int) -> str:
        attempts.append(version)
        if version == 2 and len(attempts) < 4:
            raise SourceBusy("a writer holds it") if len(attempts) == 2 else RuntimeError("broken")
        return f"view{version}"

    snapshot = Snapshot(VersionGate(source.read, 2.0, clock), build, "test", clock)
    snapshot.get()
    source.version = 2
    clock.now += 2
    assert snapshot.get() == "view1" and attempts == [1, 2]  # busy: the question still gets an answer
    assert snapshot.get() == "view1" and attempts == [1, 2]  # not retried on every question
    clock.now += 2
    assert snapshot.get() == "view1" and attempts == [1, 2, 2]  # a failing build never fails the question
    clock.now += 2
    assert snapshot.get() == "view2" and attempts == [1, 2, 2, 2]


def test_the_first_build_failing_is_an_error() -> None:
    def build(version: int) -> str:
        raise RuntimeError("no index")

    with pytest.raises(RuntimeError):
        Snapshot(VersionGate(Source().read, 2.0), build, "test").get()


def test_readers_keep_the_old_view_while_another_thread_rebuilds() -> None:
    source = Source()
    entered, release = threading.Event(), threading.Event()

    def build(version: int) -> str:
        if version == 2:
            entered.set()
            release.wait(5)
        return f"view{version}"

    snapshot = Snapshot(VersionGate(source.read, 0.0), build, "test")
    assert snapshot.get() == "view1"
    source.version = 2
    rebuilt: list[str] = []
    rebuilder = threading.Thread(target=lambda: rebuilt.append(snapshot.get()))
    rebuilder.start()
    assert entered.wait(5)
    assert snapshot.get() == "view1"  # a question during the rebuild neither waits nor fails
    release.set()
    rebuilder.join(5)
    assert rebuilt == ["view2"] and snapshot.get() == "view2"


def test_rebuild_forces_a_build_at_the_same_version() -> None:
    built: list[int] = []
    snapshot = Snapshot(VersionGate(Source().read, 0.0), lambda v: built.append(v) or len(built), "test")
    assert snapshot.get() == 1 and snapshot.rebuild() == 2 and built == [1, 1]
