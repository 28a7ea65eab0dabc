from __future__ import annotations

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.models import SpeechAudio
from kiosk.ui.media import MediaStore


def client_and_store(max_s: float = 1.0) -> tuple[TestClient, MediaStore]:
    store = MediaStore(max_utterance_s=max_s)
    app = FastAPI()
    app.include_router(store.router())
    return TestClient(app), store


def test_uploaded_utterance_is_taken_once_as_float_audio() -> None:
    client, store = client_and_store()
    pcm = (np.sin(np.arange(8000) / 10) * 16000).astype("<i2")
    response = client.post("/kiosk-media/utterance", content=pcm.tobytes())
    assert response.status_code == 200
    samples = store.take_utterance(response.json()["id"])
    assert samples is not None and samples.dtype == np.float32 and len(samples) == 8000
    assert abs(float(samples.max()) - 16000 / 32768) < 1e-3
    assert store.take_utterance(response.json()["id"]) is None  # a recording is answered once


def test_bad_uploads_are_refused_with_a_reason() -> None:
    client, store = client_and_store(max_s=1.0)
    assert client.post("/kiosk-media/utterance", content=b"").status_code == 400
    assert client.post("/kiosk-media/utterance", content=b"\x00\x01\x02").status_code == 400
    too_long = np.zeros(16000 * 2, "<i2").tobytes()
    assert client.post("/kiosk-media/utterance", content=too_long).status_code == 413
    assert store.take_utterance("not-an-id") is None


def test_synthesised_clip_is_served_as_wav() -> None:
    client, store = client_and_store()
    url = store.add_clip(SpeechAudio(np.zeros(2400, np.float32), 24000, "好", "fake"))
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    assert response.content[:4] == b"RIFF"
    assert client.get("/kiosk-media/clip/unknown.wav").status_code == 404
