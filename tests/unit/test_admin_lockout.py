"""Parallel login attempts cannot get past the lockout: the lock is checked before the password, and every
failure is counted exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from panel import mount_admin
from panel.store import LoginOutcome, Store
from tests.unit.admin_fakes import FakeServices, admin_config

PASSWORD = "correct horse 42"
MAX_FAILURES = 5


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(admin_config(tmp_path))
    store.accounts.create_user("clerk", PASSWORD, "staff")
    return store


def attempt_all_at_once(store: Store, passwords: list[str]) -> list[LoginOutcome]:
    barrier = threading.Barrier(len(passwords))

    def attempt(password: str) -> LoginOutcome:
        barrier.wait()
        return store.accounts.verify_login("clerk", password, MAX_FAILURES, 60)

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def stored_failures(store: Store) -> int:
    row = store.db.query_one("SELECT failures FROM login_failures WHERE username = 'clerk'")
    return int(row["failures"]) if row else 0


def test_parallel_wrong_passwords_are_each_counted_and_then_locked(store: Store) -> None:
    outcomes = attempt_all_at_once(store, [f"wrong-{i}" for i in range(15)])
    assert sum(o.checked for o in outcomes) == MAX_FAILURES  # the rest were refused before any password check
    assert stored_failures(store) == MAX_FAILURES
    assert sorted(o.failures for o in outcomes if o.checked) == list(range(1, MAX_FAILURES + 1))
    assert not store.accounts.verify_login("clerk", PASSWORD, MAX_FAILURES, 60).ok  # locked: right password too


def test_right_password_among_parallel_guesses_only_wins_before_the_lock(store: Store) -> None:
    outcomes = attempt_all_at_once(store, [f"wrong-{i}" for i in range(15)] + [PASSWORD])
    right = outcomes[-1]
    wrong_checked = [o for o in outcomes[:-1] if o.checked]
    if right.ok:
        # Attempts ran one at a time: the right one came before the lock; the count then started afresh.
        assert len(wrong_checked) <= 2 * MAX_FAILURES - 1
    else:
        assert not right.checked and len(wrong_checked) == MAX_FAILURES
    assert stored_failures(store) == MAX_FAILURES or right.ok
    assert sum(o.ok for o in outcomes) <= 1


def test_parallel_logins_over_http_get_no_session_after_the_lock(tmp_path: Path) -> None:
    config = admin_config(tmp_path)
    config.admin.max_failed_logins = 3
    store = Store.open(config)
    store.accounts.create_user("clerk", PASSWORD, "staff")
    app = FastAPI()
    mount_admin(app, FakeServices(config, store))
    barrier = threading.Barrier(12)

    def post(password: str) -> int:
        with TestClient(app) as client:
            barrier.wait()
            data = {"username": "clerk", "password": password}
            return client.post("/admin/login", data=data, follow_redirects=False).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(post, [f"wrong-{i}" for i in range(12)]))
    assert codes.count(401) == 2 and codes.count(429) == 10, codes
    row = store.db.query_one("SELECT failures FROM login_failures WHERE username = 'clerk'")
    assert row["failures"] == 3
    with TestClient(app) as client:
        response = client.post("/admin/login", data={"username": "clerk", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 429 and "kiosk_admin" not in response.headers.get("set-cookie", "")
