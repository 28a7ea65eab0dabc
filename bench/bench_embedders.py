"""Retrieval quality and query-embedding cost of the configured embedding engine, on a knowledge base already
ingested with it (`kiosk --kb DIR kb ingest …` under the same KIOSK_EMBEDDING__* settings).

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/bench_embedders.py --kb var/kb-gemma

Scores the 80 dev questions as bench/bench_retrieval.py does (vector-only and fused RRF), times embed_query on each
question (after one warm-up), and reports the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bench.bench_retrieval as bench_retrieval  # noqa: E402
from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

if os.environ.get("KIOSK_SHARED_DIR"):
    bench_retrieval.SHARED = Path(os.environ["KIOSK_SHARED_DIR"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", required=True)
    parser.add_argument("--cold", type=int, default=64, help="passages embedded twice, cache bypassed, for speed; 0 = skip")
    parser.add_argument("--subset", action="store_true", help="only questions whose gold files are all in this knowledge base")
    args = parser.parse_args()
    questions = bench_retrieval.load_questions()
    config = load_config(None, kb_dir=args.kb)
    t0 = time.perf_counter()
    kb = open_knowledge_base(config)
    if args.subset:
        sources = {d.source for d in kb.list_documents()}
        questions = [q for q in questions if all(g["file"] in sources for g in q.get("gold", []))]
    embedder = kb.embedder
    embedder.embed_query("预热")
    report: dict = {
        "engine": config.embedding.engine,
        "model": embedder.model_name,
        "dimension": embedder.dimension,
        "open_and_first_query_s": round(time.perf_counter() - t0, 2),
        "passages": len(kb.registry.active_chunks()),
        "documents": len(kb.list_documents()),
        "questions": len(questions),
    }
    latencies = []
    for q in questions:
        t1 = time.perf_counter()
        embedder.embed_query(bench_retrieval.retrieval_query(q))
        latencies.append(time.perf_counter() - t1)
    report["query_embedding_ms"] = {
        "p50": round(bench_retrieval.pct(latencies, 50) * 1000, 1),
        "p95": round(bench_retrieval.pct(latencies, 95) * 1000, 1),
        "mean": round(statistics.mean(latencies) * 1000, 1),
    }
    inner = getattr(embedder, "inner", embedder)  # the cache bypassed: cold passage embedding speed
    passages = [row["text"] for row in kb.registry.active_chunks()[: args.cold]]
    rates = []
    for _ in range(2 if args.cold else 0):
        t1 = time.perf_counter()
        inner.embed_passages(passages)
        rates.append(len(passages) / (time.perf_counter() - t1))
    if rates:
        report[f"passages_per_s_cold_{len(passages)}"] = round(max(rates), 2)
    for fusion in ("vector", "rrf"):
        scored = bench_retrieval.score_retrieval(kb, questions, fusion)
        report[fusion] = {"table": scored["table"]["ALL answerable"], "by_type": scored["table"], "gate": scored["gate"]}
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    kb.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
