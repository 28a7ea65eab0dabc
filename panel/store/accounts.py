"""Accounts (argon2-hashed passwords), login lockout and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import AdminError
from panel.store.database import Database

Role = Literal["staff", "admin"]
ROLES: tuple[Role, ...] = ("staff", "admin")
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
_NAME_LOCK_STRIPES = 64  # login attempts for one name run one at a time; names share a bounded set of locks


@dataclass(frozen=True)
class AdminUser:
    username: str
    role: Role

    def has_role(self, required: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(required)


@dataclass(frozen=True)
class LoginOutcome:
    user: AdminUser | None
    failures: int = 0  # consecutive failures for this name, after this attempt
    locked_until: float = 0.0  # Unix time; > now means the name is locked
    checked: bool = False  # the password was verified (False: refused because the name was already locked)

    @property
    def ok(self) -> bool:
        return self.user is not None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError("weak-password", f"password must be at least {MIN_PASSWORD_LENGTH} characters")


class AccountStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._name_locks = [threading.Lock() for _ in range(_NAME_LOCK_STRIPES)]

    def _name_lock(self, username: str) -> threading.Lock:
        digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).digest()
        return self._name_locks[int.from_bytes(digest[:4], "big") % _NAME_LOCK_STRIPES]

    def create_user(self, username: str, password: str, role: Role) -> AdminUser:
        username = username.strip()
        if not username or len(username) > 64:
            raise AdminError("bad-username", "user name must be 1–64 characters")
        if role not in ROLES:
            raise AdminError("bad-role", f"role must be one of {', '.join(ROLES)}")
        validate_new_password(password)
        if self._db.query_one("SELECT 1 FROM accounts WHERE username = ?", (username,)):
            raise AdminError("user-exists", f"user {username!r} already exists")
        self._db.execute(
            "INSERT INTO accounts (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            (username, _hasher.hash(password), role, time.time()),
        )
        return AdminUser(username, role)

    def list_users(self) -> list[dict[str, object]]:
        rows = self._db.query("SELECT username, role, disabled, created_at FROM accounts ORDER BY username")
        return [dict(row) for row in rows]

    def get_user(self, username: str) -> AdminUser | None:
        row = self._db.query_one("SELECT role, disabled FROM accounts WHERE username = ?", (username,))
        if row is None or row["disabled"]:
            return None
        return AdminUser(username, row["role"])

    def set_role(self, username: str, role: Role) -> None:
        if role not in ROLES:
            raise AdminError("bad-role", f"role must be one of {', '.join(ROLES)}")
        if not self._db.execute("UPDATE accounts SET role = ? WHERE username = ?", (role, username)):
            raise AdminError("no-such-user", f"no user {username!r}")

    def set_disabled(self, username: str, disabled: bool) -> None:
        if not self._db.execute("UPDATE accounts SET disabled = ? WHERE username = ?", (int(disabled), username)):
            raise AdminError("no-such-user", f"no user {username!r}")
        if disabled:
            self._db.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def set_password(self, username: str, password: str) -> None:
        validate_new_password(password)
        changed = self._db.execute(
            "UPDATE accounts SET password_hash = ? WHERE username = ?", (_hasher.hash(password), username)
        )
        if not changed:
            raise AdminError("no-such-user", f"no user {username!r}")
        self._db.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def verify_login(self, username: str, password: str, max_failures: int, lockout_s: float) -> LoginOutcome:
        """Check a password; count failures per name (existing or not) and lock the name after too many.

        Attempts for one name run one at a time (in this process), the lock is checked before the password is
        verified, and each failure is counted by one atomic UPDATE, so parallel attempts cannot verify more than
        `max_failures` wrong passwords per lockout nor lose a count.
        """
        with self._name_lock(username):
            locked = self._check_lock(username)
            if locked is not None:
                return locked
            row = self._db.query_one("SELECT password_hash, role, disabled FROM accounts WHERE username = ?", (username,))
            if row is not None and not row["disabled"] and self._password_matches(row["password_hash"], password):
                self._db.execute("DELETE FROM login_failures WHERE username = ?", (username,))
                if _hasher.check_needs_rehash(row["password_hash"]):
                    self._db.execute(
                        "UPDATE accounts SET password_hash = ? WHERE username = ?", (_hasher.hash(password), username)
                    )
                return LoginOutcome(AdminUser(username, row["role"]), checked=True)
            return self._count_failure(username, max_failures, lockout_s)

    def _check_lock(self, username: str) -> LoginOutcome | None:
        """A refusal when the name is locked now; a lock that ran out is cleared (counting starts afresh)."""
        now = time.time()
        with self._db.transaction() as conn:
            failure = conn.execute(
                "SELECT failures, locked_until FROM login_failures WHERE username = ?", (username,)
            ).fetchone()
            if failure is None:
                return None
            if float(failure["locked_until"]) > now:
                return LoginOutcome(None, int(failure["failures"]), float(failure["locked_until"]))
            if float(failure["locked_until"]):
                conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
        return None

    def _count_failure(self, username: str, max_failures: int, lockout_s: float) -> LoginOutcome:
        """Add one failure in a single statement (no read-modify-write) and lock the name at `max_failures`."""
        now = time.time()
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO login_failures (username, failures, locked_until) "
                "VALUES (:name, 1, CASE WHEN 1 >= :max THEN :until ELSE 0 END) "
                "ON CONFLICT(username) DO UPDATE SET failures = failures + 1, "
                "locked_until = CASE WHEN failures + 1 >= :max THEN :until ELSE locked_until END "
                "RETURNING failures, locked_until",
                {"name": username, "max": max_failures, "until": now + lockout_s},
            ).fetchone()
        return LoginOutcome(None, int(row["failures"]), float(row["locked_until"]), checked=True)

    @staticmethod
    def _password_matches(password_hash: str, password: str) -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def create_session(self, username: str, ttl_s: float) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        self._db.execute(
            "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_token_hash(token), username, now, now + ttl_s),
        )
        return token

    def resolve_session(self, token: str, ttl_s: float) -> AdminUser | None:
        """The session's user, or None when unknown/expired/disabled. Activity extends the session (sliding)."""
        now = time.time()
        row = self._db.query_one(
            "SELECT s.username, s.expires_at, a.role, a.disabled FROM sessions s "
            "JOIN accounts a ON a.username = s.username WHERE s.token_hash = ?",
            (_token_hash(token),),
        )
        if row is None or row["disabled"]:
            return None
        if row["expires_at"] <= now:
            self.end_session(token)
            return None
        if row["expires_at"] - now < ttl_s - 30:  # write at most every 30 s, not on every poll
            self._db.execute(
                "UPDATE sessions SET expires_at = ? WHERE token_hash = ?", (now + ttl_s, _token_hash(token))
            )
        return AdminUser(row["username"], row["role"])

    def end_session(self, token: str) -> None:
        self._db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    def purge_expired_sessions(self) -> int:
        return self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (time.time(),))
