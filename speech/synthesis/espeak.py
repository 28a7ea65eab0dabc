"""espeak-ng's Mandarin (pinyin) voice: always available offline, robotic; the last resort only."""

from __future__ import annotations

import asyncio
import shutil

from core.errors import TextToSpeechError
from core.models import SpeechAudio
from speech.normalize import normalize_for_speech

ESPEAK_WPM = 150  # espeak-ng's default words per minute


class EspeakSynthesizer:
    def __init__(self, voice: str = "cmn-latn-pinyin", speed: float = 1.0) -> None:
        self.name = "espeak"
        self.voice = voice
        self.speed = speed
        self.binary = shutil.which("espeak-ng")

    async def synthesize(self, text: str, speed: float | None = None) -> SpeechAudio:
        if self.binary is None:
            raise TextToSpeechError("espeak-missing", "espeak-ng is not installed (scripts/install-system-deps.sh)")
        spoken = normalize_for_speech(text)
        if not spoken:
            raise TextToSpeechError("nothing-to-say", "the text has nothing speakable in it")
        wpm = str(int(ESPEAK_WPM * (speed or self.speed)))
        process = await asyncio.create_subprocess_exec(
            self.binary, "-v", self.voice, "-s", wpm, "--stdout", spoken,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        wav, err = await process.communicate()
        if process.returncode != 0 or not wav:
            raise TextToSpeechError("espeak-failed", f"espeak-ng exited {process.returncode}: {err.decode()[-300:]}")
        from speech.audio import decode_to_rate

        rate = 22_050
        return SpeechAudio(decode_to_rate(wav, rate), rate, text, self.name)
