"""`kiosk admin serve` as a city deployment runs it: its own process on a loopback port, with the same login,
Origin check, Secure cookie and upload limit as the panel mounted in a kiosk, a health endpoint and a start-up report."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import REPO
from tests.servers import free_port, running_server

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@pytest.fixture()
def panel(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    config = {
        "paths": {"data_dir": str(tmp_path / "var"), "model_cache_dir": str(REPO / "var" / "models")},
        "admin": {"host": "127.0.0.1", "port": port, "failed_login_delay_s": 0, "max_upload_mb": 0.05},
    }
    config_path = tmp_path / "kiosk.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_CONFIG": str(config_path), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    kiosk = [sys.executable, "-m", "kiosk.cli"]
    created = subprocess.run([*kiosk, "admin", "create-user", "boss", "--role", "admin", "--password-stdin"],
                             input=PASSWORD + "\n", env=env, cwd=REPO, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert created.returncode == 0, created.stderr
    log_path = tmp_path / "panel.log"
    base = f"http://127.0.0.1:{port}"
    with running_server([*kiosk, "admin", "serve"], f"{base}/health", "kiosk admin serve", 180, log_path, env):
        yield {"base": base, "log": log_path}


def login(client: httpx.Client, **headers: str) -> httpx.Response:
    return client.post("/admin/login", data={"username": "boss", "password": PASSWORD, "next": "/admin/"}, headers=headers)


def test_the_panel_runs_as_its_own_process(panel: dict[str, Any]) -> None:
    with httpx.Client(base_url=panel["base"], follow_redirects=False, timeout=30) as client:
        health = client.get("/health")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["role"] == "panel" and isinstance(body["kb_version"], int)
        assert body["engines"]["store"] == "ready" and "error" not in str(body)

        assert client.get("/admin/").status_code in (303, 307, 401)  # no session: login first
        assert client.get("/admin/login").status_code == 200
        assert login(client, origin="https://evil.example").status_code == 403  # a foreign origin cannot log in

        response = login(client)
        assert response.status_code == 303 and response.headers["location"] == "/admin/"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain http
        page = client.get("/admin/")
        assert page.status_code == 200 and "已登录" in page.text and "/admin/ops/" in page.text

        too_big = client.post("/admin/kb/gradio_api/upload", files={"files": ("big.md", b"x" * 80_000)})
        assert too_big.status_code == 413  # admin.max_upload_mb, as when mounted in the kiosk

    with httpx.Client(base_url=panel["base"], follow_redirects=False, timeout=30) as client:
        # behind a TLS-terminating proxy on the same host, the session cookie is Secure
        secure = login(client, **{"x-forwarded-proto": "https"})
        assert secure.status_code == 303 and "secure" in secure.headers["set-cookie"].lower()

    report = Path(panel["log"]).read_text(encoding="utf-8")
    assert "start-up report (panel):" in report and "accounts: 1 admin, 0 staff" in report
    assert "uploads up to 0.05 MB" in report and "admin panel ready: http://127.0.0.1:" in report
