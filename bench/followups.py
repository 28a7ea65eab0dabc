"""Is a short question a follow-up of the previous one, or a new question? Accuracy on bench/data/followups.jsonl.

    .venv/bin/python bench/followups.py

Each row is a previous question, the next utterance and whether that utterance leans on the previous question
(要多久, 孩子能办吗) or stands on its own (低保怎么申请). A follow-up is searched together with the previous question's
topic; a new question taken for one is searched under the wrong topic and usually refused. The rule in
`answering.followups.is_followup` is compared with the length-only rule it replaced (every utterance of six characters
or fewer, or one opening with a pronoun, was a follow-up), per half of the data (bench/calibration.split_of).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.followups import _FOLLOWUP, _FOLLOWUP_MAX_CHARS, is_followup  # noqa: E402
from bench.calibration import DATA, read_jsonl, split_of  # noqa: E402
from core.models import ChatMessage  # noqa: E402


def length_rule(question: str) -> bool:
    text = question.strip()
    return bool(_FOLLOWUP.search(text)) or len(text) <= _FOLLOWUP_MAX_CHARS


def main() -> None:
    rows = read_jsonl(DATA / "followups.jsonl")
    for split in ("fit", "heldout"):
        part = [r for r in rows if split_of(r["id"]) == split]
        misses = []
        right_now = right_before = 0
        for r in part:
            history = [ChatMessage("user", r["previous"]), ChatMessage("assistant", "")]
            now = is_followup(r["question"], history)
            right_now += now == r["followup"]
            right_before += length_rule(r["question"]) == r["followup"]
            if now != r["followup"]:
                misses.append(f"{r['previous']} → {r['question']} (labelled {'follow-up' if r['followup'] else 'new'})")
        followups = sum(r["followup"] for r in part)
        print(
            f"{split}: {len(part)} pairs ({followups} follow-ups): is_followup {right_now}/{len(part)}, "
            f"length rule {right_before}/{len(part)}"
        )
        for miss in misses:
            print("  miss:", miss)


if __name__ == "__main__":
    main()
