"""The kiosk web app: the Gradio page at "/", its media routes, `/health`, and the admin panel unless
admin.mount_in_kiosk is false (a city deployment runs it as its own process: `kiosk admin serve`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib.resources import files

import numpy as np
from fastapi import FastAPI

from core.theme import kiosk_theme
from kiosk.health import health_router
from kiosk.services import Services

log = logging.getLogger(__name__)


def page_assets() -> tuple[str, str]:
    """(css, js) for the page: local files only, no web fonts, no CDN."""
    from avatar import face_script

    ui = files("kiosk.ui")
    css = ui.joinpath("kiosk.css").read_text(encoding="utf-8")
    js = "() => {\n" + face_script() + "\n" + ui.joinpath("kiosk.js").read_text(encoding="utf-8") + "\n}"
    return css, js


def build_app(services: Services) -> FastAPI:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from kiosk.ui.media import MediaStore
    from kiosk.ui.page import KioskPage

    app = FastAPI(title="kiosk", docs_url=None, redoc_url=None, openapi_url=None)
    media = MediaStore(services.config.asr.max_audio_s, _early_decoder(services))
    app.include_router(media.router())
    app.include_router(health_router(services, "kiosk"))
    if services.config.admin.mount_in_kiosk:
        _mount_admin(app, services)
    page = KioskPage(services, media)
    css, js = page_assets()
    app.state.kiosk_page = page
    return gr.mount_gradio_app(
        app, page.build(), path="/", css=css, js=js, theme=kiosk_theme(), footer_links=[], ssr_mode=False, pwa=False
    )


def _early_decoder(services: Services) -> Callable[[np.ndarray], object] | None:
    if not services.config.asr.early_decode:
        return None

    def early(samples: np.ndarray) -> object:
        try:
            start = getattr(services.transcriber, "start", None)
            return start(samples) if start is not None else None
        except Exception:  # noqa: BLE001 - the final clip is decoded anyway and reports the recogniser's error
            log.debug("early decode not started", exc_info=True)
            return None

    return early


def _mount_admin(app: FastAPI, services: Services) -> None:
    try:
        from panel.app import mount_admin
    except ImportError as exc:
        log.info("admin panel not installed: %s", exc)
        return
    if services.store is None:
        log.warning("admin panel not mounted: no store (see the store's error in the health report)")
        return
    mount_admin(app, services)
