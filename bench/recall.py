"""Recall@1 / @5 of one knowledge base, searched as the kiosk searches it (configured engine and profile).

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/recall.py --kb var/kb-gemma

For comparing two knowledge bases that should search alike (a re-embedded copy and one ingested from the files),
or two settings of one (KIOSK_RETRIEVAL__PARAGRAPH_RERANK=0). Also the time of each search, p50 / p95.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import answerable, calibration_questions, dev_questions, gold_pairs, query_of  # noqa: E402
from bench.score_answers import percentile  # noqa: E402
from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    args = parser.parse_args()
    kb = open_knowledge_base(load_config(kb_dir=args.kb))
    sets = (("fit", calibration_questions("fit")), ("heldout", calibration_questions("heldout")), ("dev", dev_questions()))
    kb.search("居住证", k=5)  # load the indexes before timing
    for name, questions in sets:
        questions = [q for q in questions if answerable(q)]
        first = within_five = 0
        took: list[float] = []
        for q in questions:
            started = time.perf_counter()
            hits = kb.search(query_of(q), k=5)
            took.append(time.perf_counter() - started)
            at = [i for i, h in enumerate(hits) if (h.source, h.article) in gold_pairs(q)]
            first += bool(at) and at[0] == 0
            within_five += bool(at)
        print(f"{args.kb} {name} ({len(questions)}): R@1 {first / len(questions):.3f} R@5 {within_five / len(questions):.3f}; "
              f"search p50 {percentile(took, 0.5) * 1000:.0f} ms, p95 {percentile(took, 0.95) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
