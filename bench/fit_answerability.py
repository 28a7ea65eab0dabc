"""Fit the answerability check on the fit half of bench/data; report refusal and false refusal per threshold.

    .venv/bin/python bench/fit_answerability.py --kb var/kb [--write | --shipped] [--json var/bench/answerability.json]

Each fit-half question (answerable or not) is retrieved as the answerer retrieves it and labelled answerable or
not; a logistic regression over the signals of answering/answerability.py is fitted. Then the real
`Answerer` (quote style: no model on the way) answers every question of the held-out half and of the dev set, and
the share of unanswerable questions refused and of answerable questions refused is reported per threshold, also
on bench/data/fresh.jsonl, a set written after fitting that nothing is fitted or chosen on.
`--write` stores the weights in answering/answerability_weights.json.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering import answerability  # noqa: E402
from answering.answerer import Answerer  # noqa: E402
from answering.guardrails import Scope, classify, strip_injection  # noqa: E402
from answering.prompt import retrieval_query  # noqa: E402
from answering.referrals import ReferralBook  # noqa: E402
from bench.calibration import (  # noqa: E402
    REPO,
    answerable,
    calibration_questions,
    dev_questions,
    fit_arguments,
    fit_logistic,
    fresh_questions,
    percent,
)
from core.config import load_config  # noqa: E402
from core.models import ChatMessage, Hit  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402
from knowledge_base.question import analyse  # noqa: E402
from knowledge_base.relevance import LinearModel  # noqa: E402

WEIGHTS = REPO / "answering" / "answerability_weights.json"
THRESHOLDS = (0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)


def history_of(q: dict) -> list[ChatMessage]:
    return [ChatMessage("user", q["history"]), ChatMessage("assistant", "")] if q.get("history") else []


def retrieved(kb, questions: Iterable[dict]) -> Iterator[tuple[dict, str, list[Hit], dict[str, float]]]:  # noqa: ANN001
    """Each question the answerer would retrieve for, with its query, hits and answerability signals.

    Questions refused by the scope check before retrieval, referred to another department after it, or with no
    passage at all never reach the answerability check, so they leave nothing to learn."""
    referrals = ReferralBook.load()
    for q in questions:
        cleaned, _ = strip_injection(q["question"])
        if classify(cleaned) is not Scope.IN_SCOPE:
            continue
        understood, _ = kb.understand(cleaned)
        query = retrieval_query(understood, history_of(q), 3)
        hits = kb.search(query, 5)
        if not hits:
            continue
        terms = analyse(query)
        if referrals.refer(understood, hits[0], terms.subject) is None:
            yield q, query, hits, answerability.signals(terms, hits, kb.terms)


def signal_rows(kb, questions: list[dict]) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    xs, ys = [], []
    for q, _query, _hits, found in retrieved(kb, questions):
        xs.append([found[name] for name in answerability.SIGNALS])
        ys.append(1.0 if answerable(q) else 0.0)
    return np.array(xs), np.array(ys)


class _NoModel:
    name = "none"

    async def stream(self, messages, options):  # noqa: ANN001, ANN201
        raise AssertionError("the quote style calls no model")
        yield ""


async def answer_all(answerer: Answerer, questions: list[dict]) -> list[tuple[dict, object]]:
    out = []
    for q in questions:
        out.append((q, await answerer.answer(q["question"], history_of(q))))
    return out


def refusal_table(results: list[tuple[dict, object]], thresholds: tuple[float, ...]) -> dict[str, dict]:
    """Refusal on unanswerable and false refusal on answerable, had the threshold been t (same answers)."""
    table = {}
    for t in thresholds:
        def refused(a) -> bool:  # noqa: ANN001
            # gated at t, or refused anyway (scope, no passage, a figure the passage does not state)
            return (a.answerability is not None and a.answerability < t) or a.refused
        una = [refused(a) for q, a in results if not answerable(q)]
        ans = [refused(a) for q, a in results if answerable(q)]
        table[f"{t:.2f}"] = {"refusal": percent(una), "false_refusal": percent(ans), "n_unanswerable": len(una), "n_answerable": len(ans)}
    return table


def main() -> None:
    parser = fit_arguments(__doc__)
    parser.add_argument("--shipped", action="store_true", help="evaluate the shipped weights instead of refitting")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    config.answering.style = "quote"
    kb = open_knowledge_base(config)

    if args.shipped:
        model = answerability.fitted_model()
    else:
        x, y = signal_rows(kb, calibration_questions("fit"))
        w = fit_logistic(x, y, l2=args.l2)
        model = LinearModel({name: round(float(v), 4) for name, v in zip(answerability.SIGNALS, w)})
        print(f"fitted on {len(y)} questions ({int(y.sum())} answerable): {model.weights}")
    if args.write and not args.shipped:
        WEIGHTS.write_text(model.to_json() + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")
    answerability.fitted_model.cache_clear()
    if not args.write:  # evaluate the fitted model without storing it
        answerability.fitted_model.__wrapped__ = lambda: model  # type: ignore[attr-defined]
        answerability.fitted_model = lambda: model  # type: ignore[assignment]

    report: dict = {"weights": model.weights}
    # Every threshold is evaluated on the same answers: run once with threshold 0 and apply t to the scores.
    config.answering.answerable_threshold = 0.0
    answerer = Answerer(kb, _NoModel(), config)
    splits = {"fit": calibration_questions("fit"), "heldout": calibration_questions("heldout"), "dev": dev_questions(), "fresh": fresh_questions()}
    for name, questions in splits.items():
        results = asyncio.run(answer_all(answerer, questions))
        table = refusal_table(results, THRESHOLDS)
        report[name] = table
        print(f"{name}: " + "  ".join(f"t={t} refuse {r['refusal']:.3f} false {r['false_refusal']:.3f}" for t, r in table.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
