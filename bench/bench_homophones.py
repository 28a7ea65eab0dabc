"""Homophone reading: retrieval of questions that carry a speech-recognition homophone, with and without it.

    .venv/bin/python bench/bench_homophones.py --kb var/kb

Questions: the answerable bench/data questions marked `asr_noise` and the dev questions with a deliberate
homophone (dev-002 签住, dev-016 工商认定, dev-037 低保护). Recall@1/5 of the gold article with
`retrieval.sound_correction` on and off, same knowledge base, same run; and how many clean questions it changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import answerable, calibration_questions, dev_questions, gold_pairs, query_of  # noqa: E402
from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

DEV_HOMOPHONES = {"dev-002", "dev-016", "dev-037"}


def recall(kb, questions: list[dict], correct: bool) -> tuple[float, float]:  # noqa: ANN001
    kb.retriever._config.sound_correction = correct
    r1 = r5 = 0
    for q in questions:
        hits = kb.retriever.search(query_of(q), 5)
        ranks = [i for i, h in enumerate(hits, start=1) if (h.source, h.article) in gold_pairs(q)]
        r1 += bool(ranks and ranks[0] == 1)
        r5 += bool(ranks)
    return round(r1 / len(questions), 3), round(r5 / len(questions), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    args = parser.parse_args()
    kb = open_knowledge_base(load_config(kb_dir=args.kb))
    noisy = [q for q in calibration_questions() if q.get("asr_noise") and answerable(q)]
    noisy += [q for q in dev_questions() if q["id"] in DEV_HOMOPHONES]
    clean = [q for q in calibration_questions("heldout") if answerable(q) and not q.get("asr_noise")]
    changed = 0
    kb.retriever._config.sound_correction = True
    for q in clean:
        if kb.understand(q["question"])[0] != q["question"]:
            changed += 1
    for name, questions in (("homophone questions", noisy), ("clean held-out questions", clean)):
        on, off = recall(kb, questions, True), recall(kb, questions, False)
        print(f"{name} (n={len(questions)}): recall@1/@5 with reading {on[0]}/{on[1]}, without {off[0]}/{off[1]}")
    print(f"clean held-out questions whose wording the reading changed: {changed} of {len(clean)}")


if __name__ == "__main__":
    main()
