"""`/health` on the kiosk and on the standalone panel, and the switch that keeps the panel out of a kiosk."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.config import KioskConfig
from kiosk.health import health_router
from kiosk.services import Services
from tests.unit.kiosk_fakes import FakeAnswerer


class Kb:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def current_version(self) -> int:
        if self.fail:
            raise OSError("/secret/path/registry.sqlite: disk I/O error")
        return 7


def client(services: Services, role: str) -> TestClient:
    app = FastAPI()
    app.include_router(health_router(services, role))  # type: ignore[arg-type]
    return TestClient(app)


def test_a_kiosk_is_healthy_with_its_knowledge_base_even_without_a_turn_log() -> None:
    services = Services(KioskConfig(), kb=Kb(), answerer=FakeAnswerer(), store=None)  # type: ignore[arg-type]
    response = client(services, "kiosk").get("/health")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body == {"status": "ok", "role": "kiosk", "kb_version": 7, "engines": body["engines"], "llm": "fake-answerer"}
    assert body["engines"]["answerer"] == "ready" and body["engines"]["store"] == "off"


def test_health_names_the_chat_model_only_once_it_is_built_and_never_its_server() -> None:
    config = KioskConfig()
    config.llm.backend, config.llm.base_url, config.llm.model_name = "openai", "http://10.1.2.3:8000/v1", "qwen-7b"
    services = Services(config, kb=Kb(), store=None)  # type: ignore[arg-type]
    assert client(services, "kiosk").get("/health").json()["llm"] is None  # health does not build the answerer
    services.answerer  # built as on the first question: the OpenAI-compatible backend opens no connection yet
    response = client(services, "kiosk").get("/health")
    assert response.json()["llm"] == "openai:qwen-7b" and "10.1.2.3" not in response.text


def test_the_panel_without_its_store_and_a_kiosk_without_its_kb_are_unavailable_and_say_no_more() -> None:
    panel = Services(KioskConfig(), kb=Kb(), answerer=FakeAnswerer(), store=None)  # type: ignore[arg-type]
    response = client(panel, "panel").get("/health")
    assert response.status_code == 503 and response.json()["unavailable"] == ["store"]
    kiosk = Services(KioskConfig(), kb=Kb(fail=True), answerer=FakeAnswerer(), store=None)  # type: ignore[arg-type]
    response = client(kiosk, "kiosk").get("/health")
    assert response.status_code == 503 and response.json()["unavailable"] == ["kb"]
    assert "secret" not in response.text and response.json()["kb_version"] is None


def test_a_city_kiosk_serves_no_panel_but_its_health(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.ui import build_app

    config = KioskConfig()
    config.paths.data_dir = tmp_path
    config.admin.mount_in_kiosk = False
    services = Services(config, kb=Kb(), answerer=FakeAnswerer())  # type: ignore[arg-type]
    web = TestClient(build_app(services))
    assert web.get("/health").json()["role"] == "kiosk"
    assert "登录" not in web.get("/admin/login").text
    config.admin.mount_in_kiosk = True
    web = TestClient(build_app(Services(config, kb=Kb(), answerer=FakeAnswerer())))  # type: ignore[arg-type]
    assert web.get("/admin/login").status_code == 200 and "登录" in web.get("/admin/login").text
