"""Answer benchmark: run the Answerer over the dev questions and score accuracy, refusals, citations, latency.

    flock /tmp/kiosk-bench.lock .venv/bin/python bench/bench_answers.py --kb var/bench-kb \
        --model qwen2.5-0.5b --out var/bench/answers-0.5b.jsonl [--ids dev-001,dev-059] [--start 0 --count 20]

Results are appended to --out (one JSON line per question), so a long run can be split into short ones;
`--score-only` rescans --out and prints the scores and a few failures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_answers import load_jsonl, score  # noqa: E402

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "dev_questions.jsonl"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kb", type=Path, default=Path("var/bench-kb"))
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    p.add_argument("--model", choices=["qwen2.5-0.5b", "qwen2.5-1.5b"], default="qwen2.5-0.5b")
    p.add_argument("--style", choices=["quote", "generate"], default=None, help="default: the configured style")
    p.add_argument("--threshold", type=float, default=None, help="answering.answerable_threshold (default: configured)")
    p.add_argument("--max-passages", type=int, default=None)
    p.add_argument("--passage-chars", type=int, default=None)
    p.add_argument("--ids", default="", help="comma-separated question ids (default: all)")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=None)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--score-only", action="store_true")
    p.add_argument("--failures", type=int, default=6, help="how many failures to print")
    return p.parse_args()


def select(questions: list[dict[str, Any]], args: argparse.Namespace, done: set[str]) -> list[dict[str, Any]]:
    if args.ids:
        wanted = set(args.ids.split(","))
        questions = [q for q in questions if q["id"] in wanted]
    end = None if args.count is None else args.start + args.count
    return [q for q in questions[args.start : end] if q["id"] not in done]


async def run(args: argparse.Namespace, todo: list[dict[str, Any]]) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from answering import build_answerer
    from core.config import load_config
    from kiosk.commands.ask import parse_history

    config = load_config(kb_dir=args.kb)
    config.llm.backend = "embedded"
    config.llm.embedded_model = args.model
    if args.style:
        config.answering.style = args.style
    if args.threshold is not None:
        config.answering.answerable_threshold = args.threshold
    if args.max_passages:
        config.answering.max_passages = args.max_passages
    if args.passage_chars:
        config.answering.passage_chars = args.passage_chars
    started = time.monotonic()
    answerer = build_answerer(config)
    await answerer.warm_up()
    print(f"# loaded {args.model} + knowledge base in {time.monotonic() - started:.1f} s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as out:
        for q in todo:
            answer = await answerer.answer(q["question"], parse_history(q.get("history")))
            row = {
                "id": q["id"],
                "model": args.model if config.answering.style == "generate" else None,
                "style": config.answering.style,
                "max_passages": config.answering.max_passages,
                "passage_chars": config.answering.passage_chars,
                **answer.to_dict(),
                "top_score": answer.hits[0].score if answer.hits else None,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{q['id']} {row['mode']:<8} ft={row['timings']['first_token_s']} total={row['timings']['total_s']}"
                  f" {row['answer'][:60]}", file=sys.stderr)


def main() -> int:
    args = parse_args()
    questions = load_jsonl(args.questions)
    done = {r["id"] for r in load_jsonl(args.out)} if args.out.exists() else set()
    if not args.score_only:
        todo = select(questions, args, done)
        print(f"# {len(todo)} questions on {platform.machine()}, {os.cpu_count()} cores", file=sys.stderr)
        asyncio.run(run(args, todo))
    results = {r["id"]: r for r in load_jsonl(args.out)}
    report = score(questions, results)
    failures = report.pop("failures")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    for f in failures[: args.failures]:
        print(f"FAIL {f['id']} {f['question']}\n  answer: {f['answer']}\n  missing: {f['missing']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
