"""Questions that ask two things: how many of the articles their parts need are cited, and how many cited articles
are not among them. Quote style, the configured engine and its ranking profile.

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/bench_parts.py --kb var/kb-gemma [--sets parts,parts_check]
        [--parts 3] [--part-threshold 0.55] [--out F]

parts / parts_check: bench/data/parts.jsonl; fit_multi, dev_multi, heldout_multi, fresh_multi: the multi-part questions
(type multi) of ../shared/eval, the fit and held-out halves and fresh.jsonl. A question counts as fully answered when every
gold article is cited; a cited article outside the gold list is a wrong article (an added part's article that
answers nothing asked).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.answerer import Answerer  # noqa: E402
from bench.calibration import calibration_questions, dev_questions, fresh_questions, gold_pairs, part_questions  # noqa: E402
from bench.fit_answerability import _NoModel  # noqa: E402
from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

SETS = {
    "parts": lambda: part_questions("design"),
    "parts_check": lambda: part_questions("check"),
    "fit_multi": lambda: [q for q in calibration_questions("fit") if q.get("type") == "multi"],
    "dev_multi": lambda: [q for q in dev_questions() if q["type"] == "multi"],
    "heldout_multi": lambda: [q for q in calibration_questions("heldout") if q.get("type") == "multi"],
    "fresh_multi": lambda: [q for q in fresh_questions() if q.get("type") == "multi"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--sets", default="parts,parts_check")
    parser.add_argument("--parts", type=int, default=None, help="answering.question_parts (default: configured)")
    parser.add_argument("--out", type=Path, help="one JSON line per question")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    config.answering.style = "quote"
    if args.parts is not None:
        config.answering.question_parts = args.parts
    answerer = Answerer(open_knowledge_base(config), _NoModel(), config)
    rows = []
    for name in args.sets.split(","):
        gold_total = gold_cited = cited_total = wrong = full = refused = 0
        questions = SETS[name]()
        for q in questions:
            answer = asyncio.run(answerer.answer(q["question"]))
            gold = gold_pairs(q)
            cited = [(c.source, c.article) for c in answer.citations]
            gold_total += len(gold)
            gold_cited += sum(g in cited for g in gold)
            cited_total += len(cited)
            wrong += sum(c not in gold for c in cited)
            full += bool(gold) and all(g in cited for g in gold)
            refused += answer.refused
            rows.append({"set": name, "id": q["id"], "question": q["question"], "refused": answer.refused,
                         "cited": [f"{c.title} {c.article}" for c in answer.citations],
                         "wrong": [f"{s} {a}" for s, a in cited if (s, a) not in gold]})
        print(name, json.dumps({"questions": len(questions), "fully_answered": full, "refused": refused,
                                "gold_articles_cited": f"{gold_cited}/{gold_total}",
                                "citations": cited_total, "wrong_articles": wrong}, ensure_ascii=False))
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
