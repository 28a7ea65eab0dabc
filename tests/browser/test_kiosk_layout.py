"""The kiosk page as a hall uses it: usable after 20 turns in portrait and landscape, big controls, readable answers.

Fake engines (tests/browser/kiosk_server.py), so twenty turns take seconds. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OUTPUT
from tests.browser.kiosk_server import LONG_ANSWER
from tests.browser.layout import boxes, inside, intersect, lone_character_lines

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
TURNS = 20
CONTROLS = ["#hot-topics", "#question-box", "#send-button", "#elderly-mode label", "#handoff-button", "#feedback-up",
            "#feedback-down", "#ptt-button", ".handsfree", "#subtitle"]  # fmt: skip
TOUCH_TARGETS = ["button.hot-topic", "#send-button", "#elderly-mode label", "#handoff-button", "#feedback-up",
                 "#feedback-down", "#ptt-button", ".handsfree", "#question-box textarea"]  # fmt: skip
MIC_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def ask(page: Any, question: str, turn: int) -> None:
    page.fill("#question-box textarea", question)
    page.press("#question-box textarea", "Enter")
    page.wait_for_function(
        "n => document.querySelector('.conversation')?.dataset.turns === String(n)"
        " && document.querySelector('.exchange:last-child .citation') !== null",
        arg=turn, timeout=20_000,
    )


def assert_usable(page: Any, viewport: dict[str, int], min_touch_px: float, name: str) -> None:
    width, height = viewport["width"], viewport["height"]
    found = boxes(page, ["#conversation", *CONTROLS])
    conversation = found.pop("#conversation")
    assert conversation is not None and inside(conversation, width, height), f"{name}: conversation box {conversation}"
    for selector, box in found.items():
        assert box is not None, f"{name}: {selector} is missing"
        assert inside(box, width, height), f"{name}: {selector} is off screen at {box}"
        assert not intersect(box, conversation), f"{name}: the conversation runs under {selector}"
    scroll = page.evaluate(
        "() => { const c = document.querySelector('#conversation'); const s = getComputedStyle(c);"
        " return {overflow: s.overflowY, top: c.scrollTop, client: c.clientHeight, height: c.scrollHeight}; }"
    )
    assert scroll["overflow"] in ("auto", "scroll"), f"{name}: the conversation does not scroll ({scroll})"
    assert scroll["height"] > scroll["client"], f"{name}: {TURNS} turns should overflow the box ({scroll})"
    assert scroll["top"] + scroll["client"] >= scroll["height"] - 2, f"{name}: the newest answer is not in view ({scroll})"
    newest = boxes(page, [".exchange:last-child .bubble.assistant"])[".exchange:last-child .bubble.assistant"]
    assert newest is not None and newest["y"] + newest["height"] <= conversation["y"] + conversation["height"] + 1
    page_scroll = page.evaluate("() => [document.scrollingElement.scrollTop, document.scrollingElement.scrollHeight]")
    assert page_scroll[0] == 0 and page_scroll[1] <= height + 1, f"{name}: the page itself scrolls {page_scroll}"
    for selector in TOUCH_TARGETS:
        for box in page.evaluate(
            "s => [...document.querySelectorAll(s)].filter(e => e.offsetParent !== null)"
            ".map(e => { const r = e.getBoundingClientRect(); return {w: r.width, h: r.height}; })", selector
        ):
            assert min(box["w"], box["h"]) >= min_touch_px, f"{name}: {selector} is {box}, below {min_touch_px} px"
    assert lone_character_lines(page, "button.hot-topic") == [], f"{name}: a hot topic wraps a lone character"


@pytest.mark.parametrize(
    ("name", "viewport", "elderly"),
    [("portrait", PORTRAIT, False), ("landscape", LANDSCAPE, False), ("portrait-elderly", PORTRAIT, True),
     ("landscape-elderly", LANDSCAPE, True)],  # fmt: skip
)
def test_page_stays_usable_after_twenty_turns(open_kiosk, name: str, viewport: dict[str, int], elderly: bool) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page(viewport=viewport)
    if elderly:
        page.click("#elderly-mode label")
        page.wait_for_function("() => document.body.classList.contains('elderly')")
    page.screenshot(path=str(OUTPUT / f"layout-{name}-home.png"))
    assert_home_has_no_empty_bands(page, viewport, name)
    for turn in range(1, TURNS + 1):
        ask(page, f"办居住证要带什么材料（第{turn}次）", turn)
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUTPUT / f"layout-{name}-{TURNS}-turns.png"))
    assert_usable(page, viewport, 64 if elderly else 48, name)
    page.click("#feedback-down")
    page.wait_for_selector(".exchange:last-child .note.feedback:has-text('已记录')")
    assert_usable(page, viewport, 64 if elderly else 48, f"{name} after feedback")
    assert "已记录" in page.inner_text(".exchange:last-child")  # the confirmation is in view, under the newest answer


def assert_home_has_no_empty_bands(page: Any, viewport: dict[str, int], name: str, max_gap_px: float = 48) -> None:
    """Between the blocks of each column, and below the last, no more than max_gap_px of nothing."""
    columns = page.evaluate(
        """() => ['#kiosk-left', '#kiosk-right'].map((s) => {
          const col = document.querySelector(s).getBoundingClientRect();
          const kids = [...document.querySelectorAll(s + ' > *')].map((e) => e.getBoundingClientRect())
            .filter((r) => r.height > 0).sort((a, b) => a.top - b.top);
          return {bottom: col.bottom, kids: kids.map((r) => [r.top, r.bottom])};
        })"""
    )
    for column in columns:
        kids = column["kids"]
        gaps = [b[0] - a[1] for a, b in zip(kids, kids[1:], strict=False)]
        assert max(gaps, default=0) <= max_gap_px, f"{name}: an empty band between the controls {gaps}"
    filled = columns if viewport["width"] > viewport["height"] else columns[1:]  # portrait: the left part sits on top
    for column in filled:
        assert viewport["height"] - column["kids"][-1][1] <= max_gap_px, f"{name}: an empty band under the controls"


def test_long_answer_cites_once_lists_items_and_folds_the_article(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page()
    ask(page, "办居住证的条文怎么规定", 1)
    answer = page.locator(".exchange:last-child .bubble.assistant")
    lead = answer.locator(".answer-lead").inner_text()
    assert "居住证暂行条例" not in lead, "the citation is said in the text and again under it"
    assert answer.locator(".citation").count() == 1 and "第九条" in answer.locator(".citation").inner_text()
    items = [t for t in answer.locator(".answer-lead .answer-line").all_inner_texts() if t[:2] in ("1.", "2.", "3.", "4.")]
    assert len(items) == 4, "each list item is on its own line"
    more = answer.locator("details.answer-more")
    assert more.locator("summary").inner_text() == "查看条文原文"
    assert not more.locator(".answer-text").is_visible()
    more.locator("summary").click()
    assert "房屋租赁合同" in more.locator(".answer-text").inner_text()
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=10_000)
    page.screenshot(path=str(OUTPUT / "kiosk-long-answer-unfolded.png"))
    page.wait_for_timeout(300)
    assert more.evaluate("d => d.open"), "the unfolded article folded itself again"
    assert page.evaluate("() => window.kioskStats.subtitles.length") >= 1
    # every subtitle the voice will show starts at a sentence start: a clip cut at a comma keeps its sentence
    page.wait_for_function("() => document.querySelector('#speech-channel textarea').value.includes('材料等。')")
    clips = json.loads(page.input_value("#speech-channel textarea"))["clips"]
    assert len(clips) >= 3
    for clip in clips:
        start = LONG_ANSWER.find(clip["subtitle"])
        assert start >= 0 and (start == 0 or LONG_ANSWER[start - 1] in "。！？；"), f"mid-sentence subtitle: {clip}"


def test_last_feedback_choice_wins(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page()
    ask(page, "身份证丢了怎么补办", 1)
    page.click("#feedback-down")
    page.wait_for_selector(".note.feedback:has-text('已记录，我们会改进')")
    page.click("#feedback-up")
    page.wait_for_selector(".note.feedback:has-text('感谢您的评价')", timeout=10_000)
    assert page.locator(".note.feedback").count() == 1


def test_spoken_question_is_shown_as_understood_and_can_be_retyped(open_kiosk, spoken_question_wav: Path) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page(MIC_ARGS + [f"--use-file-for-fake-audio-capture={spoken_question_wav}"], permissions=["microphone"])
    page.check("#handsfree-toggle")
    page.wait_for_selector(".bubble.citizen.heard", timeout=30_000)
    page.uncheck("#handsfree-toggle")
    heard = page.locator(".bubble.citizen.heard").first
    assert heard.locator(".heard-label").inner_text() == "您问的是："
    understood = heard.locator(".heard-text").inner_text()
    retype = heard.locator(".retype")
    box = retype.bounding_box()
    assert box is not None and box["height"] >= 48
    page.screenshot(path=str(OUTPUT / "kiosk-heard-question.png"))
    retype.click()  # one tap: the understood question is in the text box, ready to correct
    assert page.input_value("#question-box textarea") == understood
    assert page.evaluate("() => document.activeElement === document.querySelector('#question-box textarea')")
    turns = int(page.get_attribute(".conversation", "data-turns") or "0")
    ask(page, "办居住证要带什么材料", turns + 1)
    assert page.inner_text(".exchange:last-child .bubble.citizen") == "办居住证要带什么材料"
    page.screenshot(path=str(OUTPUT / "kiosk-heard-question-corrected.png"))
