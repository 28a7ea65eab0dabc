"""Hostile requests to the panel: files the session did not upload, cross-site requests, oversized uploads."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.config import KioskConfig
from panel.app import mount_admin
from panel.request_checks import UploadLedger, file_paths, origin_refusal
from panel.store import Store
from tests.unit.admin_fakes import FakeKnowledgeBase, FakeServices, admin_config
from tests.unit.test_admin_actions import call, upload

PASSWORD = "correct horse 42"
REPO = Path(__file__).resolve().parents[2]
UPLOAD_LIMIT_MB = 0.1  # 100 kB, so the tests need no large body
FOREIGN = {"origin": "http://evil.example"}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    config = admin_config(tmp_path_factory.mktemp("admin-requests"))
    config.admin.max_upload_mb = UPLOAD_LIMIT_MB
    store = Store.open(config)
    store.accounts.create_user("clerk", PASSWORD, "staff")
    store.accounts.create_user("clerk2", PASSWORD, "staff")
    services = FakeServices(config, store)
    app = FastAPI()
    mount_admin(app, services)
    with TestClient(app) as client:
        yield {"app": app, "client": client, "store": store, "kb": services.kb, "config": config}


def as_user(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/admin/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    return client


def file_data(path: str | Path) -> dict[str, Any]:
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def gradio_files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def upload_folder() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


# ------------------------------------------------------------------ provenance


@pytest.mark.parametrize("api", ["ingest", "replace_document", "import_faq"])
def test_a_server_file_named_in_an_api_call_is_refused_and_audited(env: dict[str, Any], api: str) -> None:
    client, kb, store = as_user(env["client"], "clerk"), env["kb"], env["store"]
    assert isinstance(kb, FakeKnowledgeBase)
    before = (dict(kb.docs), dict(kb.faq))
    server_file = REPO / "README.md"
    data = {"ingest": [[file_data(server_file)]], "replace_document": ["doc-x", file_data(server_file)],
            "import_faq": [file_data(server_file)]}[api]  # fmt: skip
    response = client.post(f"/admin/kb/gradio_api/call/{api}", json={"data": data})
    assert response.status_code == 403 and response.json()["error"] == "file-not-uploaded"
    response = client.post("/admin/kb/gradio_api/queue/join", json={"data": data, "fn_index": 0, "session_hash": "x"})
    assert response.status_code == 403
    assert (dict(kb.docs), dict(kb.faq)) == before  # nothing ingested or imported
    entry = store.audit_log(limit=1)[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("clerk", "upload-refused", str(server_file))


def test_path_tricks_and_other_sessions_uploads_are_refused(env: dict[str, Any]) -> None:
    client, kb = as_user(env["client"], "clerk"), env["kb"]
    mine = upload(client, "居住证.md", "第一条 居住证。".encode())
    trick = dict(mine, path=mine["path"] + "/../../../../" + str(REPO / "README.md").lstrip("/"))
    assert client.post("/admin/kb/gradio_api/call/ingest", json={"data": [[trick]]}).status_code == 403
    other = as_user(client, "clerk2")  # another session may not ingest clerk's upload
    assert other.post("/admin/kb/gradio_api/call/ingest", json={"data": [[mine]]}).status_code == 403
    assert not kb.docs
    own = upload(other, "居住证.md", "第一条 居住证。".encode())  # its own upload of the same bytes works
    event, (status,) = call(other, "kb", "ingest", [[own]])
    assert event == "complete" and "已入库" in status


def test_logout_forgets_the_sessions_uploads(env: dict[str, Any]) -> None:
    client = as_user(env["client"], "clerk")
    mine = upload(client, "a.md", "第一条 甲。".encode())
    client.post("/admin/logout", follow_redirects=False)
    client = as_user(client, "clerk")
    assert client.post("/admin/kb/gradio_api/call/ingest", json={"data": [[mine]]}).status_code == 403


def test_ledger_and_file_reference_helpers() -> None:
    ledger = UploadLedger()
    ledger.record("s1", ["/tmp/gradio/abc/x.md"])
    assert ledger.owns("s1", "/tmp/gradio/abc/./x.md") and not ledger.owns("s2", "/tmp/gradio/abc/x.md")
    assert not ledger.owns("s1", "/tmp/gradio/abc/../abc/../../etc/passwd")
    body = {"data": [[{"path": "/a"}, {"meta": {}, "path": "/b"}], "text", {"nested": {"path": "/c"}}]}
    assert sorted(file_paths(body)) == ["/a", "/b", "/c"]


# ------------------------------------------------------------------ cross-site requests


def test_cross_site_login_logout_and_panel_calls_are_refused(env: dict[str, Any]) -> None:
    client = env["client"]
    client.cookies.clear()
    form = {"username": "clerk", "password": PASSWORD}
    response = client.post("/admin/login", data=form, headers=FOREIGN, follow_redirects=False)
    assert response.status_code == 403 and response.json()["error"] == "cross-origin"
    assert "set-cookie" not in response.headers
    client = as_user(client, "clerk")
    for path, kwargs in (
        ("/admin/kb/gradio_api/queue/join", {"json": {"data": ["问题"], "fn_index": 0, "session_hash": "x"}}),
        ("/admin/kb/gradio_api/call/hit_test", {"json": {"data": ["问题"]}}),
        ("/admin/kb/gradio_api/upload", {"files": {"files": ("a.md", b"x")}}),
        ("/admin/logout", {}),
    ):
        assert client.post(path, headers=FOREIGN, follow_redirects=False, **kwargs).status_code == 403, path
    for headers in ({"origin": "null"}, {"referer": "http://evil.example/page"}, {"origin": "http://testserver.evil"}):
        assert client.post("/admin/logout", headers=headers, follow_redirects=False).status_code == 403, headers
    assert client.get("/admin/kb/", headers=FOREIGN).status_code == 200  # a cross-site GET changes nothing


def test_same_origin_and_non_browser_requests_pass(env: dict[str, Any]) -> None:
    client = env["client"]
    client.cookies.clear()
    form = {"username": "clerk", "password": PASSWORD}
    for headers in ({"origin": "http://testserver"}, {"referer": "http://testserver/admin/login"},
                    {"origin": "http://TESTSERVER:80"}, {}):  # fmt: skip
        response = client.post("/admin/login", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 303, headers
    started = client.post("/admin/kb/gradio_api/call/hit_test", json={"data": ["问题"]},
                          headers={"origin": "http://testserver"})  # fmt: skip
    assert started.status_code == 200


def test_origin_rule_details() -> None:
    def scope(host: str, scheme: str = "http", method: str = "POST", **headers: str) -> dict[str, Any]:
        raw = [(b"host", host.encode())] + [(k.encode(), v.encode()) for k, v in headers.items()]
        return {"type": "http", "method": method, "scheme": scheme, "headers": raw}

    assert origin_refusal(scope("kiosk.local", "https", origin="https://kiosk.local")) is None
    assert origin_refusal(scope("kiosk.local:443", "https", origin="https://kiosk.local")) is None
    assert origin_refusal(scope("127.0.0.1:7860", origin="http://127.0.0.1:7860")) is None
    assert origin_refusal(scope("127.0.0.1:7860", origin="http://127.0.0.1:7861")) is not None
    assert origin_refusal(scope("127.0.0.1:7860", method="GET", origin="http://evil.example")) is None
    proxied = scope("127.0.0.1:7860", origin="https://kiosk.hall.example")
    assert origin_refusal(proxied) is not None and origin_refusal(proxied, ["https://kiosk.hall.example"]) is None
    socket = {"type": "websocket", "scheme": "ws", "headers": [(b"host", b"h:1"), (b"origin", b"http://evil")]}
    assert origin_refusal(socket) is not None


def test_session_cookie_is_secure_over_https_or_when_configured(env: dict[str, Any]) -> None:
    form = {"username": "clerk", "password": PASSWORD}
    with TestClient(env["app"], base_url="https://testserver") as tls:
        response = tls.post("/admin/login", data=form, follow_redirects=False)
        assert response.status_code == 303 and "secure" in response.headers["set-cookie"].lower()
    client = env["client"]
    client.cookies.clear()
    response = client.post("/admin/login", data=form, follow_redirects=False)
    assert "secure" not in response.headers["set-cookie"].lower()  # plain http on loopback: the browser would drop it
    env["config"].admin.cookie_secure = True
    try:
        client.cookies.clear()
        response = client.post("/admin/login", data=form, follow_redirects=False)
        assert "secure" in response.headers["set-cookie"].lower()
    finally:
        env["config"].admin.cookie_secure = False


# ------------------------------------------------------------------ upload size


def multipart(name: str, size: int, boundary: str = "kiosk-test-boundary") -> tuple[list[bytes], str]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: text/markdown\r\n\r\n").encode()  # fmt: skip
    chunk = 16 * 1024
    body = [head] + [b"x" * min(chunk, size - i) for i in range(0, size, chunk)] + [f"\r\n--{boundary}--\r\n".encode()]
    return body, f"multipart/form-data; boundary={boundary}"


def test_upload_over_the_limit_is_refused_up_front_and_leaves_no_file(env: dict[str, Any]) -> None:
    client, config = as_user(env["client"], "clerk"), env["config"]
    before = gradio_files(upload_folder()) | gradio_files(config.paths.data_dir / "uploads")
    response = client.post("/admin/kb/gradio_api/upload", files={"files": ("big.md", b"x" * 200_000)})
    assert response.status_code == 413 and "admin.max_upload_mb" in response.json()["message"]
    assert gradio_files(upload_folder()) | gradio_files(config.paths.data_dir / "uploads") == before
    assert client.post("/admin/kb/gradio_api/upload", files={"files": ("ok.md", b"x" * 50_000)}).status_code == 200


def test_streamed_upload_is_cut_off_at_the_limit_and_leaves_no_file(env: dict[str, Any]) -> None:
    """No Content-Length (chunked): the bytes are counted as they arrive and the partial file is removed."""
    config = env["config"]
    before = gradio_files(upload_folder()) | gradio_files(config.paths.data_dir / "uploads")
    chunks, content_type = multipart("big.md", 400_000)
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            sent.append(len(chunk))
            yield chunk

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=env["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            form = {"username": "clerk", "password": PASSWORD}
            assert (await client.post("/admin/login", data=form)).status_code in (200, 303)
            return await client.post("/admin/kb/gradio_api/upload", content=body(),
                                     headers={"content-type": content_type})  # fmt: skip

    response = asyncio.run(run())
    assert response.status_code == 413, response.text
    assert "admin.max_upload_mb" in json.loads(response.text)["message"]
    assert sum(sent) < 400_000  # the rest was never read
    assert gradio_files(upload_folder()) | gradio_files(config.paths.data_dir / "uploads") == before


def test_upload_limit_is_in_config(tmp_path: Path) -> None:
    assert KioskConfig().admin.max_upload_mb > 0
    assert admin_config(tmp_path).admin.trusted_origins == []


def test_ledger_forgets_sessions_idle_past_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = UploadLedger(ttl_s=60)
    ledger.record("old", ["/tmp/gradio/a/x.md"])
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert not ledger.owns("old", "/tmp/gradio/a/x.md")
    ledger.record("new", ["/tmp/gradio/b/y.md"])
    assert "old" not in ledger._paths and ledger.owns("new", "/tmp/gradio/b/y.md")
