"""Speech → simplified-Chinese text with faster-whisper, refusing to invent text from noise or silence."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.config import AsrConfig
from core.errors import SpeechToTextError
from core.models import Transcript
from core.privacy import mask_personal_data
from core.script import to_simplified
from speech import vad
from speech.audio import TARGET_RATE, check_audio, duration_s, is_silent, to_mono_16k
from speech.vocabulary import DEFAULT_SERVICE_TERMS, build_prompt, merge_terms

log = logging.getLogger(__name__)

# Whisper's classic inventions on silence/noise (subtitle credits, video outros).
_HALLUCINATIONS = re.compile(
    r"字幕|訂閱|订阅|點贊|点赞|打赏|Amara|明镜|感谢观看|謝謝觀看|谢谢观看|谢谢大家|请不吝|小铃铛|下期再见|优优独播剧场"
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_DEGENERATE = re.compile(r"(.{1,3}?)\1{3,}")  # the same 1-3 characters four or more times in a row
_SMALL_NUMBER = re.compile(r"(?<![\d.:：\-])[1-9]\d{0,2}(?![\d.:：%\-])")
_ARTICLE_NUMBER = re.compile(r"第\s*(\d{1,4})\s*([条章款项节编])")
FULL_WINDOW_S = 30  # Whisper's window: the encoder was trained on 3000 mel frames (10 ms each)
FRAMES_PER_S = 100


@dataclass(frozen=True)
class DeviceChoice:
    device: str  # "cpu" | "cuda"
    compute_type: str  # "int8", "float16", ...


def choose_device(device: str = "auto", compute_type: str = "auto") -> DeviceChoice:
    """CUDA with float16 when CTranslate2 sees a GPU, else CPU with int8; explicit settings win."""
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return DeviceChoice(device, compute_type)


def normalize_numbers_for_retrieval(text: str) -> str:
    """Small numbers as the questions and most statutes write them: 第10条 → 第十条, 16周岁 → 十六周岁.

    Whisper writes what it hears as digits at random; long digit strings (12345, phone numbers, years) stay.
    """
    import cn2an

    text = _ARTICLE_NUMBER.sub(lambda m: f"第{cn2an.an2cn(m.group(1))}{m.group(2)}", text)
    return _SMALL_NUMBER.sub(lambda m: cn2an.an2cn(m.group(0)), text)


def window_for(window_s: int, audio_s: float) -> int:
    """Seconds of mel frames the encoder sees for `audio_s` of audio under `asr.window_s`.

    An utterance always fits in one window (its length + 1 s, at most 30): a window shorter than the utterance
    would split it, and the decoder looped on the second piece (bench/RESULTS.md).
    """
    if window_s >= FULL_WINDOW_S:
        return FULL_WINDOW_S
    return min(FULL_WINDOW_S, max(window_s, math.ceil(audio_s) + 1))


def trim_frames(features: np.ndarray, frames: int | None) -> np.ndarray:
    """The first `frames` mel frames (the last axis); all of them when `frames` is None or covers them."""
    if frames is None or features.shape[-1] <= frames:
        return features
    return features[..., :frames]


@functools.lru_cache(maxsize=1)
def _windowed_model_class() -> type:
    from faster_whisper import WhisperModel

    class WindowedWhisperModel(WhisperModel):  # type: ignore[misc]
        """A WhisperModel whose encoder sees only the decoding window, not 30 s of padding.

        faster-whisper 1.2.1 pads every segment to 3000 mel frames before `encode` (`pad_or_trim`), whatever
        `chunk_length` says, so a shorter `chunk_length` alone saves nothing. CTranslate2 4.8.5's encoder accepts
        fewer frames and its cost follows them; `encoder_frames` cuts the padding back to the window.
        """

        encoder_frames: int | None = None

        def encode(self, features: np.ndarray):  # type: ignore[no-untyped-def]
            return super().encode(trim_frames(features, self.encoder_frames))

    return WindowedWhisperModel


def is_hallucination(text: str, prompt: str) -> bool:
    bare = _PUNCT.sub("", text)
    if not bare:
        return True
    if _HALLUCINATIONS.search(text):
        return True
    # the decoder sometimes repeats its own prompt when there is nothing to hear
    return len(bare) >= 4 and bare in _PUNCT.sub("", prompt)


def keep_segment(segment: Any, prompt: str) -> bool:
    """False for a faster-whisper segment that was most likely decoded from noise, not speech."""
    if segment.no_speech_prob > 0.6 and segment.avg_logprob < -0.8:
        return False  # the model itself thinks nothing was said
    if segment.compression_ratio > 2.4 or segment.avg_logprob < -1.2:
        return False  # repetitive or very unsure: typical of decoding noise
    return not is_hallucination(segment.text, prompt)


class FasterWhisperTranscriber:
    """`core.protocols.Transcriber` on faster-whisper; thread-safe (one decode at a time per model)."""

    def __init__(self, config: AsrConfig, model_dir: Path, domain_terms: Iterable[str] = ()) -> None:
        if not (model_dir / "model.bin").exists() or not (model_dir / "tokenizer.json").exists():
            raise SpeechToTextError(
                "model-missing",
                f"{model_dir} is not a CTranslate2 Whisper model (model.bin + tokenizer.json); run `kiosk models`",
            )
        self.config = config
        self.choice = choose_device(config.device, config.compute_type)
        self.model_dir = model_dir
        self.name = f"faster-whisper:{model_dir.name} ({self.choice.device}/{self.choice.compute_type})"
        self.device = f"{self.choice.device}/{self.choice.compute_type}"
        try:
            self._model = _windowed_model_class()(
                str(model_dir),
                device=self.choice.device,
                compute_type=self.choice.compute_type,
                cpu_threads=config.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise SpeechToTextError("model-load", f"could not load Whisper from {model_dir}: {exc}") from None
        self._lock = threading.Lock()
        self.set_vocabulary(domain_terms)
        log.info("ASR engine: %s", self.name)

    def set_vocabulary(self, domain_terms: Iterable[str]) -> None:
        """Use these terms (e.g. knowledge-base titles) with the built-in service names to steer decoding."""
        terms = merge_terms(self.config.domain_terms, domain_terms, DEFAULT_SERVICE_TERMS)
        mode = self.config.vocabulary_mode
        self.prompt = build_prompt(self.config.initial_prompt, terms) if mode == "prompt" else self.config.initial_prompt
        self.hotwords = " ".join(terms) if mode == "hotwords" else None

    def transcribe(self, audio: object, sample_rate: int = TARGET_RATE) -> Transcript:
        started = time.perf_counter()
        samples = to_mono_16k(np.asarray(audio), sample_rate)
        check_audio(samples, self.config, allow_silent=True)
        seconds = duration_s(samples)
        if is_silent(samples) or vad.speech_seconds(samples, self.config.vad_threshold) < self.config.min_speech_s:
            return Transcript("", seconds, time.perf_counter() - started, self.config.language, nothing_heard=True)
        window = window_for(self.config.window_s, seconds)
        with self._lock:
            # the encoder's input is per model, so it is set under the decode lock
            self._model.encoder_frames = None if window == FULL_WINDOW_S else window * FRAMES_PER_S
            text = self._decode(samples, window)
        asr_s = time.perf_counter() - started
        log.debug("transcribed %.1f s in %.2f s: %s", seconds, asr_s, mask_personal_data(text))
        return Transcript(text, seconds, asr_s, self.config.language, nothing_heard=not text)

    def _decode(self, samples: np.ndarray, window: int) -> str:
        text = self._decode_with(samples, window, self.prompt, self.hotwords)
        if _DEGENERATE.search(text) and (self.prompt != self.config.initial_prompt or self.hotwords):
            # a looping decoder ("严严严严…"): the domain vocabulary misled it here, so decode again without it
            text = self._decode_with(samples, window, self.config.initial_prompt, None)
        return text

    def _decode_with(self, samples: np.ndarray, window: int, prompt: str, hotwords: str | None) -> str:
        segments, _info = self._model.transcribe(
            samples,
            language=self.config.language,
            beam_size=self.config.beam_size,
            initial_prompt=prompt,
            hotwords=hotwords,
            condition_on_previous_text=False,
            vad_filter=True,
            # always given: faster-whisper's feature extractor keeps the last chunk_length it was handed
            chunk_length=window,
            # faster-whisper's own speech padding/merging; splitting at short pauses made the decoder loop
            vad_parameters={"threshold": self.config.vad_threshold, "min_silence_duration_ms": 2000, "speech_pad_ms": 400},
        )
        kept = [seg.text.strip() for seg in segments if keep_segment(seg, prompt)]
        text = to_simplified("".join(kept))
        return normalize_numbers_for_retrieval(text)
