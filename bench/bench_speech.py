"""Speech benchmarks: ASR CER/RTF/latency on ../shared/speech, offline-voice round trip over the dev questions,
first-audio latency, and how long an unreachable edge-tts delays the fallback voice.

Run (timings are only meaningful when nothing else runs):
    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_speech.py asr tts edge --json var/bench/speech.json
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import KioskConfig, load_config  # noqa: E402
from speech import build_transcriber, load_audio  # noqa: E402
from speech.metrics import character_errors  # noqa: E402

SHARED = ROOT.parent / "shared"
SENTENCE_40 = "您好，办理居住证需要携带本人身份证、近期照片和居住地证明材料，请到一楼窗口办理。"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def clips() -> list[tuple[Path, str]]:
    with (SHARED / "speech" / "transcripts.tsv").open(encoding="utf-8") as fh:
        return [(SHARED / "speech" / "clips" / row["file"], row["transcript"]) for row in csv.DictReader(fh, delimiter="\t")]


def bench_asr(config: KioskConfig, runs: int, only_default: bool = False) -> dict:
    variants = {
        "base prompt only": {"vocabulary_mode": "off"},
        "prompt + domain terms (default)": {"vocabulary_mode": "prompt"},
        "hotwords": {"vocabulary_mode": "hotwords"},
        "no prompt at all": {"vocabulary_mode": "off", "initial_prompt": ""},
        "prompt + terms, beam 1": {"vocabulary_mode": "prompt", "beam_size": 1},
    }
    if only_default:
        variants = {k: v for k, v in variants.items() if k.endswith("(default)")}
    data = [(path, ref, load_audio(path)) for path, ref in clips()]
    results: dict = {"clips": len(data), "audio_s": round(sum(len(a) / 16000 for _, _, a in data), 2), "variants": {}}
    for label, overrides in variants.items():
        cfg = config.model_copy(deep=True)
        for key, value in overrides.items():
            setattr(cfg.asr, key, value)
        transcriber = build_transcriber(cfg)
        repeats = runs if label.endswith("(default)") else 1
        latencies: list[float] = []
        cpu_seconds: list[float] = []  # CPU time of all threads: less sensitive than wall time to a busy machine
        errors = length = 0
        per_clip = []
        asr_total = audio_total = 0.0
        for repeat in range(repeats):
            for path, ref, audio in data:
                started, cpu_started = time.perf_counter(), time.process_time()
                transcript = transcriber.transcribe(audio)
                elapsed = time.perf_counter() - started
                cpu_seconds.append(time.process_time() - cpu_started)
                latencies.append(elapsed)
                asr_total += elapsed
                audio_total += transcript.duration_s
                if repeat == 0:
                    e, n = character_errors(ref, transcript.text)
                    errors, length = errors + e, length + n
                    per_clip.append({"file": path.name, "ref": ref, "hyp": transcript.text, "cer": round(e / n, 3)})
        results["variants"][label] = {
            "cer": round(errors / length, 4),
            "rtf": round(asr_total / audio_total, 3),
            "latency_p50_s": round(pct(latencies, 0.5), 2),
            "latency_p95_s": round(pct(latencies, 0.95), 2),
            "cpu_s_per_utterance_p50": round(statistics.median(cpu_seconds), 2),
            "runs": repeats,
            "per_clip": per_clip,
            "engine": transcriber.name,
        }
        print(label, json.dumps(results["variants"][label], ensure_ascii=False), flush=True)
    return results


def bench_tts(config: KioskConfig, limit: int, offset: int, runs: int) -> dict:
    from speech.audio import to_mono_16k
    from speech.provision_voice import offline_voice_dir
    from speech.synthesis import EspeakSynthesizer
    from speech.synthesis.offline import OfflineSynthesizer

    questions = [json.loads(line)["question"] for line in (SHARED / "eval" / "dev_questions.jsonl").open(encoding="utf-8")]
    questions = questions[offset : offset + limit]
    transcriber = build_transcriber(config)
    voice = OfflineSynthesizer(offline_voice_dir(config), threads=config.tts.offline_threads)
    results: dict = {"questions": len(questions), "offset": offset}

    def round_trip(synthesize, items: list[str]) -> dict:  # type: ignore[no-untyped-def]
        errors = length = 0
        synth_s = audio_s = 0.0
        worst = []
        for text in items:
            started = time.perf_counter()
            audio = synthesize(text)
            synth_s += time.perf_counter() - started
            audio_s += audio.duration_s
            hyp = transcriber.transcribe(to_mono_16k(audio.samples, audio.sample_rate)).text
            e, n = character_errors(text, hyp)
            errors, length = errors + e, length + n
            worst.append((e / n, text, hyp))
        worst.sort(reverse=True)
        return {
            "cer": round(errors / length, 4),
            "rtf": round(synth_s / audio_s, 3),
            "worst": [{"cer": round(c, 2), "text": t, "heard": h} for c, t, h in worst[:5]],
        }

    results["offline"] = round_trip(voice.synthesize_blocking, questions)
    print("offline", json.dumps(results["offline"], ensure_ascii=False), flush=True)

    first_audio: list[float] = []
    whole: list[float] = []

    async def first_clause() -> None:
        started = time.perf_counter()
        async for _ in voice.stream(SENTENCE_40):
            first_audio.append(time.perf_counter() - started)
            break
        started = time.perf_counter()
        await voice.synthesize(SENTENCE_40)
        whole.append(time.perf_counter() - started)

    for _ in range(runs):
        asyncio.run(first_clause())
    results["first_audio_40_chars"] = {
        "chars": len(SENTENCE_40),
        "first_audio_p50_s": round(statistics.median(first_audio), 3),
        "first_audio_max_s": round(max(first_audio), 3),
        "whole_sentence_p50_s": round(statistics.median(whole), 3),
        "runs": runs,
    }
    print("first audio", results["first_audio_40_chars"], flush=True)

    espeak = EspeakSynthesizer(config.tts.espeak_voice)
    if espeak.binary:
        subset = questions[:10]
        results["espeak"] = round_trip(lambda t: asyncio.run(espeak.synthesize(t)), subset)
        results["espeak"]["questions"] = len(subset)
        print("espeak", json.dumps(results["espeak"], ensure_ascii=False), flush=True)
    return results


def bench_edge_failure(config: KioskConfig, runs: int) -> dict:
    """Time from request to first fallback audio with edge-tts first in the chain and no network."""
    from core.errors import TextToSpeechError
    from speech import build_synthesizer
    from speech.synthesis import EdgeTtsSynthesizer

    cfg = config.model_copy(deep=True)
    cfg.tts.engines = ["edge", "offline"]
    first_request: list[float] = []
    later_requests: list[float] = []
    edge_error = ""
    for _ in range(runs):
        synthesizer = build_synthesizer(cfg)  # a fresh breaker each run: the first request pays for edge's failure

        async def one() -> float:
            started = time.perf_counter()
            async for audio in synthesizer.stream(SENTENCE_40):
                assert audio.engine == "offline", audio.engine
                return time.perf_counter() - started
            raise RuntimeError("no audio")

        first_request.append(asyncio.run(one()))
        later_requests.append(asyncio.run(one()))
        edge_error = synthesizer.engines[0][1].last_error if synthesizer.engines[0][1] else ""
    edge_alone: list[float] = []
    for _ in range(runs):
        edge = EdgeTtsSynthesizer(cfg.tts.edge_voice, cfg.tts.edge_timeout_s)
        started = time.perf_counter()
        try:
            asyncio.run(edge.synthesize(SENTENCE_40))
        except TextToSpeechError:
            edge_alone.append(time.perf_counter() - started)
    return {
        "edge_error": edge_error,
        "edge_failure_p50_s": round(statistics.median(edge_alone), 3) if edge_alone else None,
        "first_request_to_audio_p50_s": round(statistics.median(first_request), 3),
        "first_request_to_audio_max_s": round(max(first_request), 3),
        "breaker_open_to_audio_p50_s": round(statistics.median(later_requests), 3),
        "runs": runs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="+", choices=["asr", "tts", "edge"])
    parser.add_argument("--runs", type=int, default=3, help="repeats for latency figures")
    parser.add_argument("--limit", type=int, default=80, help="dev questions for the TTS round trip")
    parser.add_argument("--offset", type=int, default=0, help="first dev question for the TTS round trip")
    parser.add_argument("--only-default", action="store_true", help="ASR: the configured decoding only")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()
    config = load_config()
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "threads": config.asr.cpu_threads}
    if "asr" in args.parts:
        report["asr"] = bench_asr(config, args.runs, args.only_default)
    if "tts" in args.parts:
        report["tts"] = bench_tts(config, args.limit, args.offset, args.runs)
    if "edge" in args.parts:
        report["edge_failure"] = bench_edge_failure(config, args.runs)
        print("edge", report["edge_failure"], flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
