"""A kiosk server on fake engines and headless Debian Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
IDLE_RESET_S = 8
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def kiosk_url() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "KIOSK_KIOSK__IDLE_RESET_S": str(IDLE_RESET_S), "GRADIO_ANALYTICS_ENABLED": "False"}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = open(OUTPUT / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.kiosk_server", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kiosk server did not start; see {OUTPUT / 'server.log'}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(10)
        log.close()


@pytest.fixture(scope="session")
def spoken_question_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Mandarin recording with silence around it; Chromium loops it as the microphone."""
    clip = REPO.parent / "shared" / "speech" / "clips" / "BAC009S0764W0121.wav"
    with wave.open(str(clip)) as w:
        rate = w.getframerate()
        speech = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    silence = np.zeros(int(rate * 1.0), dtype="<i2")
    path = tmp_path_factory.mktemp("mic") / "question.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate([silence, speech, silence, silence, silence]).tobytes())
    return path


@pytest.fixture(scope="session")
def browser_factory():  # type: ignore[no-untyped-def]
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.skip("Debian chromium is not installed (scripts/install-system-deps.sh)")
    with playwright_api.sync_playwright() as pw:
        browsers = []

        def launch(extra_args: list[str] = ()):  # type: ignore[no-untyped-def]
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS + list(extra_args))
            browsers.append(browser)
            return browser

        yield launch
        for browser in browsers:
            browser.close()


class RequestLog:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def external(self) -> list[str]:
        return [u for u in self.urls if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname not in LOCAL_HOSTS]


@pytest.fixture
def open_kiosk(browser_factory, kiosk_url):  # type: ignore[no-untyped-def]
    """Open the kiosk in a fresh portrait page; every request it makes is recorded and checked afterwards."""
    requests = RequestLog()
    contexts = []

    def open_page(extra_args: list[str] = (), viewport: dict[str, int] | None = None, permissions: list[str] = ()):  # type: ignore[no-untyped-def]
        browser = browser_factory(list(extra_args))
        context = browser.new_context(viewport=viewport or {"width": 1080, "height": 1920}, permissions=list(permissions))
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requests.urls.append(request.url))
        page.goto(kiosk_url)
        page.wait_for_selector("body[data-kiosk-ready='1']", timeout=30_000)
        return page

    yield open_page, requests
    for context in contexts:
        context.close()
    assert requests.urls, "no request was recorded at all"
    assert requests.external() == [], f"requests left the box: {requests.external()}"
