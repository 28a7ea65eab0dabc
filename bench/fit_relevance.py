"""Fit the relevance model (knowledge_base/relevance.py) on the fit half of bench/data; report on held-out and dev.

    .venv/bin/python bench/fit_relevance.py --kb var/kb [--profile NAME] [--cosine-band auto] [--write]

For every answerable question of the fit half, every candidate passage is labelled by whether it is a gold
(file, article); a logistic regression over the candidate's signals is fitted. Recall@1/3/5 and MRR are reported
for the held-out half and the dev set, for the relevance order beside the plain RRF and vector orders, all in the
same run. `--write` stores the weights in the ranking profile (knowledge_base/profiles/<name>.json), which keeps its
answerability part until bench/fit_answerability.py refits it. `--cosine-band auto` sets the band that spreads this
embedder's cosines over [0, 1] from the fit candidates (a new embedder needs it; e5-small keeps 0.75–0.95);
`--expand-queries on|off` whether queries get statute wording added (compare both on the fit half).
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import (  # noqa: E402
    answerable,
    calibration_questions,
    dev_questions,
    fit_arguments,
    fit_logistic,
    gold_pairs,
    open_for_fitting,
    query_of,
)
from knowledge_base.profiles import LinearModel, Profile, load_profile  # noqa: E402
from knowledge_base.question import analyse  # noqa: E402
from knowledge_base.relevance import FEATURES, features  # noqa: E402
from knowledge_base.retriever import rank as rank_candidates  # noqa: E402


def gather(kb, questions: list[dict]) -> list[tuple[dict, str, list]]:  # noqa: ANN001
    """Each question with its understood query and candidates, retrieved once (the expensive part)."""
    return [(q, *kb.retriever.candidates(query_of(q))) for q in questions]


def cosine_band(gathered: list[tuple[dict, str, list]]) -> tuple[float, float]:
    """From the 10th percentile of all candidates' cosines to the 99th: most of the spread, few clipped."""
    cosines = [c.cosine for _, _, candidates in gathered for c, _ in candidates if c.cosine is not None]
    return round(float(np.percentile(cosines, 10)), 3), round(float(np.percentile(cosines, 99)), 3)


def training_rows(gathered: list[tuple[dict, str, list]], profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for q, understood, candidates in gathered:
        terms = analyse(understood)
        gold = gold_pairs(q)
        for candidate, row in candidates:
            f = features(terms, candidate, row, profile)
            xs.append([f[name] for name in FEATURES])
            ys.append(1.0 if (row["source"], row["article"]) in gold else 0.0)
    return np.array(xs), np.array(ys)


def rank_table(profile: Profile, gathered: list[tuple[dict, str, list]], fusion: str) -> dict:
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for q, understood, candidates in gathered:
        rows = [row for _, row, _ in rank_candidates(candidates, understood, fusion, profile)[:5]]
        gold = gold_pairs(q)
        rank = next((i for i, r in enumerate(rows, start=1) if (r["source"], r["article"]) in gold), None)
        ranks[q["type"]].append(rank)
        ranks["ALL"].append(rank)
    return {
        name: {
            "n": len(r),
            **{f"recall@{n}": round(sum(1 for x in r if x and x <= n) / len(r), 3) for n in (1, 3, 5)},
            "mrr": round(sum(1 / x for x in r if x) / len(r), 3),
        }
        for name, r in ranks.items()
    }


def latency(kb, questions: list[dict], runs: int = 3) -> dict:  # noqa: ANN001
    """kb.retriever.search per question, rerank (default) and plain RRF interleaved, median of `runs` each."""
    times: dict[str, list[float]] = {"rerank": [], "rrf": []}
    for q in questions:
        for fusion in times:
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                kb.retriever.search(query_of(q), 5, fusion=fusion)
                samples.append(time.perf_counter() - started)
            times[fusion].append(float(np.median(samples)))
    return {
        fusion: {"p50_ms": round(1000 * float(np.median(t)), 1), "p95_ms": round(1000 * float(np.percentile(t, 95)), 1)}
        for fusion, t in times.items()
    }


def main() -> None:
    parser = fit_arguments(__doc__)
    parser.add_argument("--latency", action="store_true", help="also time kb.search over the dev questions")
    parser.add_argument("--latency-only", action="store_true", help="only time kb.search (rerank vs RRF)")
    parser.add_argument("--cosine-band", default=None, help="auto, or LOW,HIGH (default: the profile's own)")
    parser.add_argument("--expand-queries", choices=("on", "off"), default=None, help="default: the profile's own")
    args = parser.parse_args()
    _config, kb, profile, path = open_for_fitting(args.kb, args.profile)
    if args.expand_queries:
        profile = profile.with_relevance(profile.relevance, expand_queries=args.expand_queries == "on")
        kb.retriever.profile = profile

    if args.latency_only:
        print(json.dumps(latency(kb, [q for q in dev_questions() if answerable(q)]), ensure_ascii=False))
        return
    fit = gather(kb, [q for q in calibration_questions("fit") if answerable(q)])
    if args.cosine_band == "auto":
        profile = profile.with_relevance(profile.relevance, cosine_band(fit))
    elif args.cosine_band:
        low, high = (float(v) for v in args.cosine_band.split(","))
        profile = profile.with_relevance(profile.relevance, (low, high))
    x, y = training_rows(fit, profile)
    w = fit_logistic(x, y, l2=args.l2)
    profile = profile.with_relevance(LinearModel({f: round(float(v), 4) for f, v in zip(FEATURES, w)}))
    kb.retriever.profile = profile
    print(f"fitted {profile.name} (cosine band {profile.cosine_band}, expansion {profile.expand_queries}) on {len(fit)} questions, {len(y)} candidates "
          f"({int(y.sum())} gold): {profile.relevance.weights}")  # fmt: skip
    if args.write:
        path.write_text(profile.to_json() + "\n", encoding="utf-8")
        load_profile.cache_clear()
        print(f"wrote {path}")

    report: dict = {
        "profile": profile.name, "cosine_band": profile.cosine_band, "expand_queries": profile.expand_queries,
        "weights": profile.relevance.weights,
    }  # fmt: skip
    sets = {
        "fit": fit,
        "heldout": gather(kb, [q for q in calibration_questions("heldout") if answerable(q)]),
        "dev": gather(kb, [q for q in dev_questions() if answerable(q)]),
    }
    for set_name, gathered in sets.items():
        for fusion in ("rerank", "rrf", "vector"):
            table = rank_table(profile, gathered, fusion)
            report[f"{set_name}/{fusion}"] = table
            a = table["ALL"]
            print(f"{set_name:8s} {fusion:7s} n={a['n']:3d} R@1 {a['recall@1']:.3f} R@3 {a['recall@3']:.3f} R@5 {a['recall@5']:.3f} MRR {a['mrr']:.3f}")
        for type_name, row in sorted(report[f"{set_name}/rerank"].items()):
            if type_name != "ALL":
                print(f"    rerank {type_name:12s} n={row['n']:3d} R@1 {row['recall@1']:.3f} R@5 {row['recall@5']:.3f}")
    if args.latency:
        report["latency"] = latency(kb, [q for q, _, _ in sets["dev"]])
        print(f"search latency over the dev questions: {report['latency']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
