"""Peak memory and outcome of every bad file and bad recording in the fuzz corpus, each in a fresh process.

    python bench/bench_fuzz.py [--scale bench|unit] [--only NAME ...] [--json out.json] [--cli-transcribe]

Inputs come from tests/fuzz_corpus.py at full size (1 GiB DOCX XML, 40 MB text, 20 × 49 MB zip members, one hour
of audio) and are handled with the default limits. A document is ingested together with a good file, to show the
batch goes on; a zip goes through the panel's unpacking and then ingest; audio through `load_audio` with
`asr.max_audio_s`. The knowledge base uses the test suite's hashing embedder, so no model's memory is counted
(the cases are refused before embedding). Peak RSS is the child's `ru_maxrss` from wait4; `baseline` is a child
that imports and opens the knowledge base and does nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LIMIT_MB = 500


def _child(kind: str, path: str, workdir: str) -> dict:
    """Runs in the fresh process: handle one input, report what came of it."""
    from tests.conftest import make_config
    from tests.fuzz_corpus import GOOD_STATUTE

    work = Path(workdir)
    config = make_config(work)
    if kind == "audio":
        from core.errors import SpeechToTextError
        from speech.audio import load_audio

        try:
            samples = load_audio(Path(path), max_seconds=config.asr.max_audio_s)
            return {"outcome": "ok", "detail": f"{samples.size / 16000:.1f} s decoded"}
        except SpeechToTextError as exc:
            return {"outcome": exc.code, "detail": exc.message}
    from knowledge_base import open_knowledge_base
    from tests.fakes import HashEmbedder

    kb = open_knowledge_base(config, embedder=HashEmbedder())
    if kind == "baseline":
        return {"outcome": "ok", "detail": "imports and an open knowledge base"}
    good = work / "good" / "batch-mate.md"
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_text(GOOD_STATUTE.replace("示例", "同批"), encoding="utf-8")
    if kind == "zip":
        from knowledge_base.archives import UnpackLimits, unpack_uploads

        upload_dir = work / "uploads"
        unpacked = unpack_uploads([path, good], upload_dir, UnpackLimits.from_config(config.kb))
        results = unpacked.failures + kb.ingest(unpacked.paths)
        written = sum(p.stat().st_size for p in upload_dir.rglob("*") if p.is_file())
        bad = [r for r in results if r.status.value == "failed"]
        kept = sum(r.status.value == "added" for r in results)
        return {
            "outcome": ",".join(sorted({r.error_code or "" for r in bad})) or "ok",
            "detail": (bad[0].message if bad else f"{kept} documents added")[:160],
            "kept": kept,
            "written_kb": round(written / 1024, 1),
        }
    results = kb.ingest([Path(path), good])
    bad, mate = results
    return {
        "outcome": "ok" if bad.status.value == "added" else (bad.error_code or bad.status.value),
        "detail": bad.message[:160],
        "kept": int(mate.status.value == "added"),
    }


def _run_child(args: list[str], timeout_s: float) -> tuple[dict, float, float, int]:
    """(reported dict, peak RSS in MB, seconds, exit code) of one `--measure` wrapper and the child it times."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - started
    report = {}
    for line in reversed(out.strip().splitlines()):
        if line.startswith("{"):
            report = json.loads(line)
            break
    if not report:
        report = {"outcome": f"exit {proc.returncode}", "detail": (err.strip().splitlines() or [""])[-1][:160]}
    return report, report.pop("peak_rss_mb", float("nan")), seconds, proc.returncode


def _measured(argv: list[str]) -> None:
    """Wrapper process: run `argv` as a child, then print its report with the child's own peak RSS (wait4)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = {}
    for line in reversed(out.strip().splitlines()):
        if line.startswith("{"):
            report = json.loads(line)
            break
    if not report:
        report = {"outcome": f"exit {proc.returncode}", "detail": out.strip()[-160:]}
    report["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports kB
    print(json.dumps(report, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["bench", "unit"], default="bench")
    parser.add_argument("--only", nargs="*", help="case names")
    parser.add_argument("--json", type=Path, help="write the rows here too")
    parser.add_argument("--cli-transcribe", action="store_true", help="also run `kiosk transcribe` on the hour of audio (loads Whisper)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "WORKDIR"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child), ensure_ascii=False), flush=True)
        return
    if args.measure:
        _measured(args.measure)
        return

    from core.safe_text import printable
    from tests.fuzz_corpus import CASES, case

    root = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    rows = []
    try:
        jobs: list[tuple[str, str, Path | None, frozenset[str]]] = [("baseline", "baseline", None, frozenset({"ok"}))]
        jobs += [(c.name, c.kind, None, c.expect) for c in CASES if not args.only or c.name in args.only]
        if args.cli_transcribe:
            jobs.append(("kiosk transcribe header-claims-10h.wav (1 s)", "cli", None, frozenset({"ok", "audio-silent"})))
            jobs.append(("kiosk transcribe one-hour.wav", "cli", None, frozenset({"audio-too-long"})))
        for name, kind, _, expect in jobs:
            work = root / f"case{len(rows)}"
            work.mkdir()
            made_s = 0.0
            if kind in ("baseline",):
                path = work / "none"
            elif kind == "cli":
                path = case("one-hour.wav" if "one-hour" in name else "header-claims-10h.wav").make(work / "in", args.scale)
            else:
                t0 = time.perf_counter()
                path = case(name).make(work / "in", args.scale)
                made_s = time.perf_counter() - t0
            if kind == "cli":
                inner = [sys.executable, "-c", "from kiosk.cli import main; main()", "transcribe", str(path), "--jsonl"]
            else:
                inner = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path), str(work)]
            report, rss, seconds, code = _run_child([sys.executable, str(Path(__file__).resolve()), "--measure", *inner], 900)
            if kind == "cli":
                if "error" in report:
                    report = {"outcome": report["error"], "detail": report.get("message", "")}
                elif "text" in report:
                    report = {"outcome": "ok", "detail": f"text {report['text']!r}, nothing_heard={report.get('nothing_heard', False)}"}
            size = path.stat().st_size if path.exists() else 0
            row = {
                "case": printable(name), "kind": kind, "input_mb": round(size / 2**20, 2), "outcome": report.get("outcome"),
                "expected": sorted(expect), "clear": report.get("outcome") in expect, "peak_rss_mb": rss,
                "seconds": round(seconds, 2), "kept": report.get("kept"), "written_kb": report.get("written_kb"),
                "detail": printable(report.get("detail", ""))[:160], "generate_s": round(made_s, 1),
            }  # fmt: skip
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("| case | input | outcome | clear error | peak RSS | time | batch kept | written |")
    print("|---|---:|---|---|---:|---:|---|---:|")
    for r in rows:
        kept = "" if r["kept"] is None else ("yes" if r["kept"] else "NO")
        written = "" if r["written_kb"] is None else f"{r['written_kb']} kB"
        print(f"| {r['case']} | {r['input_mb']} MB | `{r['outcome']}` | {'yes' if r['clear'] else 'NO'} | "
              f"{r['peak_rss_mb']} MB | {r['seconds']} s | {kept} | {written} |")  # fmt: skip
    worst = max(r["peak_rss_mb"] for r in rows)
    print(f"\nworst peak RSS {worst} MB (limit {LIMIT_MB} MB); {sum(not r['clear'] for r in rows)} case(s) without the expected error")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    sys.exit(1 if worst > LIMIT_MB or not all(r["clear"] for r in rows) else 0)


if __name__ == "__main__":
    main()
