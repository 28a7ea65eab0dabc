"""Many screens at once: N kiosk screens each ask questions through the real turn pipeline on one box.

    .venv/bin/python bench/bench_concurrency.py --kb var/kb --screens 1 5 20 --questions 3 [--json var/bench/concurrency.json]

Each screen is one asyncio task that asks `--questions` typed dev questions one after another (as a citizen does),
all screens at once, through `Services.pipeline()` — the same knowledge base, answerer and voice the kiosk uses.
Reported per N: turns, "busy"/timeout apologies (degraded answers), answer-ready and first-audio p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import dev_questions  # noqa: E402
from bench.score_answers import percentile  # noqa: E402
from core.config import load_config  # noqa: E402
from core.models import AnswerMode, PipelineEventType  # noqa: E402
from kiosk.pipeline import TurnRequest, stage_timings  # noqa: E402
from kiosk.services import Services  # noqa: E402


def pct(values: list[float], q: float) -> float | None:
    value = percentile(values, q)
    return None if value is None else round(value, 3)


async def screen(services: Services, questions: list[str], out: list[dict]) -> None:
    for question in questions:
        pipeline = services.pipeline()
        events = []
        turn = pipeline.start(TurnRequest(text=question, session_id="bench-concurrency"), on_event=events.append)
        await turn.wait()
        timings = stage_timings(events)
        end = next((e for e in events if e.type is PipelineEventType.ANSWER_END), None)
        answer = end.answer if end else None
        out.append(
            {
                "question": question,
                "mode": answer.mode.value if answer else "none",
                "apology": answer is None or answer.mode is AnswerMode.DEGRADED,
                "answer_s": timings.get("answer_s"),
                "first_audio_s": timings.get("first_audio_s"),
            }
        )


async def run(services: Services, n: int, per_screen: int, pool: list[str]) -> dict:
    out: list[dict] = []
    started = time.monotonic()
    await asyncio.gather(*(screen(services, [pool[(i * per_screen + j) % len(pool)] for j in range(per_screen)], out) for i in range(n)))
    wall = time.monotonic() - started
    answer = [r["answer_s"] for r in out if r["answer_s"] is not None]
    audio = [r["first_audio_s"] for r in out if r["first_audio_s"] is not None]
    return {
        "screens": n,
        "turns": len(out),
        "apologies": sum(r["apology"] for r in out),
        "modes": {m: sum(r["mode"] == m for r in out) for m in sorted({r["mode"] for r in out})},
        "answer_p50_s": pct(answer, 0.5),
        "answer_p95_s": pct(answer, 0.95),
        "first_audio_p50_s": pct(audio, 0.5),
        "first_audio_p95_s": pct(audio, 0.95),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--screens", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--questions", type=int, default=3, help="questions per screen")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    services = Services(config, store=None)
    services.warm_up()
    pool = [q["question"] for q in dev_questions() if q["type"] in ("direct", "colloquial", "unanswerable")]
    asyncio.run(run(services, 1, 1, pool))  # first turn loads what warm-up left lazy
    results = [asyncio.run(run(services, n, args.questions, pool)) for n in args.screens]
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    single = next((r for r in results if r["screens"] == 1), None)
    if single and single["answer_p50_s"]:
        for r in results:
            if r["answer_p50_s"]:
                print(f"N={r['screens']}: answer p50 {r['answer_p50_s'] / single['answer_p50_s']:.2f}x a single screen")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
