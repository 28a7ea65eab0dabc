"""`GET /health` for load balancers and process supervisors, on the kiosk and on the standalone panel.

It says whether this process can do its job (200) or not (503), its role, the knowledge-base version it answers
from, each engine's state and the chat model's name. No error text: the endpoint needs no login, so it names states, never paths or hosts.
"""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kiosk.services import Services

log = logging.getLogger(__name__)

Role = Literal["kiosk", "panel"]


def health_report(services: Services, role: Role) -> tuple[int, dict[str, object]]:
    """(HTTP status, body). A kiosk needs its knowledge base; the panel also needs its store (logins, audit)."""
    problems = []
    kb_version: int | None = None
    try:
        kb_version = services.kb.current_version()
    except Exception as exc:
        log.warning("health: knowledge base unreadable: %s", exc)
        problems.append("kb")
    if role == "panel" and services.store is None:
        problems.append("store")
    rows = services.health()
    engines = {row.engine: row.status.value for row in rows}
    body: dict[str, object] = {
        "status": "unavailable" if problems else "ok",
        "role": role,
        "kb_version": kb_version,
        "engines": engines,
        # the chat model's name (backend:model, e.g. openai:qwen-0.5b) once built; never its URL
        "llm": next((row.model for row in rows if row.engine == "answerer" and row.status.value == "ready"), None),
    }
    preparing = {row.engine: row.preparing for row in rows if row.preparing}
    if preparing:  # vectors embedded after the start (a first start's statements): turns are slower meanwhile
        body["preparing"] = preparing
    if problems:
        body["unavailable"] = problems
    return (503 if problems else 200), body


def health_router(services: Services, role: Role) -> APIRouter:
    router = APIRouter()

    @router.get("/health", include_in_schema=False)
    def health() -> JSONResponse:  # sync: FastAPI runs it on a worker thread (it may read the database)
        status, body = health_report(services, role)
        return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})

    return router
