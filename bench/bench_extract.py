"""How often the spoken fact holds the answer when the article is right: the extractor alone, retrieval aside.

    .venv/bin/python bench/bench_extract.py --kb var/kb

For each answerable question of bench/data (fit and held-out halves) and of the dev set, the spoken fact is cut
from the gold article itself (answering.extract.spoken_fact, the configured budget) and checked for the
question's first keypoint. Direct questions are the ones the target counts; all answerable ones are shown too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.extract import spoken_fact  # noqa: E402
from bench.calibration import answerable, calibration_questions, dev_questions, query_of, split_of  # noqa: E402
from bench.score_answers import keypoint_present, percentile  # noqa: E402
from core.config import load_config  # noqa: E402
from core.models import Hit  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402
from knowledge_base.question import analyse  # noqa: E402


def gold_hit(chunks: dict[tuple[str, str], dict], q: dict) -> Hit | None:
    for gold in q.get("gold", []):
        chunk = chunks.get((gold["file"], gold["article"]))
        if chunk:
            return Hit(chunk["text"], 1.0, chunk["source"], chunk["title"], chunk["article"], chunk["doc_id"], chunk["effective_date"], chunk["chunk_id"])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--show", choices=("fit", "heldout", "dev"), help="print the misses of one set")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    kb = open_knowledge_base(config)
    chunks: dict[tuple[str, str], dict] = {}
    for c in kb.registry.active_chunks():  # a long article is several passages: join them
        key = (c["source"], c["article"])
        if key in chunks:
            chunks[key] = {**chunks[key], "text": chunks[key]["text"] + "\n" + c["text"]}
        else:
            chunks[key] = dict(c)
    sets = {"fit": [], "heldout": [], "dev": []}
    for q in calibration_questions():
        sets[split_of(q["id"])].append(q)
    sets["dev"] = dev_questions()
    for name, questions in sets.items():
        direct, every, lengths = [], [], []
        for q in questions:
            if not answerable(q) or not q.get("keypoints"):
                continue
            hit = gold_hit(chunks, q)
            if hit is None:
                continue
            focus = query_of(q)
            fact = spoken_fact(
                hit, analyse(focus).asks, focus, config.answering.spoken_chars,
                list_budget=config.answering.spoken_list_chars, rest_note=config.answering.list_rest_note,
            )
            found = keypoint_present(q["keypoints"][0], fact)
            every.append(found)
            lengths.append(len(fact))
            if q["type"] == "direct":
                direct.append(found)
            if args.show == name and not found:
                print(f"  {q['id']} [{q['type']}] {q['question']} | {q['keypoints'][0]} | {fact}")
        print(f"{name}: first keypoint in the spoken fact from the gold article: direct {sum(direct)}/{len(direct)} "
              f"= {sum(direct) / max(1, len(direct)):.3f}; all answerable {sum(every)}/{len(every)} = {sum(every) / max(1, len(every)):.3f}; "
              f"spoken characters p50 {percentile(lengths, 0.5)}, p90 {percentile(lengths, 0.9)}, max {max(lengths, default=0)}")


if __name__ == "__main__":
    main()
