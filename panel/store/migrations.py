"""Numbered schema migrations: append a new list of statements, never edit a released one.

Written in SQLite's dialect; `panel.store.database` rewrites the few type names PostgreSQL spells differently.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: accounts, sessions, audit, turns, feedback, runtime settings
    [
        """CREATE TABLE accounts (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
            disabled INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE login_failures (
            username TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            locked_until REAL NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        )""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE turns (
            turn_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            mode TEXT NOT NULL,
            refused INTEGER NOT NULL,
            citations TEXT NOT NULL DEFAULT '[]',
            timings TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL,
            resolved_faq_id TEXT
        )""",
        "CREATE INDEX turns_created_at ON turns (created_at)",
        """CREATE TABLE feedback (
            turn_id TEXT PRIMARY KEY REFERENCES turns(turn_id) ON DELETE CASCADE,
            helpful INTEGER NOT NULL,
            created_at REAL NOT NULL
        )""",
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at REAL NOT NULL,
            updated_by TEXT NOT NULL
        )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # 2: the parts of a question an answer said it had no rule for, so partly answered turns reach the queue
    [
        "ALTER TABLE turns ADD COLUMN unanswered TEXT NOT NULL DEFAULT '[]'",
    ],
]
