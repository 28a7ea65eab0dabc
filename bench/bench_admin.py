"""Admin store and panel timings: the per-turn store calls the kiosk makes (record_turn, effective_config),
dashboard aggregation over many turns, a login (argon2 verify), and upload→ingest of one real statute
through the panel over HTTP.

Run (timings are only meaningful when nothing else runs):
    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_admin.py --turns 10000 --ingest-runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.config import KioskConfig  # noqa: E402
from core.models import AnswerMode, Citation, TurnRecord  # noqa: E402
from panel import dashboard  # noqa: E402
from panel.store import Store  # noqa: E402

SHARED = ROOT.parent / "shared"
STATUTE = SHARED / "corpus" / "statutes" / "居住证暂行条例(2015-11-26).md"
TITLES = ["居住证暂行条例", "居民身份证法", "失业保险条例", "住房公积金管理条例", "婚姻登记条例"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(values, 0.5) * 1000, 3), "p95_ms": round(pct(values, 0.95) * 1000, 3), "n": len(values)}


def config_in(tmp: Path) -> KioskConfig:
    config = KioskConfig()
    config.paths.data_dir = tmp
    config.paths.model_cache_dir = ROOT / "var" / "models"
    config.embedding.cache = False  # measure real embedding, not a cache hit
    return config


def fake_turn(i: int, at: float) -> TurnRecord:
    refused = i % 7 == 0
    title = random.choice(TITLES)
    return TurnRecord(
        f"t{i}", f"s{i // 3}", f"第{i}个问题：{title}怎么办理，电话13812345678", "回答……",
        AnswerMode.REFUSAL if refused else AnswerMode.LLM, refused,
        () if refused else (Citation(f"{title}.md", title, "第九条"),),
        {"asr_s": random.uniform(0.5, 1.5), "retrieve_s": random.uniform(0.05, 0.2),
         "first_token_s": random.uniform(0.8, 3.0), "total_s": random.uniform(2, 8)}, at,
    )  # fmt: skip


def bench_store(turns: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config = config_in(Path(tmp))
        store = Store.open(config)
        store.settings.update(config, {"kiosk.greeting": "欢迎", "tts.speed": 1.1}, actor="bench")
        now = time.time()
        record, effective = [], []
        for i in range(turns):
            turn = fake_turn(i, now - random.uniform(0, 7 * 86400))
            t0 = time.perf_counter()
            store.record_turn(turn)
            record.append(time.perf_counter() - t0)
            if i % 10 == 0:
                t0 = time.perf_counter()
                store.effective_config(config)
                effective.append(time.perf_counter() - t0)
        for i in range(0, turns, 4):
            store.record_feedback(f"t{i}", i % 8 != 0)
        loads = []
        for _ in range(5):
            t0 = time.perf_counter()
            rows = store.turn_log.turns(now - 7 * 86400, now + 1)
            dashboard.questions_over_time(rows, "hour")
            dashboard.outcome_counts(rows)
            dashboard.top_topics(rows)
            dashboard.feedback_counts(rows)
            dashboard.latency_percentiles(rows)
            loads.append(time.perf_counter() - t0)
        store.accounts.create_user("bench", "bench-password", "admin")
        logins = []
        for _ in range(10):
            t0 = time.perf_counter()
            assert store.accounts.verify_login("bench", "bench-password", 5, 60).ok
            logins.append(time.perf_counter() - t0)
        return {
            "record_turn": ms(record),
            "effective_config": ms(effective),
            f"dashboard_7d_{turns}_turns": {"median_s": round(statistics.median(loads), 3), "runs": len(loads)},
            "login_argon2_verify": ms(logins),
        }


def bench_ingest(runs: int) -> dict:
    """Log in, upload one statute through the panel's Gradio API and wait for the ingest result."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kiosk.services import Services
    from panel.app import mount_admin

    seconds, chunks = [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            config = config_in(Path(tmp))
            services = Services(config)
            services.store.accounts.create_user("bench", "bench-password", "staff")
            app = FastAPI()
            mount_admin(app, services)
            with TestClient(app) as client:
                client.post("/admin/login", data={"username": "bench", "password": "bench-password"})
                services.kb  # open the knowledge base and load the embedder outside the timing
                t0 = time.perf_counter()
                with STATUTE.open("rb") as fh:
                    uploaded = client.post("/admin/kb/gradio_api/upload", files={"files": (STATUTE.name, fh)}).json()
                # The panel's ingest handler copies the upload under its own name and ingests it; do the same here
                # through the same function the handler uses, so the figure is the panel's path minus the browser.
                from panel.kb_panel import _unpack_uploads

                paths = _unpack_uploads([uploaded[0]], config.paths.data_dir / "uploads").paths
                results = services.kb.ingest(paths)
                seconds.append(time.perf_counter() - t0)
                assert results[0].status.value == "added", results
                chunks = results[0].chunks
    return {"upload_ingest_one_statute": {"median_s": round(statistics.median(seconds), 2), "runs": runs,
                                          "all_s": [round(s, 2) for s in seconds], "chunks": chunks}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=10000)
    parser.add_argument("--ingest-runs", type=int, default=3)
    args = parser.parse_args()
    random.seed(7)
    report = bench_store(args.turns)
    if args.ingest_runs:
        report.update(bench_ingest(args.ingest_runs))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
