"""Conversation turns and citizen feedback: written by the kiosk, read by the dashboard and the queue."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from core.errors import AdminError
from core.models import TurnRecord
from core.privacy import mask_personal_data
from panel.store.database import Database

DAY_S = 86400.0


class TurnLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_turn(self, turn: TurnRecord) -> str:
        citations = [asdict(c) for c in turn.citations]
        self._db.execute(
            "INSERT INTO turns (turn_id, session_id, question, answer, mode, refused, citations, timings, created_at, "
            "unanswered) VALUES (:turn_id, :session_id, :question, :answer, :mode, :refused, :citations, :timings, "
            ":created_at, :unanswered) "
            "ON CONFLICT (turn_id) DO UPDATE SET session_id = excluded.session_id, question = excluded.question, "
            "answer = excluded.answer, mode = excluded.mode, refused = excluded.refused, "
            "citations = excluded.citations, timings = excluded.timings, created_at = excluded.created_at, "
            "unanswered = excluded.unanswered, resolved_faq_id = NULL",
            {
                "turn_id": turn.turn_id,
                "session_id": turn.session_id,
                "question": mask_personal_data(turn.question),
                "answer": mask_personal_data(turn.answer),
                "mode": getattr(turn.mode, "value", str(turn.mode)),
                "refused": int(turn.refused),
                "citations": json.dumps(citations, ensure_ascii=False),
                "timings": json.dumps({k: float(v) for k, v in turn.timings.items() if v is not None}),
                "created_at": turn.created_at,
                "unanswered": json.dumps([mask_personal_data(part) for part in turn.unanswered], ensure_ascii=False),
            },
        )
        return turn.turn_id

    def record_feedback(self, turn_id: str, helpful: bool) -> None:
        with self._db.transaction() as tx:
            if tx.row("SELECT 1 AS found FROM turns WHERE turn_id = :turn_id", {"turn_id": turn_id}) is None:
                raise AdminError("no-such-turn", f"no recorded turn {turn_id!r} to attach feedback to")
            tx.execute(
                "INSERT INTO feedback (turn_id, helpful, created_at) VALUES (:turn_id, :helpful, :at) "
                "ON CONFLICT(turn_id) DO UPDATE SET helpful = excluded.helpful, created_at = excluded.created_at",
                {"turn_id": turn_id, "helpful": int(helpful), "at": time.time()},
            )

    def turns(self, start: float | None = None, end: float | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Turns in [start, end), newest first, with `helpful` (True/False/None) and decoded JSON fields."""
        sql = (
            "SELECT t.*, f.helpful FROM turns t LEFT JOIN feedback f ON f.turn_id = t.turn_id "
            "WHERE t.created_at >= :start AND t.created_at < :end ORDER BY t.created_at DESC"
        )
        params: dict[str, Any] = {"start": start if start is not None else 0.0, "end": end if end is not None else 1e12}
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [_decode(row) for row in self._db.query(sql, params)]

    def unanswered(self, limit: int = 500) -> list[dict[str, Any]]:
        """Refused turns, turns with a part said to be unanswered and turns rated 👎 that no FAQ entry has resolved
        yet, newest first."""
        rows = self._db.query(
            "SELECT t.*, f.helpful FROM turns t LEFT JOIN feedback f ON f.turn_id = t.turn_id "
            "WHERE t.resolved_faq_id IS NULL AND (t.refused = 1 OR t.unanswered <> '[]' OR f.helpful = 0) "
            "ORDER BY t.created_at DESC LIMIT :limit",
            {"limit": limit},
        )
        return [_decode(row) for row in rows]

    def mark_resolved(self, turn_ids: list[str], faq_id: str) -> int:
        with self._db.transaction() as tx:
            return sum(
                tx.execute("UPDATE turns SET resolved_faq_id = :faq_id WHERE turn_id = :turn_id", {"faq_id": faq_id, "turn_id": tid})
                for tid in turn_ids
            )

    def purge_old(self, retention_days: int) -> int:
        """Delete turns (and their feedback) older than the retention period; return how many turns went."""
        if retention_days < 1:
            raise AdminError("bad-retention", "retention must be at least 1 day")
        cutoff = time.time() - retention_days * DAY_S
        with self._db.transaction() as tx:
            tx.execute(
                "DELETE FROM feedback WHERE turn_id IN (SELECT turn_id FROM turns WHERE created_at < :cutoff)",
                {"cutoff": cutoff},
            )
            return tx.execute("DELETE FROM turns WHERE created_at < :cutoff", {"cutoff": cutoff})


def _decode(row: Any) -> dict[str, Any]:
    item = dict(row)
    item["refused"] = bool(item["refused"])
    item["citations"] = json.loads(item["citations"])
    item["timings"] = json.loads(item["timings"])
    item["unanswered"] = json.loads(item.get("unanswered") or "[]")
    item["helpful"] = None if item.get("helpful") is None else bool(item["helpful"])
    return item
