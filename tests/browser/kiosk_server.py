"""A kiosk server on fake engines (instant answers with a citation, a tone for a voice) for the browser tests.

Run: python -m tests.browser.kiosk_server --port 7871 [--real-asr]
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator, Sequence

import numpy as np

from core.models import (
    Answer,
    AnswerDone,
    AnswerEvent,
    AnswerMode,
    AnswerSpoken,
    AnswerTimings,
    ChatMessage,
    Citation,
    SpeechAudio,
    TimingMark,
    Transcript,
)

ANSWER = "办理居住证需要提交本人居民身份证、本人相片。还需要居住地住址、就业、就读等证明材料。"
CITATION = Citation("居住证暂行条例(2015-11-26).md", "居住证暂行条例", "第九条")
# asked with 条文: a long answer that names its citation in the text, lists items, and has a comma-long sentence
LONG_ANSWER = (
    "依据《居住证暂行条例》第九条：申领居住证，应当向居住地公安派出所或者受公安机关委托的社区服务机构提交下列材料："
    "1.本人居民身份证；2.本人近期相片；3.居住地住址证明；4.就业、就读等证明材料。"
    "居住地住址证明包括房屋租赁合同、房屋产权证明文件、购房合同或者房屋出租人、用人单位、就读学校出具的住宿证明等，"
    "就业证明包括工商营业执照、劳动合同、用人单位出具的劳动关系证明或者其他能够证明有合法稳定就业的材料等。"
)
# asked with 慢: an answer whose voice takes VOICE_DELAY_S to arrive (a busy box), so a test can ask again meanwhile
SLOW_ANSWER = "这个回答的声音要等一会儿才到。"
VOICE_DELAY_S = 3.0


class ScriptedAnswerer:
    """Streams a fixed answer with a citation; the question is echoed so tests can see what was heard."""

    async def stream(self, question: str, history: Sequence[ChatMessage]) -> AsyncIterator[AnswerEvent]:
        text = LONG_ANSWER if "条文" in question else SLOW_ANSWER if "慢" in question else ANSWER
        for piece in (text[:9], text[9:20], text[20:]):
            await asyncio.sleep(0.05)
            yield AnswerSpoken(piece)
        yield AnswerDone(Answer(text, [CITATION], False, AnswerMode.FAQ, AnswerTimings(retrieve_s=0.01, first_token_s=0.05)))


class ToneSynthesizer:
    """0.22 s of a modulated tone per character, with one viseme mark per character."""

    name = "tone"

    async def synthesize(self, text: str) -> SpeechAudio:
        if text in SLOW_ANSWER:
            await asyncio.sleep(VOICE_DELAY_S)
        rate = 16000
        step = 0.22
        t = np.arange(int(rate * step * len(text))) / rate
        samples = (0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))).astype(np.float32)
        shapes = ["A", "O", "E", "I", "U", "M", "S"]
        marks = tuple(TimingMark(i * step, (i + 1) * step, ch, shapes[i % len(shapes)]) for i, ch in enumerate(text))
        return SpeechAudio(samples, rate, text, self.name, marks)


class LoudnessTranscriber:
    """Stands in for ASR: reports how much sound arrived, so a test can tell the microphone really worked."""

    name = "loudness"

    def transcribe(self, audio: object, sample_rate: int = 16000) -> Transcript:
        samples = np.asarray(audio, dtype=np.float32)
        seconds = len(samples) / sample_rate
        heard = float(np.sqrt(np.mean(samples**2))) > 0.003 if len(samples) else False
        return Transcript(text=f"语音提问{seconds:.1f}秒" if heard else "", duration_s=seconds, asr_s=0.0, nothing_heard=not heard)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--real-asr", action="store_true", help="use the configured Whisper model instead of a stand-in")
    args = parser.parse_args()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import uvicorn

    from core.config import load_config
    from kiosk.services import Services
    from kiosk.ui import build_app

    config = load_config()
    transcriber = None if args.real_asr else LoudnessTranscriber()
    services = Services(
        config, kb=object(), answerer=ScriptedAnswerer(), transcriber=transcriber, synthesizer=ToneSynthesizer(),
        elderly_synthesizer=ToneSynthesizer(), store=None,
    )
    uvicorn.run(build_app(services), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
