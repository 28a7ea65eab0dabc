"""How often the kiosk quotes a wrong rule: per answerable question, answered from the gold article, answered from
another one, or refused; per unanswerable question, refused or answered. Quote style, the configured engine and
its ranking profile.

    .venv/bin/python bench/wrong_rules.py --kb var/kb
    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/wrong_rules.py --kb var/kb-gemma [--sets fit,heldout] [--out F]

--out writes one line per question (set, id, outcome, first citation, answerability) to compare two runs question by
question; the fit half is the one to read when designing a change.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.answerer import Answerer  # noqa: E402
from bench.calibration import (  # noqa: E402
    SETS_IN_PARTS,
    answerable,
    calibration_questions,
    certificates,
    conversations,
    dev_questions,
    followup_chains,
    followup_turns,
    fresh_questions,
    gold_pairs,
    how_to_questions,
    keyword_questions,
    probe_questions,
    questions_in_parts,
    typed_questions,
)
from bench.fit_answerability import _NoModel, history_of  # noqa: E402
from bench.score_answers import declined  # noqa: E402
from core.config import load_config  # noqa: E402
from core.models import Answer  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402


def outcome(q: dict, answer: Answer) -> str:
    if not answerable(q):
        return "unanswerable_refused" if declined(answer.to_dict()) else "unanswerable_answered"
    if answer.refused:
        return "refused"
    first = answer.citations[0] if answer.citations else None
    return "right_article" if first and (first.source, first.article) in gold_pairs(q) else "wrong_article"


def _design_and_check(name: str, questions: Callable[[str], list[dict]]) -> dict[str, Callable[[], list[dict]]]:
    """A set written in two parts, under its name (the design part) and its name with _check."""
    return {name: lambda: questions("design"), f"{name}_check": lambda: questions("check")}


def question_sets() -> dict[str, Callable[[], list[dict]]]:
    """The labelled sets by name, as --sets names them."""
    sets = {"fit": lambda: calibration_questions("fit"), "heldout": lambda: calibration_questions("heldout"),
            "dev": dev_questions, "fresh": fresh_questions, "howto": how_to_questions,
            **_design_and_check("chains", followup_chains),
            "turns": followup_turns, "conversations": conversations, "certificates": certificates,
            "typed": typed_questions, **_design_and_check("keywords", keyword_questions), "probes": probe_questions}
    for name in SETS_IN_PARTS:
        sets.update(_design_and_check(name, partial(questions_in_parts, name)))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument(
        "--sets",
        default="heldout,dev,fresh",
        help=f"comma-separated: {', '.join(question_sets())}",
    )
    parser.add_argument("--out", type=Path, help="write each question's outcome here (JSON lines)")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    config.answering.style = "quote"
    answerer = Answerer(open_knowledge_base(config), _NoModel(), config)
    print(f"profile {answerer.profile.name}, threshold {answerer.threshold}")
    every = question_sets()
    rows: list[dict] = []
    for name in args.sets.split(","):
        counts: dict[str, int] = {}
        for q in every[name]():
            answer = asyncio.run(answerer.answer(q["question"], history_of(q)))
            kind = outcome(q, answer)
            counts[kind] = counts.get(kind, 0) + 1
            first = answer.citations[0] if answer.citations else None
            rows.append({"set": name, "id": q["id"], "question": q["question"], "outcome": kind,
                         "cited": f"{first.title} {first.article}" if first else None,
                         "answerability": answer.answerability})
        wrong = counts.get("wrong_article", 0) + counts.get("unanswerable_answered", 0)
        print(name, json.dumps({**counts, "wrong_rules": wrong, "questions": sum(counts.values())}))
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
