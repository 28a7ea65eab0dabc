"""A kiosk server on fake engines and headless Debian Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
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

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
IDLE_RESET_S = 8
SPOKEN_QUESTION = "办居住证要带什么材料"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]


def _serve(extra_args: list[str], log_name: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "KIOSK_KIOSK__IDLE_RESET_S": str(IDLE_RESET_S), "GRADIO_ANALYTICS_ENABLED": "False"}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = open(OUTPUT / log_name, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.kiosk_server", "--port", str(port), *extra_args],
        cwd=REPO, env=env, stdout=log, stderr=log,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kiosk server did not start; see {OUTPUT / log_name}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(10)
        log.close()


@pytest.fixture(scope="session")
def kiosk_url() -> Iterator[str]:
    """Fake engines throughout: fast and deterministic."""
    yield from _serve([], "server.log")


@pytest.fixture(scope="session")
def real_asr_kiosk_url() -> Iterator[str]:
    """The real Whisper model hears the microphone; answers and voice are still fakes."""
    yield from _serve(["--real-asr"], "server-real-asr.log")


@pytest.fixture(scope="session")
def spoken_question_wav(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """A real Mandarin recording with silence around it; Chromium loops it as the microphone."""
    clip = shared_dir / "speech" / "clips" / "BAC009S0764W0121.wav"
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
def synthesized_question_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kiosk question read by the offline voice, 16 kHz, with silence around it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from core.config import load_config
    from speech import build_synthesizer
    from speech.audio import to_mono_16k

    config = load_config()
    config.paths.model_cache_dir = REPO / "var" / "models"
    config.tts.engines = ["offline"]
    synthesizer = build_synthesizer(config)
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already own this thread's event loop
        spoken = pool.submit(asyncio.run, synthesizer.synthesize(SPOKEN_QUESTION)).result()
    speech = (to_mono_16k(np.asarray(spoken.samples), spoken.sample_rate) * 32767).astype("<i2")
    silence = np.zeros(16000, dtype="<i2")
    path = tmp_path_factory.mktemp("mic") / "synthesized.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        # long trailing silence: the loop must not come round (a new question) before Whisper has answered
        w.writeframes(np.concatenate([silence, speech, np.zeros(16000 * 20, dtype="<i2")]).tobytes())
    return path


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, which would
# break every asyncio test collected after the browser tests.
@pytest.fixture(scope="module")
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

    def open_page(  # type: ignore[no-untyped-def]
        extra_args: list[str] = (), viewport: dict[str, int] | None = None, permissions: list[str] = (), url: str = kiosk_url
    ):
        browser = browser_factory(list(extra_args))
        context = browser.new_context(viewport=viewport or {"width": 1080, "height": 1920}, permissions=list(permissions))
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requests.urls.append(request.url))
        page.goto(url)
        page.wait_for_selector("body[data-kiosk-ready='1']", timeout=30_000)
        return page

    yield open_page, requests
    for context in contexts:
        context.close()
    assert requests.urls, "no request was recorded at all"
    assert requests.external() == [], f"requests left the box: {requests.external()}"
