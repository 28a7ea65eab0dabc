"""City-wide deployment benchmark (issue 14), on loopback with the harness of tests/deployment.py.

    nice python bench/bench_deployment.py [--docs 8] [--seconds 60] [--screens 10]

Starts a throwaway PostgreSQL, a Chroma server, `llama_cpp.server` with the 0.5B GGUF, one panel process and two
kiosk processes (kb.refresh_interval_s at its default, 2 s), seeds six real statutes with `kiosk kb ingest`, then:

(a) freshness: --docs synthetic notices, each with a fact no other document states, are uploaded one at a time
    through the panel's Gradio API over HTTP (the call the page's upload button makes: upload, then `ingest`, which
    returns after the registry commit). From the moment that call returns, a screen on each kiosk asks about the
    fact until it is answered with the notice's citation; "every kiosk" is the slower of the two.
(b) load: --screens screens per kiosk ask dev questions about the seeded statutes over HTTP (think time 0.5–1.5 s)
    for --seconds while a clerk retires and re-activates one statute through the panel; then the same load, all
    screens on ONE `kiosk serve` on the single-box default (SQLite, Chroma on disk, panel mounted), in the same run.
    Reported: errors, answers citing the retired statute, client-side latency and the stage timings the store
    recorded for these turns.
Writes results.json under --work and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.soak_clients import Screen, Staff, StaffOp, Turn, page_event_ids, sqlite_doc_id, unavailable_intervals  # noqa: E402
from tests.deployment import CityDeployment, Process, clean_env, document_id, kiosk_command, recorded_turns  # noqa: E402
from tests.postgres import PostgresCluster, find_postgres_bin  # noqa: E402
from tests.servers import free_port  # noqa: E402

SHARED = REPO.parent / "shared"
SEED = ["居住证暂行条例(2015-11-26).md", "居民身份证法(2011-10-29).md", "护照法(2006-04-29).md",
        "婚姻登记条例(2003-08-08).md", "户口登记条例(1958-01-09).md", "住房公积金管理条例(2019-03-24).md"]  # fmt: skip
CHURN = "住房公积金管理条例(2019-03-24).md"  # retired and re-activated during the load
SERVICES = ["古籍修缮补贴", "渔船登记证", "蜂农养殖备案", "非遗传承人认定", "夜市摊位许可", "无人机飞行备案",
            "校外托管机构备案", "林下经济补贴", "古树名木认养", "农村客运线路许可", "民宿开办备案", "桥梁冠名许可"]  # fmt: skip
CLERK, PASSWORD = "bench-clerk", "bench-clerk-password"
STAGES = ("retrieve_s", "answer_s", "first_audio_s", "total_s")
FOLLOW_LIMIT_S = 60.0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=8)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--screens", type=int, default=10, help="screens per kiosk process")
    p.add_argument("--work", type=Path, default=REPO / "var" / "bench" / "deployment")
    p.add_argument("--seed", type=int, default=14)
    return p.parse_args()


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(values), "p50": round(statistics.median(ordered), 2), "p95": round(p95, 2)}


def notice(index: int) -> tuple[str, str, str]:
    """(file name, text, question) of a small notice with a fact only it states."""
    service = SERVICES[index % len(SERVICES)]
    material = f"编号为{7300 + index}的登记回执"
    text = (f"# 关于{service}办理事项的通知\n\n（2026年11月{index + 1}日发布）\n\n"
            f"第一条 为做好{service}工作，方便群众办理，制定本通知。\n\n"
            f"第二条 办理{service}，申请人应当携带居民身份证和{material}。\n\n"
            f"第三条 {service}的办理时限为{index + 3}个工作日，不收取任何费用。\n")  # fmt: skip
    return f"notice-{index:02d}.md", text, f"办理{service}要带什么材料"


def dev_questions() -> list[str]:
    rows = [json.loads(line) for line in (SHARED / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    about = [r["question"] for r in rows if r["gold"] and r["gold"][0]["file"] in SEED]
    churned = [r["question"] for r in rows if r["gold"] and r["gold"][0]["file"] == CHURN]
    return about + 2 * churned + [r["question"] for r in rows if not r["gold"]][:3]


# ------------------------------------------------------------ (a) freshness


async def until_cited(screen: Screen, question: str, source: str, since: float) -> float | None:
    """Seconds from `since` until this screen's answer cites `source` (None: not within FOLLOW_LIMIT_S)."""
    while time.time() - since < FOLLOW_LIMIT_S:
        turn = await screen.ask(question)
        if source in turn.sources:
            return turn.ended - since
        await asyncio.sleep(0.1)
    return None


async def freshness(staff: Staff, screens: list[Screen], docs: Path, count: int) -> dict[str, Any]:
    rows = []
    for index in range(count):
        name, text, question = notice(index)
        path = docs / name
        path.write_text(text, encoding="utf-8")
        started = time.time()
        ok, detail = await staff._call("ingest", [[await staff._upload(path)]])
        committed = time.time()
        if not ok:
            rows.append({"doc": name, "error": detail})
            continue
        seconds = await asyncio.gather(*(until_cited(s, question, name, committed) for s in screens))
        rows.append({"doc": name, "ingest_call_s": round(committed - started, 2),
                     "per_kiosk_s": [None if s is None else round(s, 2) for s in seconds],
                     "all_kiosks_s": None if None in seconds else round(max(s for s in seconds if s is not None), 2)})  # fmt: skip
    reached = [r["all_kiosks_s"] for r in rows if r.get("all_kiosks_s") is not None]
    return {"uploads": len(rows), "not_reached_within_s": {"limit": FOLLOW_LIMIT_S, "count": len(rows) - len(reached)},
            "upload_to_every_kiosk_s": percentiles(reached),
            "ingest_call_s": percentiles([r["ingest_call_s"] for r in rows if "ingest_call_s" in r]), "rows": rows}  # fmt: skip


# ------------------------------------------------------------ (b) load


async def screen_loop(screen: Screen, pool: list[str], deadline: float, turns: list[Turn], rng: random.Random) -> None:
    while time.time() < deadline:
        turns.append(await screen.ask(rng.choice(pool)))
        await asyncio.sleep(rng.uniform(0.5, 1.5))


async def clerk_loop(staff: Staff, path: Path, deadline: float, ops: list[StaffOp]) -> None:
    """Retire the statute, keep it out 15 s, re-activate, keep it in 10 s; it ends active."""
    while time.time() < deadline:
        ops.append(await staff.run("retire", path))
        await asyncio.sleep(15)
        ops.append(await staff.run("activate", path))
        await asyncio.sleep(10)


def cited_while_retired(turns: list[Turn], gone: list[tuple[float, float]], grace_s: float) -> int:
    """Turns that started at least `grace_s` after a retirement returned, ended before the re-activation began,
    and still cited the statute."""
    return sum(any(a + grace_s <= t.started and t.ended <= b for a, b in gone) and CHURN in t.sources for t in turns)


async def load(bases: list[str], screens_each: int, staff: Staff, seconds: float, grace_s: float,
               rng: random.Random) -> tuple[dict[str, Any], set[str]]:  # fmt: skip
    screens: list[Screen] = []
    for base in bases:
        ids = await page_event_ids(base)
        screens += [Screen(base, len(screens), *ids) for _ in range(screens_each)]
    pool = dev_questions()
    await asyncio.gather(*(s.ask(pool[0]) for s in screens))  # every screen's session exists; models are loaded
    turns: list[Turn] = []
    ops: list[StaffOp] = []
    start = time.time()
    deadline = start + seconds
    tasks = [screen_loop(s, pool, deadline, turns, random.Random(rng.random())) for s in screens]
    await asyncio.gather(*tasks, clerk_loop(staff, SHARED / "corpus" / "statutes" / CHURN, deadline, ops))
    for screen in screens:
        await screen.close()
    gone = unavailable_intervals(ops, time.time()).get(CHURN, [])
    errors = [t for t in turns if t.error]
    result = {
        "kiosk_processes": len(bases), "screens": len(screens), "seconds": seconds, "turns": len(turns),
        "turns_per_s": round(len(turns) / seconds, 2), "errors": len(errors),
        "error_kinds": sorted({t.error or "" for t in errors})[:5],
        "clerk_ops": [(o.op, o.ok, round(o.ended - o.started, 2)) for o in ops],
        "cited_retired_after_refresh_interval": cited_while_retired(turns, gone, grace_s),
        "cited_retired_strict": cited_while_retired(turns, gone, 0.0),
        "turns_while_retired": sum(any(a <= t.started and t.ended <= b for a, b in gone) for t in turns),
        "latency_s": percentiles([t.ended - t.started for t in turns if not t.error]),
    }  # fmt: skip
    return result, {s.session for s in screens}


def stage_timings(turns: list[dict[str, Any]], sessions: set[str]) -> dict[str, Any]:
    mine = [t for t in turns if t["session_id"] in sessions]
    return {"recorded_turns": len(mine),
            **{stage: percentiles([t["timings"][stage] for t in mine if stage in t["timings"]]) for stage in STAGES}}  # fmt: skip


# ------------------------------------------------------------ the two deployments


async def city_run(args: argparse.Namespace, city: CityDeployment, rng: random.Random) -> dict[str, Any]:
    bases = [city.processes[name].base_url for name in ("kiosk-a", "kiosk-b")]
    staff = Staff(city.processes["panel"].base_url, CLERK, PASSWORD, lambda source: document_id(city.database_url, source))
    await staff.login()
    # the lookup imports the knowledge-base package in this process (seconds): not inside the first timed staff call
    await asyncio.to_thread(document_id, city.database_url, "-")
    fresh_screens = [Screen(base, 100 + i, *await page_event_ids(base)) for i, base in enumerate(bases)]
    await asyncio.gather(*(s.ask(notice(0)[2]) for s in fresh_screens))  # load each kiosk's models before timing
    docs = args.work / "notices"
    docs.mkdir(parents=True, exist_ok=True)
    fresh = await freshness(staff, fresh_screens, docs, args.docs)
    for screen in fresh_screens:
        await screen.close()
    since = time.time()
    result, sessions = await load(bases, args.screens, staff, args.seconds, city.refresh_interval_s, rng)
    await staff.close()
    result["stages"] = stage_timings(await asyncio.to_thread(recorded_turns, city.database_url, since), sessions)
    return {"freshness": fresh, "load": result}


def single_box(work: Path, llm_base_url: str) -> tuple[Process, dict[str, str]]:
    """One `kiosk serve` on the defaults (SQLite store and registry, Chroma on disk, panel mounted)."""
    port = free_port()
    cache = work / "city" / "seed" / "cache" / "embeddings.sqlite"  # the city's seeding embedded the same statutes
    if cache.exists():
        (work / "single" / "cache").mkdir(parents=True, exist_ok=True)
        shutil.copy(cache, work / "single" / "cache" / "embeddings.sqlite")
    config = work / "single.yaml"
    config.write_text("{}\n", encoding="utf-8")
    env = {**clean_env(), "KIOSK_CONFIG": str(config), "KIOSK_PATHS__DATA_DIR": str(work / "single"),
           "KIOSK_PATHS__MODEL_CACHE_DIR": str(REPO / "var" / "models"), "KIOSK_TTS__ENGINES": '["espeak"]',
           "KIOSK_LLM__BACKEND": "openai", "KIOSK_LLM__BASE_URL": llm_base_url, "KIOSK_LLM__MODEL_NAME": "qwen-0.5b",
           "KIOSK_ADMIN__FAILED_LOGIN_DELAY_S": "0",
           "KIOSK_KB__SEED_PATHS": json.dumps([str(SHARED / "corpus" / "statutes" / name) for name in SEED])}  # fmt: skip
    command = kiosk_command("serve", "--port", str(port), "--no-warm-up")
    return Process("single-box", command, env, work / "logs" / "single-box.log", f"http://127.0.0.1:{port}/health"), env


async def single_run(args: argparse.Namespace, process: Process, rng: random.Random) -> dict[str, Any]:
    from panel.store.database import Database
    from panel.store.turns import TurnLog

    data = args.work / "single"
    staff = Staff(process.base_url, CLERK, PASSWORD, sqlite_doc_id(data / "kb" / "registry.sqlite"))
    await staff.login()
    since = time.time()
    result, sessions = await load([process.base_url], 2 * args.screens, staff, args.seconds, 0.0, rng)
    await staff.close()
    db = Database(f"sqlite:///{data / 'kiosk.sqlite'}")
    result["stages"] = stage_timings(TurnLog(db).turns(start=since), sessions)
    db.close()
    return {"load": result}


def main() -> int:
    args = parse_args()
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    rng = random.Random(args.seed)
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server programs not found (scripts/install-system-deps.sh)")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    results: dict[str, Any] = {"docs": args.docs, "seconds": args.seconds, "screens_per_kiosk": args.screens}
    try:
        city = CityDeployment(args.work / "city", cluster.create_database(), refresh_interval_s=2.0, llm_threads=1)
        with city:
            try:
                city.start_chroma()
                city.start_model_server()
                city.wait_ready(["chroma", "model-server"])
                started = time.time()
                city.cli("seed", "kb", "ingest", *[str(SHARED / "corpus" / "statutes" / n) for n in SEED])
                results["seed_ingest_s"] = round(time.time() - started, 1)
                city.create_user(CLERK, PASSWORD)
                city.start_panel()
                for name in ("kiosk-a", "kiosk-b"):
                    city.start_kiosk(name)
                results["start_s"] = {k: round(v, 1) for k, v in city.wait_ready(["panel", "kiosk-a", "kiosk-b"]).items()}
                results["city"] = asyncio.run(city_run(args, city, rng))
                for name in ("panel", "kiosk-a", "kiosk-b"):  # free the cores for the single box
                    city.processes[name].stop()
                process, env = single_box(args.work, city.llm_base_url)
                city.processes[process.name] = process  # stopped with the rest
                subprocess.run(kiosk_command("admin", "create-user", CLERK, "--role", "staff", "--password-stdin"),
                               input=PASSWORD + "\n", text=True, env=env, cwd=REPO, check=True, capture_output=True)  # fmt: skip
                process.start()
                results["single_box_start_s"] = round(process.wait_ready(600), 1)
                results["single_box"] = asyncio.run(single_run(args, process, rng))
            except BaseException:
                print(city.diagnostics(), file=sys.stderr)
                raise
    finally:
        cluster.stop()
    out = args.work / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
