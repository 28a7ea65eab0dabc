"""Issue 14's acceptance test: a city deployment on loopback (tests/deployment.py).

PostgreSQL, a Chroma server, an OpenAI-compatible model server, one panel process and two kiosk processes. A clerk
uploads a real statute through the panel page in headless Chromium; both kiosks answer from it with its citation,
asked over HTTP as the kiosk page asks. The clerk retires it: neither kiosk cites it any more. One kiosk is
SIGKILLed: the turns it answered are in PostgreSQL, and restarted it answers again from the shared knowledge base.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.soak_clients import Screen, Turn, page_event_ids
from tests.deployment import LLM_ALIAS, CityDeployment, recorded_turns, registry_version

pytestmark = pytest.mark.integration

STATUTE = "护照法(2006-04-29).md"
TITLE = "护照法"
QUESTION = "普通护照的有效期是多久"
CLERK, PASSWORD = "clerk", "city-clerk-password-1"
FOLLOW_WITHIN_S = 30.0  # kb.refresh_interval_s (1 s here) + reloading BM25 and FAQ on a busy two-core box
KIOSKS = ("kiosk-a", "kiosk-b")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture()
def city(tmp_path: Path, postgres_url: str) -> Iterator[CityDeployment]:
    if not Path(shutil.which("chromium") or "/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (scripts/install-system-deps.sh)")
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is installed by `make install`")
    with CityDeployment(tmp_path, postgres_url) as city:
        try:
            city.start_chroma()
            city.start_model_server()
            city.create_user(CLERK, PASSWORD)
            city.start_panel()
            for name in KIOSKS:
                city.start_kiosk(name)
            city.wait_ready(["chroma", "model-server", "panel", *KIOSKS])
            yield city
        except BaseException:
            print(city.diagnostics(), file=sys.stderr)  # shown by pytest with the failure
            raise


def cites(turn: Turn) -> bool:
    return STATUTE in turn.sources


ANSWERED: dict[str, int] = {}  # Gradio session → turns answered without error


async def ask(screen: Screen) -> Turn:
    turn = await screen.ask(QUESTION)
    if turn.error is None:
        ANSWERED[screen.session] = ANSWERED.get(screen.session, 0) + 1
    return turn


async def until(screen: Screen, condition: Callable[[Turn], bool], what: str) -> tuple[Turn, float]:
    """Ask QUESTION until `condition(turn)`; the turn and how long the change took to show on this screen."""
    started = time.monotonic()
    while True:
        turn = await ask(screen)
        assert turn.error is None, f"{what}: the kiosk failed to answer: {turn.error}"
        if condition(turn):
            return turn, time.monotonic() - started
        assert time.monotonic() - started < FOLLOW_WITHIN_S, f"{what}: not shown within {FOLLOW_WITHIN_S:.0f} s: {turn}"


async def screen_of(city: CityDeployment, name: str, index: int) -> Screen:
    base = city.processes[name].base_url
    return Screen(base, index, *await page_event_ids(base))


async def clerk_page(browser: Any, panel_url: str) -> Any:
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
    await page.goto(panel_url + "/admin/kb/")
    await page.fill("#username", CLERK)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(panel_url + "/admin/kb/")
    await page.wait_for_selector("#upload-files")
    return page


async def document_action(page: Any, button: str) -> None:
    """Pick the statute in the documents tab and press `button` (停用 / 恢复为有效)."""
    await page.click("#doc-select input")
    await page.get_by_role("option").filter(has_text=TITLE).first.click()
    await page.get_by_role("button", name=button, exact=True).click()
    await page.wait_for_selector("#doc-action-status:has-text('已完成')", timeout=60_000)


async def test_staff_change_reaches_every_kiosk_and_a_killed_kiosk_comes_back(city: CityDeployment, shared_dir: Path) -> None:
    from playwright.async_api import async_playwright

    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                               args=CHROMIUM_ARGS)  # fmt: skip
            await run_scenario(city, browser, shared_dir)
            await browser.close()
    except BaseException:
        print(city.diagnostics(), file=sys.stderr)
        raise


async def run_scenario(city: CityDeployment, browser: Any, shared_dir: Path) -> None:
    screens = {name: await screen_of(city, name, i) for i, name in enumerate(KIOSKS)}
    for screen in screens.values():  # nothing uploaded yet: no kiosk can cite the statute
        before = await ask(screen)
        assert before.error is None and not cites(before), before

    page = await clerk_page(browser, city.processes["panel"].base_url)
    await page.set_input_files("#upload-files input[type=file]", str(shared_dir / "corpus" / "statutes" / STATUTE))
    await page.click("#ingest-button")
    await page.wait_for_selector("#ingest-status:has-text('入库结果')", timeout=240_000)
    assert "已入库" in await page.locator("#ingest-status").inner_text()
    version = registry_version(city.database_url)

    for name, screen in screens.items():
        turn, took = await until(screen, cites, f"{name} answering from the upload")
        assert not turn.error and "护照" in turn.answer and took < FOLLOW_WITHIN_S
    for name in KIOSKS:
        health = city.health(name)
        assert health["http_status"] == 200 and health["role"] == "kiosk", health
        assert health["kb_version"] == version and health["engines"]["answerer"] == "ready", health
        assert health["llm"] == f"openai:{LLM_ALIAS}", health  # the model server, not an embedded model
    assert city.health("panel")["kb_version"] == version

    await document_action(page, "停用")
    for name, screen in screens.items():
        await until(screen, lambda t: not cites(t), f"{name} dropping the retired statute")
        for _ in range(2):  # once the retirement is visible, it stays invisible
            assert not cites(await ask(screen))

    killed = screens["kiosk-b"]
    city.processes["kiosk-b"].kill()
    recorded = [t for t in recorded_turns(city.database_url) if t["session_id"] == killed.session]
    assert len(recorded) == ANSWERED[killed.session] >= 4 and {t["question"] for t in recorded} == {QUESTION}
    assert any(STATUTE in json.dumps(t["citations"], ensure_ascii=False) for t in recorded)
    assert all(t["timings"].get("total_s", 0) > 0 for t in recorded)  # the stage timings came along

    city.restart("kiosk-b")
    city.wait_ready(["kiosk-b"])
    screens["kiosk-b"] = await screen_of(city, "kiosk-b", 2)
    again = await ask(screens["kiosk-b"])
    assert again.error is None and not cites(again), again  # back, and it knows the statute is retired

    await document_action(page, "恢复为有效")
    for name, screen in screens.items():
        await until(screen, cites, f"{name} answering from the re-activated statute")
    for screen in screens.values():
        await screen.close()

    generated = json.loads(city.cli("ask-cli", "ask", "--json", "--no-record", QUESTION, settings={
        "KIOSK_ANSWERING__STYLE": "generate", "KIOSK_LLM__MAX_TOKENS": "40"}))  # fmt: skip
    assert generated["mode"] == "llm", generated  # the model server answered (a failing one gives "degraded")
