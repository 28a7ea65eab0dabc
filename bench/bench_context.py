"""A citizen's circumstances before the question: is it answered as it is without them? Quote style, the configured
engine and its ranking profile.

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/bench_context.py --kb var/kb-gemma [--halves design,check]
        [--out F]

bench/data/context.jsonl pairs a question with what a citizen might say first: a name, an address, a plate, an ID
number, family, work, age, where they come from. Each question is answered alone and with its context. "same" = the
same first article (or both refused); "lost" = answered alone, refused with the context; "moved" = another first
article; "gained" = refused alone, answered with it. The pairs carry no gold article: this measures what the
context changes, not whether either answer is right.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.answerer import Answerer  # noqa: E402
from bench.fit_answerability import _NoModel  # noqa: E402
from core.config import load_config  # noqa: E402
from core.models import Answer  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "data" / "context.jsonl"


def first_article(answer: Answer) -> str | None:
    if answer.refused or not answer.citations:
        return None
    return answer.citations[0].label()


def outcome(alone: str | None, with_context: str | None) -> str:
    if alone == with_context:
        return "same"
    if with_context is None:
        return "lost"
    return "gained" if alone is None else "moved"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--halves", default="design,check")
    parser.add_argument("--out", type=Path, help="one JSON line per pair")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    config.answering.style = "quote"
    answerer = Answerer(open_knowledge_base(config), _NoModel(), config)
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    for half in args.halves.split(","):
        counts: Counter[str] = Counter()
        for pair in (p for p in pairs if p["half"] == half):
            alone = first_article(asyncio.run(answerer.answer(pair["question"])))
            with_context = first_article(asyncio.run(answerer.answer(f"{pair['context']} {pair['question']}")))
            result = outcome(alone, with_context)
            counts[result] += 1
            rows.append({**pair, "alone": alone, "with_context": with_context, "outcome": result})
        print(half, json.dumps({"pairs": sum(counts.values()), **{k: counts[k] for k in ("same", "lost", "moved", "gained")}}))
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
