"""Fit the answerability check on the fit half of bench/data; report refusal and false refusal per threshold.

    .venv/bin/python bench/fit_answerability.py --kb var/kb [--profile NAME] [--write | --shipped] [--json FILE]

Each fit-half question (answerable or not) is retrieved as the answerer retrieves it and labelled answerable or
not; a logistic regression over the signals of answering/answerability.py is fitted. Then the real
`Answerer` (quote style: no model on the way) answers every question of the held-out half and of the dev set, and
the share of unanswerable questions refused and of answerable questions refused is reported per threshold, also
on bench/data/fresh.jsonl, a set written after fitting that nothing is fitted or chosen on. The threshold is the
highest tabled one whose false refusal on the fit half stays at or under 0.10, where each fit-half question is
scored by a model fitted without its fold (`--folds`, default 5): scored by a model that has seen them, the fit
half looks better separated than new questions are, and the threshold comes out too high. `--write` stores the
weights (fitted on the whole fit half) and that threshold in the ranking profile
(knowledge_base/profiles/<name>.json).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering import answerability  # noqa: E402
from answering.answerer import Answerer  # noqa: E402
from answering.disfluency import without_fillers  # noqa: E402
from answering.followups import retrieval_query  # noqa: E402
from answering.guardrails import Scope, classify, strip_injection  # noqa: E402
from answering.referrals import ReferralBook  # noqa: E402
from bench.calibration import (  # noqa: E402
    answerable,
    calibration_questions,
    dev_questions,
    fit_arguments,
    fit_logistic,
    fresh_questions,
    open_for_fitting,
    percent,
)
from core.models import ChatMessage, Hit  # noqa: E402
from knowledge_base.profiles import LinearModel, Profile, load_profile  # noqa: E402
from knowledge_base.question import analyse  # noqa: E402

THRESHOLDS = (0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
MAX_FALSE_REFUSAL = 0.10  # on the fit half: the rule that picks the threshold


def history_of(q: dict) -> list[ChatMessage]:
    """A labelled question's earlier questions (one string, or a list of them) as conversation turns."""
    earlier = q.get("history") or []
    earlier = [earlier] if isinstance(earlier, str) else earlier
    return [m for text in earlier for m in (ChatMessage("user", text), ChatMessage("assistant", ""))]


def retrieved(kb, questions: Iterable[dict]) -> Iterator[tuple[dict, str, list[Hit], dict[str, float]]]:  # noqa: ANN001
    """Each question the answerer would retrieve for, with its query, hits and answerability signals.

    Questions refused by the scope check before retrieval, referred to another department after it, or with no
    passage at all never reach the answerability check, so they leave nothing to learn."""
    referrals = ReferralBook.load()
    for q in questions:
        cleaned, _ = strip_injection(q["question"])
        cleaned = without_fillers(cleaned)
        if classify(cleaned) is not Scope.IN_SCOPE:
            continue
        understood, _ = kb.understand(cleaned)
        query = retrieval_query(understood, history_of(q), 3)
        hits = kb.search(query, 5)
        if not hits:
            continue
        terms = analyse(query)
        if referrals.refer(understood, hits[0], terms.subject) is None:
            yield q, query, hits, answerability.signals(terms, hits, kb.terms, kb.retriever.profile)


def signal_rows(kb, questions: list[dict]) -> tuple[np.ndarray, np.ndarray, list[str]]:  # noqa: ANN001
    """Signals, labels (1 = answerable) and question ids of the questions that reach the check."""
    xs, ys, ids = [], [], []
    for q, _query, _hits, found in retrieved(kb, questions):
        xs.append([found[name] for name in answerability.SIGNALS])
        ys.append(1.0 if answerable(q) else 0.0)
        ids.append(q["id"])
    return np.array(xs), np.array(ys), ids


def fold_of(question_id: str, folds: int) -> int:
    """A fixed fold per question (another byte of the hash than the fit/held-out split uses)."""
    return hashlib.sha1(question_id.encode()).digest()[1] % folds


def fitted_model(x: np.ndarray, y: np.ndarray, l2: float) -> LinearModel:
    return LinearModel({s: round(float(v), 4) for s, v in zip(answerability.SIGNALS, fit_logistic(x, y, l2=l2))})


def out_of_fold_answers(answerer: Answerer, profile: Profile, questions: list[dict],
                        rows: tuple[np.ndarray, np.ndarray, list[str]], folds: int, l2: float) -> list[tuple[dict, object]]:  # fmt: skip
    """Every question answered with a model fitted on the other folds only."""
    x, y, ids = rows
    row_fold = np.array([fold_of(i, folds) for i in ids])
    results = []
    for k in range(folds):
        answerer.profile = profile.with_answerability(fitted_model(x[row_fold != k], y[row_fold != k], l2), profile.threshold)
        results += asyncio.run(answer_all(answerer, [q for q in questions if fold_of(q["id"], folds) == k]))
    answerer.profile = profile
    return results


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


def chosen_threshold(fit_table: dict[str, dict]) -> float:
    """The highest tabled threshold whose fit-half false refusal is at most MAX_FALSE_REFUSAL."""
    allowed = [float(t) for t, row in fit_table.items() if row["false_refusal"] <= MAX_FALSE_REFUSAL]
    return max(allowed, default=min(THRESHOLDS))


def main() -> None:
    parser = fit_arguments(__doc__)
    parser.add_argument("--shipped", action="store_true", help="evaluate the shipped weights instead of refitting")
    parser.add_argument("--folds", type=int, default=5, help="folds of the fit half for choosing the threshold")
    args = parser.parse_args()
    config, kb, profile, path = open_for_fitting(args.kb, args.profile)
    config.answering.style = "quote"

    rows = signal_rows(kb, calibration_questions("fit"))
    if not args.shipped:
        model = fitted_model(rows[0], rows[1], args.l2)
        profile = profile.with_answerability(model, profile.threshold)
        print(f"fitted {profile.name} on {len(rows[1])} questions ({int(rows[1].sum())} answerable): {model.weights}")

    report: dict = {"profile": profile.name, "weights": profile.answerability.weights}
    # Every threshold is evaluated on the same answers: run once with threshold 0 and apply t to the scores.
    config.answering.answerable_threshold = 0.0
    answerer = Answerer(kb, _NoModel(), config)
    answerer.profile = profile
    splits = {"fit": calibration_questions("fit"), "heldout": calibration_questions("heldout"), "dev": dev_questions(), "fresh": fresh_questions()}
    if not args.shipped:  # the folds are refitted: a table of stored weights has no out-of-fold counterpart
        report["fit_out_of_fold"] = refusal_table(
            out_of_fold_answers(answerer, profile, splits["fit"], rows, args.folds, args.l2), THRESHOLDS
        )
    for split, questions in splits.items():
        report[split] = refusal_table(asyncio.run(answer_all(answerer, questions)), THRESHOLDS)
    for split in [name for name in ("fit_out_of_fold", *splits) if name in report]:
        table = report[split]
        print(f"{split}: " + "  ".join(f"t={t} refuse {r['refusal']:.3f} false {r['false_refusal']:.3f}" for t, r in table.items()))
    threshold = profile.threshold if args.shipped else chosen_threshold(report["fit_out_of_fold"])
    report["threshold"] = threshold
    print(f"threshold {threshold:.2f} (stored {profile.threshold:.2f})")
    if args.write and not args.shipped:
        path.write_text(profile.with_answerability(profile.answerability, threshold).to_json() + "\n", encoding="utf-8")
        load_profile.cache_clear()
        print(f"wrote {path}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
