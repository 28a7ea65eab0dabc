"""The kiosk page in headless Chromium: typed and spoken questions, barge-in, idle reset, no external requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import IDLE_RESET_S, OUTPUT, SPOKEN_QUESTION
from tests.browser.kiosk_server import ANSWER, SLOW_ANSWER, VOICE_DELAY_S

pytestmark = pytest.mark.browser

MIC_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def stats(page, key: str):  # type: ignore[no-untyped-def]
    return page.evaluate(f"() => window.kioskStats.{key}")


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    """Type a question and send it, as a citizen does."""
    page.fill("#question-box textarea", question)
    page.press("#question-box textarea", "Enter")


def test_typed_question_gets_an_answer_with_citation(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page()
    assert page.inner_text("#subtitle").startswith("您好")  # the greeting before anyone asks
    assert page.get_attribute("#question-box textarea", "maxlength") == "500"  # kiosk.max_question_chars
    page.screenshot(path=str(OUTPUT / "kiosk-portrait-idle.png"))
    ask(page, "办居住证要带什么材料")
    page.wait_for_selector(".citation", timeout=20_000)
    assert "办居住证要带什么材料" in page.inner_text(".bubble.citizen")
    assert ANSWER in page.inner_text(".bubble.assistant")
    assert "居住证暂行条例" in page.inner_text(".citation") and "第九条" in page.inner_text(".citation")
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=10_000)
    assert page.get_attribute("#avatar-stage", "data-speaking") == "1"
    page.wait_for_timeout(400)
    assert page.get_attribute("#avatar-stage", "data-mouth") in {"A", "O", "E", "I", "U", "M", "S"}
    assert page.input_value("#question-box textarea") == ""
    page.screenshot(path=str(OUTPUT / "kiosk-portrait-answer.png"))
    page.click("#feedback-up")
    page.wait_for_selector(".note.feedback", timeout=10_000)


def test_spoken_question_gets_a_spoken_answer(open_kiosk, spoken_question_wav: Path) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page(MIC_ARGS + [f"--use-file-for-fake-audio-capture={spoken_question_wav}"], permissions=["microphone"])
    page.check("#handsfree-toggle")
    page.wait_for_function("() => window.kioskStats.utterances >= 1", timeout=20_000)
    page.wait_for_selector(".citation", timeout=20_000)
    heard = page.inner_text(".bubble.citizen .heard-text")
    seconds = float(heard.removeprefix("语音提问").removesuffix("秒"))
    assert 3.0 <= seconds <= 7.0, f"the uploaded utterance should hold the ~4.2 s recording, got {heard}"
    # the quiet after the question lasted: the clip uploaded early (for decoding during the wait) was submitted
    assert stats(page, "earlyReused") == 1
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=10_000)
    assert stats(page, "playing") is True
    page.screenshot(path=str(OUTPUT / "kiosk-spoken-answer.png"))


def test_whisper_hears_the_question_spoken_into_the_microphone(  # type: ignore[no-untyped-def]
    open_kiosk, real_asr_kiosk_url: str, synthesized_question_wav: Path
) -> None:
    open_page, _requests = open_kiosk
    page = open_page(
        MIC_ARGS + [f"--use-file-for-fake-audio-capture={synthesized_question_wav}"],
        permissions=["microphone"], url=real_asr_kiosk_url,
    )
    page.check("#handsfree-toggle")
    page.wait_for_selector(".citation", timeout=60_000)
    page.uncheck("#handsfree-toggle")
    heard = page.inner_text(".exchange:has(.citation) .bubble.citizen .heard-text")
    overlap = sum(ch in heard for ch in SPOKEN_QUESTION) / len(SPOKEN_QUESTION)
    assert overlap >= 0.7, f"Whisper heard {heard!r} for {SPOKEN_QUESTION!r}"
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=10_000)
    page.screenshot(path=str(OUTPUT / "kiosk-whisper-heard.png"))


def test_speaking_over_the_answer_stops_playback(open_kiosk, spoken_question_wav: Path) -> None:  # type: ignore[no-untyped-def]
    """The recording loops: its second pass starts while the answer plays, which is a barge-in."""
    open_page, _requests = open_kiosk
    page = open_page(MIC_ARGS + [f"--use-file-for-fake-audio-capture={spoken_question_wav}"], permissions=["microphone"])
    page.check("#handsfree-toggle")
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=30_000)
    page.wait_for_function("() => window.kioskStats.bargeIns.length >= 1", timeout=30_000)
    assert stats(page, "playing") is False
    latency_ms = stats(page, "bargeIns")[0]
    assert latency_ms < 300, f"playback stopped {latency_ms:.0f} ms after speech onset was detected"
    page.uncheck("#handsfree-toggle")


def test_tapping_the_avatar_stops_playback(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page()
    ask(page, "身份证丢了怎么补办")
    page.wait_for_function("() => window.kioskStats.playing === true", timeout=20_000)
    page.click("#avatar-stage")
    assert stats(page, "playing") is False
    assert page.get_attribute("#avatar-stage", "data-speaking") == "0"
    page.wait_for_timeout(1500)
    assert stats(page, "playing") is False, "playback resumed after the barge-in"
    assert stats(page, "bargeIns")[0] < 300


def test_a_new_question_silences_the_answer_before_it(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    """On a busy box an answer's text shows before its voice; asking again meanwhile must not let that voice
    arrive late and speak the old answer over the new question."""
    open_page, _requests = open_kiosk
    page = open_page()
    ask(page, "声音慢一点的问题")
    page.wait_for_selector(".exchange .citation", timeout=20_000)
    first_turn = page.get_attribute(".exchange", "data-turn")
    assert stats(page, "clipsPlayed") == 0  # its text is on screen, its voice not yet
    ask(page, "办居住证要带什么材料")
    page.wait_for_function("() => document.querySelectorAll('.exchange').length === 2", timeout=10_000)
    assert page.inner_text("#subtitle") == "", "the greeting or an old subtitle stayed up over the new question"
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=10_000)
    # the first answer's clip, as a busy network may still deliver it after the citizen asked again
    late = {"turn": first_turn, "clips": [{"seq": 0, "text": SLOW_ANSWER, "subtitle": SLOW_ANSWER, "url": None, "marks": []}]}
    page.evaluate("(t) => window.kioskPage.onSpeech(JSON.stringify(t))", late)
    assert stats(page, "playing") is True, "a late clip of the earlier answer stopped the new one"
    page.wait_for_timeout(VOICE_DELAY_S * 1000 + 500)  # the server's own late clip, had the turn not been cut off
    assert SLOW_ANSWER not in stats(page, "subtitles"), "the earlier answer's voice was played after a new question"
    assert stats(page, "subtitlesOnly") == 0
    # the server says the turn being spoken was cut off (a barge-in elsewhere): its voice stops
    second_turn = page.get_attribute(".exchange:last-child", "data-turn")
    page.evaluate("(t) => window.kioskPage.onSpeech(JSON.stringify({turn: t, clips: [], cancelled: true}))", second_turn)
    assert stats(page, "playing") is False


def test_a_sound_before_the_answers_voice_arrives_does_not_mute_it(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    """A cough (a speech onset that never becomes a question) while the voice is on its way stops nothing."""
    open_page, _requests = open_kiosk
    page = open_page()
    ask(page, "声音慢一点的问题")
    page.wait_for_selector(".exchange .citation", timeout=20_000)
    page.evaluate("() => window.kioskPage.bargeIn()")  # what hands-free speech onset calls
    page.wait_for_function("() => window.kioskStats.clipsPlayed >= 1", timeout=(VOICE_DELAY_S + 5) * 1000)
    assert SLOW_ANSWER in stats(page, "subtitles")


def test_idle_reset_clears_the_screen(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page(viewport={"width": 1920, "height": 1080})
    page.click("button.hot-topic >> nth=0")
    page.wait_for_selector(".citation", timeout=20_000)
    page.screenshot(path=str(OUTPUT / "kiosk-landscape-answer.png"))
    page.click("#avatar-stage")  # stop the voice so that idle time starts counting
    page.wait_for_function("() => window.kioskStats.resets >= 1", timeout=(IDLE_RESET_S + 10) * 1000)
    page.wait_for_function("() => !document.querySelector('.bubble')", timeout=10_000)
    assert page.inner_text("#subtitle").startswith("您好")
    page.screenshot(path=str(OUTPUT / "kiosk-landscape-after-idle-reset.png"))


def test_elderly_mode_and_handoff(open_kiosk) -> None:  # type: ignore[no-untyped-def]
    open_page, _requests = open_kiosk
    page = open_page()
    before = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#subtitle')).fontSize)")
    page.check("#elderly-mode input")
    page.wait_for_function("() => document.body.classList.contains('elderly')")
    after = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#subtitle')).fontSize)")
    assert after > before * 1.2
    page.click("#handoff-button")
    page.wait_for_selector(".handoff-card", timeout=10_000)
    assert "取号" in page.inner_text(".handoff-card")
    page.screenshot(path=str(OUTPUT / "kiosk-elderly-handoff.png"))
