"""The product's database: accounts, sessions, audit log, conversation turns, feedback, runtime settings."""

from __future__ import annotations

import secrets
import time
from typing import Any

from core.config import KioskConfig
from core.models import TurnRecord
from panel.store.accounts import AccountStore
from panel.store.database import Database
from panel.store.settings import SettingsStore, apply_settings
from panel.store.turns import DAY_S, TurnLog


class Store:
    """Facade the kiosk and the panel share. Safe to call from the event loop and from worker threads."""

    def __init__(self, db: Database, retention_days: int = 180) -> None:
        self.db = db
        self.accounts = AccountStore(db)
        self.settings = SettingsStore(db)
        self.turn_log = TurnLog(db)
        self._default_retention_days = retention_days
        self._last_purge = 0.0

    @classmethod
    def open(cls, config: KioskConfig) -> Store:
        """Open (creating if needed) the database at config.paths.database (SQLite or PostgreSQL) and migrate it."""
        db = Database(config.paths.database)
        db.migrate()
        return cls(db, retention_days=config.admin.retention_days)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ kiosk side

    def record_turn(self, turn: TurnRecord) -> str:
        turn_id = self.turn_log.record_turn(turn)
        if time.time() - self._last_purge > DAY_S:  # retention is enforced as the kiosk runs
            self.purge_old(self.retention_days())
        return turn_id

    def record_feedback(self, turn_id: str, helpful: bool) -> None:
        self.turn_log.record_feedback(turn_id, helpful)

    def runtime_settings(self) -> dict[str, Any]:
        return self.settings.all()

    def effective_config(self, base: KioskConfig) -> KioskConfig:
        """`base` with the admin's runtime settings applied (call per turn/session: no restart needed)."""
        return apply_settings(base, self.settings.all())

    def retention_days(self) -> int:
        return int(self.settings.all().get("admin.retention_days", self._default_retention_days))

    def purge_old(self, retention_days: int) -> int:
        self._last_purge = time.time()
        self.accounts.purge_expired_sessions()
        return self.turn_log.purge_old(retention_days)

    # ------------------------------------------------------------ audit

    def audit(self, actor: str, action: str, target: str = "", detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (:at, :actor, :action, :target, :detail)",
            {"at": time.time(), "actor": actor, "action": action, "target": target, "detail": detail},
        )

    def audit_log(self, limit: int = 500) -> list[dict[str, Any]]:
        return self.db.query(
            "SELECT at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT :limit", {"limit": limit}
        )

    def session_secret(self) -> bytes:
        """A per-installation secret for signing session cookies, created on first use."""
        row = self.db.query_one("SELECT value FROM meta WHERE key = 'session_secret'")
        if row is None:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('session_secret', :value) ON CONFLICT (key) DO NOTHING",
                {"value": secrets.token_hex(32)},
            )
            row = self.db.query_one("SELECT value FROM meta WHERE key = 'session_secret'")
        assert row is not None
        return bytes.fromhex(row["value"])
