"""Access control over HTTP: hashing, lockout, session expiry, and the role every panel route requires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from core.config import KioskConfig
from core.errors import AdminError
from panel.access import COOKIE_NAME, AccessPolicy, sign_token, unsign_token
from panel.app import mount_admin
from panel.store import Store
from tests.unit.admin_fakes import FakeServices, admin_config

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> KioskConfig:
    config = admin_config(tmp_path_factory.mktemp("admin-access"))
    config.admin.max_failed_logins = 3
    config.admin.lockout_s = 60
    return config


@pytest.fixture(scope="module")
def store(config: KioskConfig) -> Store:
    store = Store.open(config)
    store.accounts.create_user("boss", PASSWORD, "admin")
    store.accounts.create_user("clerk", PASSWORD, "staff")
    return store


@pytest.fixture(scope="module")
def app(config: KioskConfig, store: Store) -> FastAPI:
    """Built once per module: building the two Gradio apps takes seconds."""
    app = FastAPI()

    @app.get("/kiosk-page")
    async def kiosk_page() -> dict[str, str]:
        return {"ok": "citizens need no login"}

    mount_admin(app, FakeServices(config, store))
    return app


@pytest.fixture(scope="module")
def module_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(module_client: TestClient, store: Store, config: KioskConfig) -> TestClient:
    """The shared client with a clean slate: no cookies, sessions, failure counts or disabled accounts."""
    module_client.cookies.clear()
    for statement in ("DELETE FROM sessions", "DELETE FROM login_failures", "UPDATE accounts SET disabled = 0"):
        store.db.execute(statement)
    config.admin.failed_login_delay_s = 0.0
    return module_client


def login(client: TestClient, user: str, password: str = PASSWORD) -> int:
    response = client.post("/admin/login", data={"username": user, "password": password}, follow_redirects=False)
    return response.status_code


def panel_paths(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route under /admin, including each mounted Gradio app's own routes."""
    found: list[tuple[str, str]] = []

    def walk(routes: list, prefix: str) -> None:  # type: ignore[type-arg]
        for route in routes:
            path = prefix + getattr(route, "path", "")
            if isinstance(route, Mount):
                walk(route.routes, path)
                continue
            if not path.startswith("/admin"):
                continue
            concrete = path.replace("{path:path}", "x").replace("{", "").replace("}", "")
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method != "HEAD":
                    found.append((method, concrete))

    walk(app.routes, "")
    return found


def test_passwords_are_stored_as_argon2_hashes(store: Store) -> None:
    row = store.db.query_one("SELECT password_hash FROM accounts WHERE username = 'boss'")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert store.accounts.verify_login("boss", PASSWORD, 5, 60).ok
    assert not store.accounts.verify_login("boss", "wrong password", 5, 60).ok


def test_no_default_account_exists(tmp_path: Path) -> None:
    assert Store.open(admin_config(tmp_path)).accounts.list_users() == []


def test_cookie_signature_rejects_tampering() -> None:
    value = sign_token(b"k" * 32, "token123")
    assert unsign_token(b"k" * 32, value) == "token123"
    assert unsign_token(b"k" * 32, value[:-1] + ("0" if value[-1] != "0" else "1")) is None
    assert unsign_token(b"other" * 8, value) is None


def test_policy_assigns_roles_by_path() -> None:
    policy = AccessPolicy("/admin")
    assert policy.required_role("/admin/login") is None
    assert policy.required_role("/admin/kb/gradio_api/queue/join") == "staff"
    assert policy.required_role("/admin/ops") == "admin"
    assert policy.required_role("/admin/ops/gradio_api/info") == "admin"
    assert policy.required_role("/admin/files/admin/turns.csv") == "admin"
    assert policy.required_role("/admin/opsx") == "staff"
    assert not policy.covers("/administrator") and policy.covers("/admin")


def test_every_panel_route_is_closed_without_login(app: FastAPI, client: TestClient) -> None:
    paths = panel_paths(app)
    assert len(paths) > 40  # both Gradio apps' routes were found, not just ours
    for method, path in paths:
        response = client.request(method, path, follow_redirects=False, headers={"accept": "text/html"})
        if path == "/admin/login":
            assert response.status_code in (200, 422), path
            continue
        assert response.status_code in (303, 401), f"{method} {path} answered {response.status_code}"
        if response.status_code == 303:
            assert response.headers["location"].startswith("/admin/login?next=")
    assert client.get("/admin/files/faq.csv").status_code == 401
    assert client.get("/kiosk-page").status_code == 200  # the citizen side is untouched


def test_staff_reaches_knowledge_pages_but_no_admin_route(app: FastAPI, client: TestClient, store: Store) -> None:
    assert login(client, "clerk") == 303
    for path in ("/admin/", "/admin/kb/", "/admin/kb/config", "/admin/files/faq.csv", "/admin/files/faq.xlsx"):
        assert client.get(path).status_code == 200, path
    admin_paths = [(m, p) for m, p in panel_paths(app) if AccessPolicy("/admin").required_role(p) == "admin"]
    assert len(admin_paths) > 20
    for method, path in admin_paths:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
    assert "运营管理" not in client.get("/admin/").text  # the link is hidden too, but the 403s above are the guard
    database = store.db.url.removeprefix("sqlite:///")
    assert client.get(f"/admin/kb/gradio_api/file={database}").status_code == 403  # no raw file reads either


def test_admin_reaches_everything(client: TestClient) -> None:
    assert login(client, "boss") == 303
    for path in ("/admin/", "/admin/kb/", "/admin/ops/", "/admin/ops/config", "/admin/files/admin/turns.csv",
                 "/admin/files/admin/audit.csv", "/admin/files/faq.csv"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/files/admin/turns.csv").text.lstrip("\ufeff").startswith("time,turn_id")


def test_forged_or_unknown_cookie_is_not_a_session(client: TestClient) -> None:
    client.cookies.set(COOKIE_NAME, "made-up-token.0123456789abcdef0123456789abcdef", path="/admin")
    assert client.get("/admin/kb/", follow_redirects=False).status_code == 401


def test_wrong_password_fails_then_name_locks_even_for_right_password(client: TestClient, store: Store) -> None:
    assert login(client, "clerk", "nope-nope") == 401
    assert login(client, "clerk", "nope-nope") == 401
    assert login(client, "clerk", "nope-nope") == 429  # third failure: locked
    assert login(client, "clerk") == 429  # locked: even the right password is refused
    recent = [(e["actor"], e["action"]) for e in store.audit_log(limit=4)]
    assert recent[:2] == [("clerk", "login-locked"), ("clerk", "login-locked")] and ("clerk", "login-failed") in recent
    assert client.get("/admin/kb/", follow_redirects=False).status_code == 401
    store.db.execute("UPDATE login_failures SET locked_until = :t WHERE username = 'clerk'", {"t": time.time() - 1})
    assert login(client, "clerk") == 303  # the lock ran out


def test_unknown_names_lock_too_so_names_cannot_be_probed(client: TestClient) -> None:
    codes = [login(client, "nobody", "whatever1") for _ in range(3)]
    assert codes == [401, 401, 429]


def test_failed_logins_are_slowed(client: TestClient, config: KioskConfig) -> None:
    config.admin.failed_login_delay_s = 0.2
    started = time.perf_counter()
    login(client, "boss", "bad-password")
    login(client, "boss", "bad-password")
    assert time.perf_counter() - started >= 0.2 + 0.4 - 0.05


def test_session_expires_after_ttl(client: TestClient, store: Store) -> None:
    assert login(client, "boss") == 303
    assert client.get("/admin/ops/").status_code == 200
    store.db.execute("UPDATE sessions SET expires_at = :t", {"t": time.time() - 1})
    response = client.get("/admin/ops/", follow_redirects=False, headers={"accept": "text/html"})
    assert response.status_code == 303 and "/admin/login" in response.headers["location"]


def test_logout_and_disabling_end_sessions(client: TestClient, store: Store) -> None:
    assert login(client, "boss") == 303
    client.post("/admin/logout", follow_redirects=False)
    assert client.get("/admin/", follow_redirects=False).status_code in (303, 401)
    assert login(client, "clerk") == 303
    store.accounts.set_disabled("clerk", True)
    assert client.get("/admin/kb/", follow_redirects=False).status_code == 401
    assert login(client, "clerk") == 401


def test_login_redirect_stays_inside_the_panel(client: TestClient) -> None:
    response = client.post(
        "/admin/login", data={"username": "boss", "password": PASSWORD, "next": "https://evil.example/x"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/admin/"
    response = client.post(
        "/admin/login", data={"username": "boss", "password": PASSWORD, "next": "/admin/ops/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/admin/ops/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie


@pytest.mark.parametrize("path", ["/", "", "admin", "/admin/panel"])
def test_admin_path_must_be_one_segment(tmp_path: Path, path: str) -> None:
    config = admin_config(tmp_path)
    config.admin.path = path
    with pytest.raises(AdminError) as info:
        mount_admin(FastAPI(), FakeServices(config, Store.open(config)))
    assert info.value.code == "admin-path"
