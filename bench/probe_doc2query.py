"""Would questions generated per passage at ingest (doc2query) put the gold article first? A probe before building it.

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/probe_doc2query.py --kb var/kb-gemma

For the fit-half answerable questions whose gold article is in the top 5 but not first ("misses"), and for the
first `--hits` whose gold is first, the local LLM writes three citizen-style questions for the gold passage and for
its strongest rival (the first non-gold hit). Each scoring is then asked whether the gold passage beats the rival:
the shipped order (the relevance model), the question's cosine to each generated question (best of three), and
the mean of that and the cosine to the passage. Building the index is worth it only if the misses gain clearly and
the hits lose nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import answerable, calibration_questions, gold_pairs, query_of  # noqa: E402
from core.config import load_config  # noqa: E402
from core.provisioning import ensure_model  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

INSTRUCTION = "写3个市民会问、这条条文能回答的问题，口语，每行一个。"
EXAMPLE_PASSAGE = (
    "居住证持有人符合有关规定的，可以申请登记常住户口。居住证有效期为一年，在居住地连续居住的，"
    "应当在有效期满前三十日内到居住地派出所办理签注手续。"
)
EXAMPLE_QUESTIONS = "居住证到期了怎么续\n居住证一次能管多久\n办了居住证以后能落户吗"


class QuestionWriter:
    def __init__(self, model_path: Path, n_threads: int) -> None:
        from llama_cpp import Llama

        self.llama = Llama(model_path=str(model_path), n_ctx=2048, n_threads=n_threads, verbose=False)
        self.seconds: list[float] = []
        self._cache: dict[str, list[str]] = {}

    def questions(self, passage: str) -> list[str]:
        if passage not in self._cache:
            started = time.monotonic()
            out = self.llama.create_chat_completion(
                messages=[
                    {"role": "system", "content": "你是政务大厅的咨询员，熟悉市民的说话方式。"},
                    {"role": "user", "content": f"条文：{EXAMPLE_PASSAGE}\n{INSTRUCTION}"},
                    {"role": "assistant", "content": EXAMPLE_QUESTIONS},
                    {"role": "user", "content": f"条文：{passage[:400]}\n{INSTRUCTION}"},
                ],
                max_tokens=90,
                temperature=0.0,
                repeat_penalty=1.3,
            )
            self.seconds.append(time.monotonic() - started)
            lines = out["choices"][0]["message"]["content"].splitlines()
            self._cache[passage] = [s for line in lines if (s := line.strip(" -0123456789.、"))][:3]
        return self._cache[passage]


def cosine(a: list[float], b: list[float]) -> float:
    va, vb = np.asarray(a), np.asarray(b)
    return float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb-gemma")
    parser.add_argument("--hits", type=int, default=20, help="questions whose gold is already first, to check for harm")
    parser.add_argument("--json", type=Path, default=None, help="write every question's generated text and scores")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    kb = open_knowledge_base(config)
    model = config.llm.model_path or ensure_model(config.llm.embedded_model, config.paths.models)
    writer = QuestionWriter(model, config.llm.n_threads)
    rows, hits_taken = [], 0
    for q in (q for q in calibration_questions("fit") if answerable(q)):
        hits = kb.search(query_of(q), k=5)
        gold_at = [i for i, h in enumerate(hits) if (h.source, h.article) in gold_pairs(q)]
        if not gold_at or (gold_at[0] == 0 and hits_taken >= args.hits):
            continue
        gold, rival = gold_at[0], (1 if gold_at[0] == 0 else 0)
        hits_taken += gold == 0
        query = kb.embedder.embed_query(query_of(q))
        row: dict = {"id": q["id"], "question": q["question"], "gold_rank": gold}
        for name, hit in (("gold", hits[gold]), ("rival", hits[rival])):
            written = writer.questions(hit.text)
            row[name] = {
                "passage": cosine(query, kb.embedder.embed_documents([hit.text])[0]),
                "written": max((cosine(query, v) for v in kb.embedder.embed_documents(written)), default=0.0),
                "questions": written,
            }
        rows.append(row)
    scorings = {
        "relevance model (shipped)": lambda r, n: 1.0 if (n == "gold") == (r["gold_rank"] == 0) else 0.0,
        "generated questions": lambda r, n: r[n]["written"],
        "mean of passage and generated": lambda r, n: (r[n]["passage"] + r[n]["written"]) / 2,
    }
    for label, first in (("misses", False), ("hits", True)):
        subset = [r for r in rows if (r["gold_rank"] == 0) == first]
        for scoring, score in scorings.items():
            wins = sum(score(r, "gold") > score(r, "rival") for r in subset)
            print(f"{label:6} {scoring:30} gold beats rival {wins}/{len(subset)}")
    print(f"generation: {len(writer.seconds)} passages, median {statistics.median(writer.seconds):.2f} s, "
          f"p95 {float(np.percentile(writer.seconds, 95)):.2f} s per passage")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
