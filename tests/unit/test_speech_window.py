"""The encoder's window (`asr.window_s`) reaches faster-whisper and its encoder (a fake model, no weights)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from core.config import AsrConfig, load_config
from core.errors import ConfigError
from speech import transcriber as transcriber_module
from speech.transcriber import FasterWhisperTranscriber, trim_frames, window_for


class FakeWhisperModel:
    """Records what each `transcribe` call was given and how many frames the encoder would keep."""

    def __init__(self, model_dir: str, **kwargs: Any) -> None:
        self.encoder_frames: int | None = None
        self.calls: list[dict[str, Any]] = []

    def transcribe(self, samples: np.ndarray, **kwargs: Any) -> tuple[list[SimpleNamespace], None]:
        self.calls.append({**kwargs, "encoder_frames": self.encoder_frames})
        segment = SimpleNamespace(text="办居住证要带什么材料", no_speech_prob=0.01, avg_logprob=-0.2, compression_ratio=1.1)
        return [segment], None


@pytest.fixture()
def make_transcriber(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    (tmp_path / "model.bin").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(transcriber_module, "_windowed_model_class", lambda: FakeWhisperModel)
    monkeypatch.setattr(transcriber_module.vad, "speech_seconds", lambda samples, threshold: 2.0)

    def make(**settings: Any) -> FasterWhisperTranscriber:
        return FasterWhisperTranscriber(AsrConfig(device="cpu", **settings), tmp_path)

    return make


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("window_s", "audio_s", "chunk_length", "encoder_frames"),
    [
        (30, 3.2, 30, None),  # Whisper's full window: the encoder sees 3000 frames, as faster-whisper pads them
        (15, 3.2, 15, 1500),
        (20, 6.0, 20, 2000),
        (10, 12.4, 14, 1400),  # never shorter than the utterance: a split utterance made the decoder loop
        (20, 29.5, 30, None),  # an utterance that needs the full window gets it untrimmed
    ],
)
def test_the_window_reaches_transcribe_and_the_encoder(
    make_transcriber, window_s: int, audio_s: float, chunk_length: int, encoder_frames: int | None
) -> None:
    transcriber = make_transcriber(window_s=window_s)
    transcript = transcriber.transcribe(tone(audio_s))
    assert transcript.text == "办居住证要带什么材料"
    [call] = transcriber._model.calls
    assert call["chunk_length"] == chunk_length
    assert call["encoder_frames"] == encoder_frames
    assert call["beam_size"] == 5 and call["vad_filter"] is True  # the other settings are unchanged


def test_the_default_window_is_20_seconds(make_transcriber) -> None:
    transcriber = make_transcriber()
    transcriber.transcribe(tone(3.0))
    assert transcriber._model.calls[0]["chunk_length"] == 20 and transcriber._model.calls[0]["encoder_frames"] == 2000


def test_each_utterance_gets_its_own_window(make_transcriber) -> None:
    transcriber = make_transcriber(window_s=10)
    transcriber.transcribe(tone(12.4))
    transcriber.transcribe(tone(2.0))
    assert [(c["chunk_length"], c["encoder_frames"]) for c in transcriber._model.calls] == [(14, 1400), (10, 1000)]


def test_trimming_keeps_only_padding_off() -> None:
    features = np.arange(80 * 3000, dtype=np.float32).reshape(80, 3000)
    assert trim_frames(features, 500).shape == (80, 500)
    assert np.array_equal(trim_frames(features, 500), features[:, :500])
    assert trim_frames(features, None) is features
    assert trim_frames(features[:, :400], 500).shape == (80, 400)
    assert window_for(5, 0.4) == 5 and window_for(20, 40.0) == 30


def test_window_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_ASR__WINDOW_S", "15")
    assert load_config(None).asr.window_s == 15
    monkeypatch.setenv("KIOSK_ASR__WINDOW_S", "45")
    with pytest.raises(ConfigError) as err:
        load_config(None)
    assert "asr.window_s" in err.value.message and "KIOSK_ASR__WINDOW_S" in err.value.message
