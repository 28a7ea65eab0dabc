"""Does the local LLM's yes/no judgement of the top passage add to the answerability check?

    .venv/bin/python bench/llm_judge.py --kb var/kb [--model var/models/qwen2.5-0.5b/model.gguf]

For every calibration question (both halves) and every dev question, the top passage is retrieved as the answerer
retrieves it and the model is asked whether that passage answers the question; the probability of "能" against
"不能" is read from the next-token logits (one forward pass over the prompt, no generation). Judgements are cached
in var/bench/llm_judge.jsonl by (model, question, passage), so the script can be stopped and resumed.

Then the answerability model is fitted on the fit half with and without the judgement as a signal, and refusal /
false refusal on the held-out half are reported at the threshold that keeps fit-half false refusal at or under 0.10.
Last, how well each score alone separates answerable from unanswerable (ROC AUC), over all questions and over the
grey band where the model without the judge is unsure (its score in [0.3, 0.8]): the judge pays only if it
separates there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering import answerability  # noqa: E402
from bench.calibration import REPO, answerable, calibration_questions, dev_questions, fit_logistic, split_of  # noqa: E402
from bench.fit_answerability import retrieved  # noqa: E402
from core.config import load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402

CACHE = REPO / "var" / "bench" / "llm_judge.jsonl"
SYSTEM = "你是政务服务大厅的审核员。判断给出的法规条文是否直接回答了市民的问题：条文必须讲到问题问的那件事和问的那一点（材料、期限、费用、地点、条件等）。只回答“能”或“不能”。"


def prompt_text(question: str, title: str, article: str | None, text: str) -> str:
    passage = f"《{title}》{article or ''}：{text[:240]}"
    return (
        f"<|im_start|>system\n{SYSTEM}<|im_end|>\n"
        f"<|im_start|>user\n条文：{passage}\n问题：{question}\n这条条文能直接回答这个问题吗？<|im_end|>\n"
        f"<|im_start|>assistant\n"
    )


class Judge:
    def __init__(self, model_path: Path, n_threads: int = 2) -> None:
        from llama_cpp import Llama

        self.llama = Llama(model_path=str(model_path), n_ctx=1024, n_threads=n_threads, n_threads_batch=n_threads, n_batch=512, verbose=False)
        self.yes = self.llama.tokenize("能".encode(), add_bos=False, special=False)[0]
        self.no = self.llama.tokenize("不能".encode(), add_bos=False, special=False)[0]

    def yes_probability(self, prompt: str) -> float:
        tokens = self.llama.tokenize(prompt.encode(), add_bos=False, special=True)
        cached = self.llama.input_ids[: self.llama.n_tokens].tolist()
        common = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            common += 1
        self.llama.n_tokens = min(common, len(tokens) - 1)
        self.llama.eval(tokens[self.llama.n_tokens:])
        logits = np.ctypeslib.as_array(self.llama._ctx.get_logits(), shape=(self.llama.n_vocab(),))
        yes, no = float(logits[self.yes]), float(logits[self.no])
        return 1.0 / (1.0 + np.exp(no - yes))


GREY_BAND = (0.3, 0.8)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random answerable question scores above a random unanswerable one (ties count half)."""
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def key_of(model: str, question: str, chunk_id: str) -> str:
    return hashlib.sha1(f"{model}\n{question}\n{chunk_id}".encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--model", type=Path, default=REPO / "var" / "models" / "qwen2.5-0.5b" / "model.gguf")
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    kb = open_knowledge_base(config)
    cache = {}
    if CACHE.exists():
        cache = {r["key"]: r["p_yes"] for r in map(json.loads, CACHE.read_text(encoding="utf-8").splitlines())}
    judge: Judge | None = None
    rows = []
    questions = calibration_questions() + [{**q, "split": "dev"} for q in dev_questions()]
    seconds = []
    for i, (q, query, hits, found) in enumerate(retrieved(kb, questions)):
        split = q.get("split") or split_of(q["id"])
        top = hits[0]
        key = key_of(args.model.name + args.model.parent.name, query, top.chunk_id)
        if key not in cache:
            judge = judge or Judge(args.model)
            start = time.perf_counter()
            cache[key] = judge.yes_probability(prompt_text(query, top.title, top.article, top.text))
            seconds.append(time.perf_counter() - start)
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            with CACHE.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"key": key, "p_yes": cache[key]}) + "\n")
            if len(seconds) % 20 == 0:
                print(f"{i + 1}/{len(questions)} judged, median {np.median(seconds):.2f} s", flush=True)
        rows.append((split, answerable(q), found, cache[key]))
    if seconds:
        print(f"judgement time: median {np.median(seconds):.2f} s, p95 {np.percentile(seconds, 95):.2f} s over {len(seconds)}")

    def matrix(split: str, with_judge: bool) -> tuple[np.ndarray, np.ndarray]:
        xs = [[f[n] for n in answerability.SIGNALS] + ([p] if with_judge else []) for s, _, f, p in rows if s == split]
        return np.array(xs), np.array([1.0 if a else 0.0 for s, a, _, _ in rows if s == split])

    for split in ("fit", "heldout", "dev"):
        p = np.array([r[3] for r in rows if r[0] == split])
        y = np.array([r[1] for r in rows if r[0] == split])
        print(f"{split}: judge p(yes) mean answerable {p[y].mean():.3f}, unanswerable {p[~y].mean():.3f}")
    for with_judge in (False, True):
        x, y = matrix("fit", with_judge)
        w = fit_logistic(x, y, l2=args.l2)
        fit_scores = 1 / (1 + np.exp(-(x @ w)))
        # highest threshold that keeps fit-half false refusal ≤ 0.10
        t = max(t for t in np.arange(0.05, 0.95, 0.01) if (fit_scores[y == 1] < t).mean() <= 0.10)
        for split in ("heldout", "dev"):
            xs, ys = matrix(split, with_judge)
            s = 1 / (1 + np.exp(-(xs @ w)))
            print(
                f"{'with' if with_judge else 'without'} judge, t={t:.2f}, {split}: refusal {(s[ys == 0] < t).mean():.3f} "
                f"false refusal {(s[ys == 1] < t).mean():.3f} (n={len(ys)}; scope refusals not counted)"
            )
        if with_judge:
            print("judge weight", round(float(w[-1]), 3))
        else:
            base_weights = w

    for split in ("fit", "heldout", "dev"):
        xs, ys = matrix(split, False)
        base = 1 / (1 + np.exp(-(xs @ base_weights)))
        judged = np.array([p for s, _, _, p in rows if s == split])
        labels = ys == 1
        grey = (base >= GREY_BAND[0]) & (base <= GREY_BAND[1])
        print(
            f"{split}: AUC without judge {roc_auc(base, labels):.3f}, judge alone {roc_auc(judged, labels):.3f}; "
            f"grey band {GREY_BAND} ({int(grey.sum())} questions): without judge {roc_auc(base[grey], labels[grey]):.3f}, "
            f"judge alone {roc_auc(judged[grey], labels[grey]):.3f}"
        )


if __name__ == "__main__":
    main()
