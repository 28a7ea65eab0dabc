"""Parallel login attempts cannot get past the lockout: the lock is checked before the password, and every
failure is counted exactly once, on SQLite and on PostgreSQL (there also across two stores, as two kiosks)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from panel.app import mount_admin
from panel.store import LoginOutcome, Store
from tests.unit.admin_fakes import FakeServices, admin_config

PASSWORD = "correct horse 42"
MAX_FAILURES = 5


def open_store(tmp_path: Path, database_url: str) -> Store:
    config = admin_config(tmp_path)
    config.paths.database_url = database_url
    return Store.open(config)


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Store]:
    store = open_store(tmp_path, database_url)
    store.accounts.create_user("clerk", PASSWORD, "staff")
    yield store
    store.close()


def attempt_all_at_once(stores: Store | list[Store], passwords: list[str]) -> list[LoginOutcome]:
    """Every password tried at once, the i-th through stores[i % len(stores)]."""
    stores = stores if isinstance(stores, list) else [stores]
    barrier = threading.Barrier(len(passwords))

    def attempt(i: int) -> LoginOutcome:
        barrier.wait()
        return stores[i % len(stores)].accounts.verify_login("clerk", passwords[i], MAX_FAILURES, 60)

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(attempt, range(len(passwords))))


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


def test_parallel_wrong_passwords_through_two_kiosks_sharing_postgres_are_counted_once(
    tmp_path: Path, postgres_url: str
) -> None:
    kiosks = [open_store(tmp_path, postgres_url), open_store(tmp_path, postgres_url)]
    kiosks[0].accounts.create_user("clerk", PASSWORD, "staff")
    outcomes = attempt_all_at_once(kiosks, [f"wrong-{i}" for i in range(16)])
    # The name is locked across both processes' stores: no more than MAX_FAILURES passwords were ever checked.
    assert sum(o.checked for o in outcomes) == MAX_FAILURES
    assert sorted(o.failures for o in outcomes if o.checked) == list(range(1, MAX_FAILURES + 1))
    assert stored_failures(kiosks[1]) == MAX_FAILURES
    assert not kiosks[1].accounts.verify_login("clerk", PASSWORD, MAX_FAILURES, 60).ok


def test_parallel_logins_over_http_get_no_session_after_the_lock(tmp_path: Path, database_url: str) -> None:
    config = admin_config(tmp_path)
    config.paths.database_url = database_url
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
