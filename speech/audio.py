"""Turn whatever a microphone or a file gives us into mono float32 16 kHz samples, and reject unusable audio.

Browsers send WebM/Opus or Ogg, uploads may be MP3 or WAV at any rate and channel count; PyAV (through
faster-whisper's decoder) handles all of them, so the rest of the speech stage only ever sees one format.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio

from core.config import AsrConfig
from core.errors import SpeechToTextError, TextToSpeechError
from core.safe_text import printable

TARGET_RATE = 16_000
# Digital silence or a muted microphone: peak below -60 dBFS.
SILENT_PEAK = 1e-3

AudioInput = bytes | bytearray | str | Path | np.ndarray


def load_audio(data: AudioInput, sample_rate: int | None = None, max_seconds: float | None = None) -> np.ndarray:
    """Decode bytes, a path or a numpy array (with its `sample_rate`) to mono float32 at 16 kHz.

    Decoding streams frame by frame; with `max_seconds` (asr.max_audio_s) it stops and refuses as soon as the
    audio runs longer, so memory stays bounded whatever the input's length or its header's claims.
    """
    if isinstance(data, np.ndarray):
        return to_mono_16k(data, sample_rate or TARGET_RATE)
    if isinstance(data, (bytes, bytearray)):
        if len(data) == 0:
            raise SpeechToTextError("audio-empty", "收到的录音是空的 / the recording is empty; please speak again")
        source: str | io.BytesIO = io.BytesIO(bytes(data))
        shown = "the recording"
    else:
        path = Path(data)
        shown = printable(path)
        if not path.is_file():
            raise SpeechToTextError("audio-missing", f"audio file not found: {shown}")
        if path.stat().st_size == 0:
            raise SpeechToTextError("audio-empty", f"{shown} is empty")
        source = str(path)
    try:
        samples = _decode_bounded(source, max_seconds, shown)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        raise SpeechToTextError(
            "audio-undecodable", f"could not decode {shown} (WAV/MP3/WebM/Ogg expected): {printable(str(exc))}"
        ) from None
    if samples.size == 0:
        raise SpeechToTextError("audio-empty", f"{shown} holds no audio samples")
    return samples


def _decode_bounded(source: str | io.BytesIO, max_seconds: float | None, shown: str) -> np.ndarray:
    """PyAV decode + resample to 16 kHz mono int16 pieces, stopped past `max_seconds`; damaged frames skipped."""
    limit = None if max_seconds is None else int(max_seconds * TARGET_RATE)
    pieces: list[np.ndarray] = []
    total = 0
    with av.open(source, mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)

        def frames():  # noqa: ANN202 - a generator of av.AudioFrame
            for packet in container.demux(stream):
                try:
                    yield from packet.decode()
                except av.error.InvalidDataError:
                    continue
            yield None  # flush the resampler

        for frame in frames():
            for out in resampler.resample(frame):
                piece = out.to_ndarray().reshape(-1)
                total += piece.size
                if limit is not None and total > limit:
                    raise SpeechToTextError(
                        "audio-too-long",
                        f"录音太长 / {shown} lasts more than {max_seconds:.0f} s (asr.max_audio_s); decoding stopped",
                    )
                pieces.append(piece)
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32) / 32768.0


def to_mono_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Integer or float, (n,), (n, channels) or (channels, n) arrays → mono float32 at 16 kHz in [-1, 1]."""
    array = np.asarray(samples)
    if array.size == 0:
        raise SpeechToTextError("audio-empty", "收到的录音是空的 / the recording is empty; please speak again")
    if np.issubdtype(array.dtype, np.integer):
        array = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    array = array.astype(np.float32, copy=False)
    if array.ndim == 2:
        channel_axis = 0 if array.shape[0] < array.shape[1] else 1
        array = array.mean(axis=channel_axis)
    elif array.ndim != 1:
        raise SpeechToTextError("audio-shape", f"expected 1-D or 2-D audio samples, got shape {array.shape}")
    if sample_rate != TARGET_RATE:
        array = resample(array, sample_rate, TARGET_RATE)
    return np.ascontiguousarray(np.clip(array, -1.0, 1.0), dtype=np.float32)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling through FFmpeg's resampler (no scipy needed)."""
    if from_rate == to_rate:
        return samples.astype(np.float32, copy=False)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = from_rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to_rate)
    pieces = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    pieces += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)


def duration_s(samples: np.ndarray, sample_rate: int = TARGET_RATE) -> float:
    return len(samples) / float(sample_rate)


def is_silent(samples: np.ndarray) -> bool:
    return samples.size == 0 or float(np.max(np.abs(samples))) < SILENT_PEAK


def check_audio(samples: np.ndarray, config: AsrConfig, *, allow_silent: bool = False) -> None:
    """Raise SpeechToTextError naming why 16 kHz `samples` cannot be transcribed."""
    seconds = duration_s(samples)
    if samples.size == 0:
        raise SpeechToTextError("audio-empty", "收到的录音是空的 / the recording is empty; please speak again")
    if seconds < config.min_audio_s:
        raise SpeechToTextError(
            "audio-too-short",
            f"录音太短 / the recording lasts {seconds:.2f} s, at least {config.min_audio_s:.1f} s is needed",
        )
    if seconds > config.max_audio_s:
        raise SpeechToTextError(
            "audio-too-long",
            f"录音太长 / the recording lasts {seconds:.1f} s, at most {config.max_audio_s:.0f} s per question",
        )
    if not allow_silent and is_silent(samples):
        raise SpeechToTextError(
            "audio-silent", "没有听到声音 / the recording is silent; check the microphone and speak again"
        )


def to_wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV, for files and for browsers."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def decode_to_rate(data: bytes, sample_rate: int) -> np.ndarray:
    """Decode synthesised audio (MP3/WAV bytes) to mono float32 at `sample_rate`."""
    try:
        return np.ascontiguousarray(decode_audio(io.BytesIO(data), sampling_rate=sample_rate), dtype=np.float32)
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise TextToSpeechError("audio-undecodable", f"could not decode synthesised audio: {exc}") from None
