"""Audio decoding and validation: any rate/channels/format in, mono 16 kHz out, clear reasons for bad input."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from core.config import AsrConfig
from core.errors import SpeechToTextError
from speech import load_audio
from speech.audio import check_audio, to_mono_16k, to_wav_bytes


def tone(seconds: float, rate: int, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def stereo_wav(seconds: float, rate: int) -> bytes:
    left = (tone(seconds, rate) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.stack([left, left], axis=1).tobytes())
    return buffer.getvalue()


def test_stereo_44k_wav_bytes_become_mono_16k() -> None:
    audio = load_audio(stereo_wav(1.5, 44_100))
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(24_000, abs=200)
    assert 0.2 < float(np.max(np.abs(audio))) < 0.4


def test_path_input(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(to_wav_bytes(tone(1.0, 16_000), 16_000))
    assert len(load_audio(path)) == pytest.approx(16_000, abs=10)


def test_int16_stereo_array_at_48k() -> None:
    samples = (np.stack([tone(1.0, 48_000)] * 2, axis=1) * 32767).astype(np.int16)
    audio = to_mono_16k(samples, 48_000)
    assert len(audio) == pytest.approx(16_000, abs=100)
    assert float(np.max(np.abs(audio))) == pytest.approx(0.3, abs=0.03)


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "audio-empty"), (b"this is not audio at all" * 20, "audio-undecodable"), (Path("/nonexistent.wav"), "audio-missing")],
)
def test_bad_input_is_rejected_with_a_code(data: object, code: str) -> None:
    with pytest.raises(SpeechToTextError) as err:
        load_audio(data)  # type: ignore[arg-type]
    assert err.value.code == code


@pytest.mark.parametrize(
    ("samples", "code"),
    [
        (np.zeros(0, np.float32), "audio-empty"),
        (tone(0.1, 16_000), "audio-too-short"),
        (tone(31.0, 16_000), "audio-too-long"),
        (np.zeros(16_000, np.float32), "audio-silent"),
    ],
)
def test_validation_names_the_problem(samples: np.ndarray, code: str) -> None:
    with pytest.raises(SpeechToTextError) as err:
        check_audio(samples, AsrConfig(min_audio_s=0.3, max_audio_s=30.0))
    assert err.value.code == code
    assert err.value.stage == "asr"


def test_good_audio_passes_and_silence_can_be_allowed() -> None:
    config = AsrConfig()
    check_audio(tone(2.0, 16_000), config)
    check_audio(np.zeros(16_000, np.float32), config, allow_silent=True)


def encoded(samples: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


@pytest.mark.parametrize(("container", "codec"), [("webm", "libopus"), ("ogg", "libopus"), ("mp3", "libmp3lame")])
def test_browser_and_upload_formats_decode(container: str, codec: str) -> None:
    audio = load_audio(encoded(tone(1.0, 48_000), 48_000, container, codec))
    assert len(audio) == pytest.approx(16_000, abs=800)
    assert 0.2 < float(np.max(np.abs(audio))) < 0.4


def test_long_audio_is_refused_mid_decode_with_bounded_memory(tmp_path: Path) -> None:
    """Ten minutes at 48 kHz stereo (110 MB of PCM): decoding stops past asr.max_audio_s, memory stays small."""
    import tracemalloc

    path = tmp_path / "ten-minutes.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(48000)
        minute = (np.random.default_rng(0).standard_normal((48000 * 60, 2)) * 1000).astype("<i2").tobytes()
        for _ in range(10):
            wav.writeframes(minute)
    tracemalloc.start()
    try:
        with pytest.raises(SpeechToTextError) as err:
            load_audio(path, max_seconds=30.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "audio-too-long" and "asr.max_audio_s" in err.value.message
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB while refusing"
    assert load_audio(path, max_seconds=700.0).size == 16000 * 600  # without the cap it decodes all of it
