"""Speech benchmarks: ASR CER/RTF/latency on ../shared/speech, the encoder's window (`asr.window_s`),
offline-voice round trip over the dev questions, first-audio latency, and how long an unreachable edge-tts delays
the fallback voice.

Run (timings are only meaningful when nothing else runs):
    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_speech.py asr tts edge --json var/bench/speech.json
    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_speech.py window --runs 3 --json var/bench/window.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import KioskConfig, load_config  # noqa: E402
from speech import build_transcriber, load_audio  # noqa: E402
from speech import transcriber as transcriber_module  # noqa: E402
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


# Encoder windows compared by `window`: label → (asr.window_s, how many seconds the encoder's window has for an
# utterance of so many seconds when not the product's rule `window_for`, whether the encoder gets only the window's
# frames (False: faster-whisper's own padding to 3000 frames, i.e. its `chunk_length` alone).
def _utterance(window_s: int, audio_s: float) -> int:
    return min(30, math.ceil(audio_s) + 1)


WINDOWS: dict[str, tuple[int, Callable[[int, float], int] | None, bool]] = {
    "30 (Whisper's full window)": (30, None, True),
    "chunk_length 20, padded to 30 s": (20, None, False),
    "chunk_length 15, padded to 30 s": (15, None, False),
    "chunk_length 10, padded to 30 s": (10, None, False),
    "chunk_length utterance + 1 s, padded to 30 s": (1, _utterance, False),
    "window 20": (20, None, True),
    "window 15": (15, None, True),
    "window 10 (longer utterances: their length + 1 s)": (10, None, True),
    "window 10, split when longer": (10, lambda window_s, audio_s: 10, True),
    "window utterance + 1 s": (1, _utterance, True),
}
SYNTHETIC_WINDOWS = [
    "30 (Whisper's full window)",
    "window 20",
    "window 15",
    "window 10 (longer utterances: their length + 1 s)",
    "window utterance + 1 s",
]


@contextlib.contextmanager
def encoder_window(  # type: ignore[no-untyped-def]
    transcriber, window_s: int, rule: Callable[[int, float], int] | None, trimmed: bool
):
    """Decode with this window; `rule` and `trimmed=False` reproduce windows the product does not offer."""
    saved = transcriber.config.window_s, transcriber_module.window_for, transcriber_module.trim_frames
    transcriber.config.window_s = window_s
    if rule is not None:
        transcriber_module.window_for = rule
    if not trimmed:
        transcriber_module.trim_frames = lambda features, frames: features
    try:
        yield
    finally:
        transcriber.config.window_s, transcriber_module.window_for, transcriber_module.trim_frames = saved


def bench_window(config: KioskConfig, runs: int, synthetic: int) -> dict:
    """Each clip decoded under every window, interleaved in a shuffled order per clip and run.

    Per window: the median decode time of each clip over `runs`, CER pooled over all runs, empty outputs, decodes
    that looped (decoded again without the domain terms) and decodes where the transcriber dropped a segment as
    noise (a hallucination it caught). With `synthetic` N, the first N dev questions in the offline voice are
    decoded once under each of SYNTHETIC_WINDOWS as well.
    """
    cfg = config.model_copy(deep=True)
    cfg.asr.early_decode = False
    transcriber = build_transcriber(cfg)
    model = transcriber._model
    decode = model.transcribe
    seen: dict = {"calls": 0, "dropped": 0}

    def counting_transcribe(*args, **kwargs):  # type: ignore[no-untyped-def]
        segments, info = decode(*args, **kwargs)
        segments = list(segments)
        seen["calls"] += 1
        seen["dropped"] += sum(not transcriber_module.keep_segment(s, kwargs["initial_prompt"]) for s in segments)
        return segments, info

    model.transcribe = counting_transcribe

    def one(audio, reference: str, window: tuple) -> dict:  # type: ignore[no-untyped-def]
        seen.update(calls=0, dropped=0)
        with encoder_window(transcriber, *window):
            started, cpu_started = time.perf_counter(), time.process_time()
            text = transcriber.transcribe(audio).text
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        errors, length = character_errors(reference, text)
        return {"s": wall, "cpu_s": cpu, "errors": errors, "chars": length, "text": text,
                "looped": seen["calls"] > 1, "dropped": seen["dropped"] > 0}

    def summary(per_clip: dict[str, list[dict]]) -> dict:
        decodes = [d for ds in per_clip.values() for d in ds]
        medians = {name: statistics.median(d["s"] for d in ds) for name, ds in per_clip.items()}
        return {
            "cer": round(sum(d["errors"] for d in decodes) / sum(d["chars"] for d in decodes), 4),
            "median_s_per_clip": {name: round(m, 2) for name, m in medians.items()},
            "median_s": round(statistics.median(medians.values()), 2),
            "sum_of_medians_s": round(sum(medians.values()), 2),
            "cpu_s_p50": round(statistics.median(d["cpu_s"] for d in decodes), 2),
            "empty": sum(not d["text"] for d in decodes),
            "looped": sum(d["looped"] for d in decodes),
            "dropped_noise": sum(d["dropped"] for d in decodes),
            "decodes": len(decodes),
            "texts": sorted({d["text"] for d in decodes}),
        }

    data = [(path.name, ref, load_audio(path)) for path, ref in clips()]
    results: dict = {"clips": {name: round(len(audio) / 16000, 2) for name, _, audio in data}, "runs": runs}
    decoded: dict[str, dict[str, list[dict]]] = {label: {} for label in WINDOWS}
    for run in range(runs):
        for name, ref, audio in data:
            order = list(WINDOWS)
            random.Random(f"{run}{name}").shuffle(order)
            for label in order:
                decoded[label].setdefault(name, []).append(one(audio, ref, WINDOWS[label]))
                d = decoded[label][name][-1]
                print(run, name, label, f"{d['s']:.2f}s", d["errors"], d["text"], flush=True)
    results["windows"] = {label: summary(per_clip) for label, per_clip in decoded.items()}
    for label, figures in results["windows"].items():
        print(label, json.dumps({k: v for k, v in figures.items() if k != "texts"}, ensure_ascii=False), flush=True)
    if synthetic:
        from speech.audio import to_mono_16k
        from speech.provision_voice import offline_voice_dir
        from speech.synthesis.offline import OfflineSynthesizer

        voice = OfflineSynthesizer(offline_voice_dir(config), threads=config.tts.offline_threads)
        lines = (SHARED / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()[:synthetic]
        pair = {k: WINDOWS[k] for k in SYNTHETIC_WINDOWS}
        spoken: dict[str, dict[str, list[dict]]] = {label: {} for label in pair}
        for i, line in enumerate(lines):
            question = json.loads(line)["question"]
            audio = voice.synthesize_blocking(question)
            samples = to_mono_16k(audio.samples, audio.sample_rate)
            for label in random.Random(i).sample(list(pair), len(pair)):
                spoken[label][str(i)] = [one(samples, question, pair[label])]
                d = spoken[label][str(i)][0]
                print("synthetic", i, label, f"{d['s']:.2f}s", d["errors"], question, d["text"], flush=True)
        results["synthetic"] = {"questions": len(lines)}
        for label, per_question in spoken.items():
            figures = summary(per_question)
            figures.pop("median_s_per_clip"), figures.pop("texts")
            results["synthetic"][label] = figures
            print("synthetic", label, json.dumps(figures, ensure_ascii=False), flush=True)
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
    parser.add_argument("parts", nargs="+", choices=["asr", "window", "tts", "edge"])
    parser.add_argument("--runs", type=int, default=3, help="repeats for latency figures")
    parser.add_argument("--limit", type=int, default=80, help="dev questions for the TTS round trip")
    parser.add_argument("--offset", type=int, default=0, help="first dev question for the TTS round trip")
    parser.add_argument("--only-default", action="store_true", help="ASR: the configured decoding only")
    parser.add_argument("--synthetic", type=int, default=0, help="window: also N dev questions in the offline voice")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()
    config = load_config()
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "threads": config.asr.cpu_threads}
    report["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    if "asr" in args.parts:
        report["asr"] = bench_asr(config, args.runs, args.only_default)
    if "window" in args.parts:
        report["window"] = bench_window(config, args.runs, args.synthetic)
    if "tts" in args.parts:
        report["tts"] = bench_tts(config, args.limit, args.offset, args.runs)
    if "edge" in args.parts:
        report["edge_failure"] = bench_edge_failure(config, args.runs)
        print("edge", report["edge_failure"], flush=True)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
