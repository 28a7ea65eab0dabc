"""The soak benchmark's bookkeeping: when a document was certainly gone, and which answers cited it then."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from soak_clients import StaffOp, Turn, unavailable_intervals, wrong_source  # noqa: E402


def test_gone_from_a_finished_delete_or_retire_until_the_next_restore_starts() -> None:
    ops = [StaffOp("ingest", "a.md", 0, 5, True), StaffOp("delete", "a.md", 10, 12, True),
           StaffOp("ingest", "a.md", 40, 50, True), StaffOp("retire", "a.md", 60, 61, True),
           StaffOp("delete", "b.md", 5, 6, False)]  # fmt: skip
    assert unavailable_intervals(ops, end=100) == {"a.md": [(12, 40), (61, 100)]}


def test_only_answers_asked_and_shown_inside_a_gone_interval_count_as_wrong_source() -> None:
    gone = {"a.md": [(12.0, 40.0)]}
    inside = Turn(0, "q", 15, 30, sources=["a.md"])
    overlapping = Turn(1, "q", 10, 30, sources=["a.md"])  # may have retrieved before the delete finished
    other = Turn(2, "q", 15, 30, sources=["b.md"])
    assert wrong_source([inside, overlapping, other], gone) == [inside]
