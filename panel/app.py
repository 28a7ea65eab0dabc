"""Staff and admin web panel under config.admin.path, behind login: mounted in the kiosk's app on a single box, or
served by its own process (`build_panel_app`, `kiosk admin serve`) beside any number of kiosks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Request

from core.errors import AdminError
from core.theme import kiosk_theme
from panel.access import AdminGuard, current_user
from panel.context import PanelServices
from panel.request_checks import UploadLedger
from panel.ui_common import PANEL_CSS

if TYPE_CHECKING:
    from kiosk.services import Services

__all__ = ["build_panel_app", "mount_admin"]


def _username(request: Request) -> str | None:
    user = current_user(request.scope)
    return user.username if user else None


def mount_admin(app: FastAPI, services: PanelServices) -> None:
    """Add login routes, downloads, the staff pages (<path>/kb) and admin pages (<path>/ops) to `app`.

    Every request under the path passes the AdminGuard middleware first: no session → login page (or 401),
    wrong role → 403. Call before the app starts serving.
    """
    import gradio as gr

    from panel.kb_panel import build_kb_blocks
    from panel.ops_panel import build_ops_blocks
    from panel.routes import build_router

    config = services.config.admin
    base = config.path.rstrip("/")
    if not base.startswith("/") or base.count("/") != 1:
        raise AdminError("admin-path", f"admin.path must be one path segment such as /admin, not {config.path!r}")
    store = services.store
    if store is None:
        raise AdminError("no-store", "the panel needs its database (paths.database_url); the health report says why it did not open")
    store.purge_old(store.retention_days())
    ttl_s = config.session_ttl_min * 60
    options = {"ledger": UploadLedger(ttl_s=max(ttl_s, 3600)), "max_upload_bytes": int(config.max_upload_mb * 1024 * 1024),
               "trusted_origins": config.trusted_origins}  # fmt: skip
    app.add_middleware(AdminGuard, store=store, base_path=base, session_ttl_s=ttl_s, **options)  # type: ignore[arg-type]
    # The middleware instance is built lazily by Starlette; the routes need one for cookie signing.
    guard = AdminGuard(app=lambda scope, receive, send: None, store=store, base_path=base,  # type: ignore[arg-type]
                       session_ttl_s=ttl_s, **options)  # type: ignore[arg-type]  # fmt: skip
    app.include_router(build_router(services, guard))
    common = {"auth_dependency": _username, "css": PANEL_CSS, "footer_links": [], "ssr_mode": False,
              "theme": kiosk_theme(), "allowed_paths": []}  # fmt: skip
    gr.mount_gradio_app(app, build_kb_blocks(services), path=f"{base}/kb", **common)
    gr.mount_gradio_app(app, build_ops_blocks(services), path=f"{base}/ops", **common)


def build_panel_app(services: Services) -> FastAPI:
    """The panel as its own web app: the same guard, login, Origin checks and upload limits as when mounted in the
    kiosk, plus `/health`; "/" leads to the panel."""
    from fastapi.responses import RedirectResponse

    from kiosk.health import health_router

    app = FastAPI(title="kiosk admin", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router(services, "panel"))
    base = services.config.admin.path.rstrip("/")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{base}/", status_code=307)

    mount_admin(app, services)
    return app
