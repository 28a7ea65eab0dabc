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
_LOGIN_WAIT_S = 30.0  # how long an attempt waits for another host's attempt on the same name


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
        password_hash = _hasher.hash(password)
        with self._db.transaction() as tx:
            if tx.row("SELECT 1 AS found FROM accounts WHERE username = :name", {"name": username}):
                raise AdminError("user-exists", f"user {username!r} already exists")
            tx.execute(
                "INSERT INTO accounts (username, password_hash, role, created_at) VALUES (:name, :hash, :role, :at)",
                {"name": username, "hash": password_hash, "role": role, "at": time.time()},
            )
        return AdminUser(username, role)

    def list_users(self) -> list[dict[str, object]]:
        return self._db.query("SELECT username, role, disabled, created_at FROM accounts ORDER BY username")

    def get_user(self, username: str) -> AdminUser | None:
        row = self._db.query_one("SELECT role, disabled FROM accounts WHERE username = :name", {"name": username})
        if row is None or row["disabled"]:
            return None
        return AdminUser(username, row["role"])

    def set_role(self, username: str, role: Role) -> None:
        if role not in ROLES:
            raise AdminError("bad-role", f"role must be one of {', '.join(ROLES)}")
        if not self._db.execute("UPDATE accounts SET role = :role WHERE username = :name", {"role": role, "name": username}):
            raise AdminError("no-such-user", f"no user {username!r}")

    def set_disabled(self, username: str, disabled: bool) -> None:
        with self._db.transaction() as tx:
            params = {"disabled": int(disabled), "name": username}
            if not tx.execute("UPDATE accounts SET disabled = :disabled WHERE username = :name", params):
                raise AdminError("no-such-user", f"no user {username!r}")
            if disabled:
                tx.execute("DELETE FROM sessions WHERE username = :name", params)

    def set_password(self, username: str, password: str) -> None:
        validate_new_password(password)
        params = {"hash": _hasher.hash(password), "name": username}
        with self._db.transaction() as tx:
            if not tx.execute("UPDATE accounts SET password_hash = :hash WHERE username = :name", params):
                raise AdminError("no-such-user", f"no user {username!r}")
            tx.execute("DELETE FROM sessions WHERE username = :name", params)

    def verify_login(self, username: str, password: str, max_failures: int, lockout_s: float) -> LoginOutcome:
        """Check a password; count failures per name (existing or not) and lock the name after too many.

        Attempts for one name run one at a time (in this process, and on a shared PostgreSQL database across
        processes and hosts), the lock is checked before the password is verified, and each failure is counted by
        one atomic UPDATE, so parallel attempts cannot verify more than `max_failures` wrong passwords per lockout
        nor lose a count.
        """
        with self._name_lock(username), self._db.advisory_lock(f"login:{username}", timeout_s=_LOGIN_WAIT_S) as held:
            if not held:
                raise AdminError("login-busy", "too many sign-in attempts for this name at once; try again shortly")
            locked = self._check_lock(username)
            if locked is not None:
                return locked
            row = self._db.query_one(
                "SELECT password_hash, role, disabled FROM accounts WHERE username = :name", {"name": username}
            )
            if row is not None and not row["disabled"] and self._password_matches(row["password_hash"], password):
                self._db.execute("DELETE FROM login_failures WHERE username = :name", {"name": username})
                if _hasher.check_needs_rehash(row["password_hash"]):
                    self._db.execute(
                        "UPDATE accounts SET password_hash = :hash WHERE username = :name",
                        {"hash": _hasher.hash(password), "name": username},
                    )
                return LoginOutcome(AdminUser(username, row["role"]), checked=True)
            return self._count_failure(username, max_failures, lockout_s)

    def _check_lock(self, username: str) -> LoginOutcome | None:
        """A refusal when the name is locked now; a lock that ran out is cleared (counting starts afresh)."""
        now = time.time()
        with self._db.transaction() as tx:
            failure = tx.row("SELECT failures, locked_until FROM login_failures WHERE username = :name", {"name": username})
            if failure is None:
                return None
            if float(failure["locked_until"]) > now:
                return LoginOutcome(None, int(failure["failures"]), float(failure["locked_until"]))
            if float(failure["locked_until"]):
                tx.execute("DELETE FROM login_failures WHERE username = :name", {"name": username})
        return None

    def _count_failure(self, username: str, max_failures: int, lockout_s: float) -> LoginOutcome:
        """Add one failure in a single statement (no read-modify-write) and lock the name at `max_failures`."""
        now = time.time()
        with self._db.transaction() as tx:
            row = tx.row(
                "INSERT INTO login_failures (username, failures, locked_until) "
                "VALUES (:name, 1, CASE WHEN 1 >= :max THEN :until ELSE 0 END) "
                "ON CONFLICT(username) DO UPDATE SET failures = login_failures.failures + 1, "
                "locked_until = CASE WHEN login_failures.failures + 1 >= :max THEN :until "
                "ELSE login_failures.locked_until END "
                "RETURNING failures, locked_until",
                {"name": username, "max": max_failures, "until": now + lockout_s},
            )
        assert row is not None  # RETURNING always yields the inserted or updated row
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
            "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (:hash, :name, :at, :expires)",
            {"hash": _token_hash(token), "name": username, "at": now, "expires": now + ttl_s},
        )
        return token

    def resolve_session(self, token: str, ttl_s: float) -> AdminUser | None:
        """The session's user, or None when unknown/expired/disabled. Activity extends the session (sliding)."""
        now = time.time()
        row = self._db.query_one(
            "SELECT s.username, s.expires_at, a.role, a.disabled FROM sessions s "
            "JOIN accounts a ON a.username = s.username WHERE s.token_hash = :hash",
            {"hash": _token_hash(token)},
        )
        if row is None or row["disabled"]:
            return None
        if row["expires_at"] <= now:
            self.end_session(token)
            return None
        if row["expires_at"] - now < ttl_s - 30:  # write at most every 30 s, not on every poll
            self._db.execute(
                "UPDATE sessions SET expires_at = :expires WHERE token_hash = :hash",
                {"expires": now + ttl_s, "hash": _token_hash(token)},
            )
        return AdminUser(row["username"], row["role"])

    def end_session(self, token: str) -> None:
        self._db.execute("DELETE FROM sessions WHERE token_hash = :hash", {"hash": _token_hash(token)})

    def purge_expired_sessions(self) -> int:
        return self._db.execute("DELETE FROM sessions WHERE expires_at <= :now", {"now": time.time()})
