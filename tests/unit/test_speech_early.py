from __future__ import annotations

import threading
import time

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.models import Transcript
from kiosk.ui.media import MediaStore
from speech.early import EarlyTranscriber


class SlowTranscriber:
    name = "slow-asr"

    def __init__(self, seconds: float = 0.2) -> None:
        self.seconds = seconds
        self.calls = 0
        self.release = threading.Event()
        self.release.set()

    def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript:
        self.calls += 1
        self.release.wait(5)
        time.sleep(self.seconds)
        return Transcript(text=f"heard {len(np.asarray(audio))}", duration_s=1.0, asr_s=self.seconds)

    def set_vocabulary(self, terms: list[str]) -> str:
        return "vocabulary " + ",".join(terms)


def clip(n: int = 16000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.1, 0.1, n).astype(np.float32)


def test_final_clip_equal_to_the_early_one_waits_for_the_early_decode_instead_of_decoding_again() -> None:
    inner = SlowTranscriber(0.3)
    asr = EarlyTranscriber(inner)
    audio = clip()
    assert asr.start(audio)
    time.sleep(0.2)  # the page's end-of-speech wait
    started = time.perf_counter()
    transcript = asr.transcribe(audio.copy())
    waited = time.perf_counter() - started
    assert transcript.text == "heard 16000"
    assert inner.calls == 1
    assert waited < 0.25, f"only the rest of the early decode should be waited for, waited {waited:.2f} s"
    assert asr.pending() == 0


def test_a_different_final_clip_is_decoded_itself() -> None:
    inner = SlowTranscriber(0.0)
    asr = EarlyTranscriber(inner)
    asr.start(clip(16000))
    transcript = asr.transcribe(clip(20000, seed=1))  # the citizen spoke on after the early clip
    assert transcript.text == "heard 20000"
    assert inner.calls == 2


def test_early_clips_do_not_pile_up_behind_a_running_decode() -> None:
    inner = SlowTranscriber(0.0)
    inner.release.clear()  # the first early decode blocks
    asr = EarlyTranscriber(inner, max_waiting=1)
    assert asr.start(clip(seed=1))
    time.sleep(0.05)
    assert asr.start(clip(seed=2))  # one may wait
    assert not asr.start(clip(seed=3))  # a third is skipped: its final clip will be decoded the ordinary way
    assert not asr.start(clip(seed=1))  # the same audio twice is started once
    inner.release.set()


def test_wrapper_passes_the_recogniser_s_own_methods_through() -> None:
    asr = EarlyTranscriber(SlowTranscriber())
    assert asr.name == "slow-asr"
    assert asr.set_vocabulary(["居住证"]) == "vocabulary 居住证"


def test_early_upload_is_stored_and_handed_to_the_early_decoder() -> None:
    seen: list[int] = []
    done = threading.Event()

    def early(samples: np.ndarray) -> None:
        seen.append(len(samples))
        done.set()

    store = MediaStore(max_utterance_s=2.0, early_decode=early)
    app = FastAPI()
    app.include_router(store.router())
    client = TestClient(app)
    pcm = (np.ones(8000) * 1000).astype("<i2").tobytes()
    plain = client.post("/kiosk-media/utterance", content=pcm)
    assert plain.status_code == 200 and not seen  # an ordinary upload starts nothing early
    response = client.post("/kiosk-media/utterance?early=1", content=pcm)
    assert response.status_code == 200
    assert done.wait(5) and seen == [8000]
    samples = store.take_utterance(response.json()["id"])  # the page submits the early id when quiet lasted
    assert samples is not None and len(samples) == 8000


def test_a_failed_early_decode_is_done_again_on_the_final_clip() -> None:
    class FailsOnce(SlowTranscriber):
        def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("decoder crashed")
            return Transcript(text="heard again", duration_s=1.0, asr_s=0.0)

    inner = FailsOnce(0.0)
    asr = EarlyTranscriber(inner)
    audio = clip()
    asr.start(audio)
    assert asr.transcribe(audio).text == "heard again"
    assert inner.calls == 2


def test_a_malformed_early_upload_is_refused_before_anything_is_decoded() -> None:
    seen: list[int] = []
    store = MediaStore(max_utterance_s=1.0, early_decode=lambda samples: seen.append(len(samples)))
    app = FastAPI()
    app.include_router(store.router())
    client = TestClient(app)
    assert client.post("/kiosk-media/utterance?early=1", content=b"\x00\x01\x02").status_code == 400
    assert client.post("/kiosk-media/utterance?early=1", content=b"\x00\x00" * 16001).status_code == 413
    time.sleep(0.2)
    assert seen == []
