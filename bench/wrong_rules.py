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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.answerer import Answerer  # noqa: E402
from bench.calibration import (  # noqa: E402
    act_questions,
    amount_questions,
    answerable,
    appeal_questions,
    applying_questions,
    calibration_questions,
    certificates,
    channel_questions,
    condition_questions,
    conversations,
    definition_questions,
    department_questions,
    dev_questions,
    fee_questions,
    followup_chains,
    followup_turns,
    frequency_questions,
    fresh_questions,
    gold_pairs,
    how_to_questions,
    keyword_questions,
    legality_questions,
    manner_questions,
    obligation_questions,
    penalty_questions,
    period_questions,
    probe_questions,
    situation_questions,
    stop_questions,
    transfer_questions,
    typed_questions,
    wait_questions,
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


def question_sets() -> dict[str, Callable[[], list[dict]]]:
    """The labelled sets by name, as --sets names them."""
    return {"fit": lambda: calibration_questions("fit"), "heldout": lambda: calibration_questions("heldout"),
            "dev": dev_questions, "fresh": fresh_questions, "howto": how_to_questions,
            "chains": lambda: followup_chains("design"), "chains_check": lambda: followup_chains("check"),
            "turns": followup_turns, "conversations": conversations, "certificates": certificates,
            "typed": typed_questions, "keywords": lambda: keyword_questions("design"),
            "keywords_check": lambda: keyword_questions("check"), "probes": probe_questions,
            "manners": lambda: manner_questions("design"), "manners_check": lambda: manner_questions("check"),
            "definitions": lambda: definition_questions("design"),
            "definitions_check": lambda: definition_questions("check"),
            "obligations": lambda: obligation_questions("design"),
            "obligations_check": lambda: obligation_questions("check"),
            "waits": lambda: wait_questions("design"), "waits_check": lambda: wait_questions("check"),
            "penalties": lambda: penalty_questions("design"), "penalties_check": lambda: penalty_questions("check"),
            "legality": lambda: legality_questions("design"), "legality_check": lambda: legality_questions("check"),
            "frequency": lambda: frequency_questions("design"), "frequency_check": lambda: frequency_questions("check"),
            "acts": lambda: act_questions("design"), "acts_check": lambda: act_questions("check"),
            "conditions": lambda: condition_questions("design"),
            "conditions_check": lambda: condition_questions("check"),
            "departments": lambda: department_questions("design"),
            "departments_check": lambda: department_questions("check"),
            "situations": lambda: situation_questions("design"),
            "situations_check": lambda: situation_questions("check"),
            "appeals": lambda: appeal_questions("design"), "appeals_check": lambda: appeal_questions("check"),
            "stops": lambda: stop_questions("design"), "stops_check": lambda: stop_questions("check"),
            "fees": lambda: fee_questions("design"), "fees_check": lambda: fee_questions("check"),
            "transfers": lambda: transfer_questions("design"),
            "transfers_check": lambda: transfer_questions("check"),
            "periods": lambda: period_questions("design"), "periods_check": lambda: period_questions("check"),
            "amounts": lambda: amount_questions("design"), "amounts_check": lambda: amount_questions("check"),
            "channels": lambda: channel_questions("design"), "channels_check": lambda: channel_questions("check"),
            "applying": lambda: applying_questions("design"), "applying_check": lambda: applying_questions("check")}


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
