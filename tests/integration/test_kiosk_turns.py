"""Voice turns through the real engines: Whisper base, the offline voice, the Answerer on the real corpus.

The LLM is pointed at a closed port: the default quote style answers without it, so a turn never waits on a
model that is down; the LLM itself is covered by the answering tests.
"""

from __future__ import annotations

import asyncio
import socket

import numpy as np
import pytest

from core.models import AnswerMode
from core.models import PipelineEventType as E
from kiosk.pipeline import TurnRequest
from kiosk.services import Services
from tests.conftest import REPO, make_config

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def services(corpus_kb, tmp_path_factory: pytest.TempPathFactory) -> Services:  # type: ignore[no-untyped-def]
    config = make_config(
        tmp_path_factory.mktemp("kiosk"),
        llm={"backend": "openai", "base_url": f"http://127.0.0.1:{_closed_port()}/v1", "connect_timeout_s": 0.5},
        tts={"engines": ["offline"]},
    )
    config.paths.model_cache_dir = REPO / "var" / "models"
    return Services(config, kb=corpus_kb, store=None)


async def _question_audio(services: Services, text: str) -> np.ndarray:
    from speech.audio import to_mono_16k

    spoken = await services.synthesizer.synthesize(text)
    return to_mono_16k(np.asarray(spoken.samples), spoken.sample_rate)


async def test_spoken_question_is_heard_answered_and_spoken(services: Services) -> None:
    question = "办居住证要带什么材料"
    audio = await _question_audio(services, question)
    events = [e async for e in services.pipeline().start(TurnRequest(audio=audio))]
    kinds = [e.type for e in events]
    assert kinds[0] is E.RUN_START and kinds[-1] is E.RUN_END and E.CANCELLED not in kinds
    heard = next(e.transcript for e in events if e.type is E.ASR_END)
    assert heard is not None
    overlap = sum(ch in heard.text for ch in question) / len(question)
    assert overlap >= 0.7, f"heard {heard.text!r} for {question!r}"
    answer = next(e.answer for e in events if e.type is E.ANSWER_END)
    # the model is down; the quote style needs none, so the heard question is answered from the statute itself
    assert answer is not None and answer.answer and answer.mode is not AnswerMode.LLM
    if not answer.refused:
        assert answer.citations and answer.citations[0].title == "居住证暂行条例" and answer.citations[0].article == "第九条"
    clips = [e.audio for e in events if e.type is E.TTS_AUDIO]
    assert clips and all(c is not None and c.duration_s > 0.3 for c in clips), "the offline voice did not speak"
    assert any(c.marks for c in clips if c is not None), "no phone timings for lip sync"


async def test_barge_in_cancels_real_synthesis(services: Services) -> None:
    turn = services.pipeline().start(TurnRequest(text="失业保险金怎么领取，需要什么条件，领多长时间"))
    seen = []
    async for event in turn:
        seen.append(event.type)
        if event.type is E.ANSWER_START:
            turn.cancel()
    assert seen[-2:] == [E.CANCELLED, E.RUN_END]
    assert E.ANSWER_END not in seen


async def test_silence_asks_the_citizen_to_repeat_or_type(services: Services) -> None:
    events = [e async for e in services.pipeline().start(TurnRequest(audio=np.zeros(16000, np.float32)))]
    errors = [e.error for e in events if e.type is E.ERROR and e.error]
    assert errors and errors[0]["stage"] == "asr"
    answer = next(e.answer for e in events if e.type is E.ANSWER_END)
    assert answer is not None and "打字" in answer.answer
    assert any(e.audio is not None for e in events if e.type is E.TTS_AUDIO)
    await asyncio.sleep(0)
