"""Wrong rules on questions as the kiosk hears them: each question is said by the offline voice, transcribed by the
kiosk's recogniser, and the transcript is answered; its outcome is compared with the typed question's.

    KIOSK_EMBEDDING__ENGINE=onnx .venv/bin/python bench/bench_heard.py --kb var/kb-gemma --sets fit,heldout,dev \
        [--heard var/bench/heard.jsonl] [--out F]

A follow-up's earlier questions stay as typed; only the asked question goes through speech. Transcripts are kept
in --heard (by set, id and text), so a rerun after a change in answering only answers again. The offline voice is
one synthetic speaker reading clearly; a citizen in a hall mumbles, hesitates and has an accent, so these figures
bound the harm of mishearings from below.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answering.answerer import Answerer  # noqa: E402
from bench.fit_answerability import _NoModel, history_of  # noqa: E402
from bench.wrong_rules import outcome, question_sets  # noqa: E402
from core.config import KioskConfig, load_config  # noqa: E402
from knowledge_base import open_knowledge_base  # noqa: E402
from speech.metrics import character_errors  # noqa: E402

WRONG = {"wrong_article", "unanswerable_answered"}


def load_heard(path: Path) -> dict[tuple[str, str, str], str]:
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["set"], r["id"], r["question"]): r["heard"] for r in rows}


def hear_all(config: KioskConfig, todo: list[tuple[str, dict]], path: Path) -> None:
    """Says and transcribes each question not heard yet, appending to `path` as it goes (a killed run resumes)."""
    from speech import build_transcriber
    from speech.audio import to_mono_16k
    from speech.provision_voice import offline_voice_dir
    from speech.synthesis.offline import OfflineSynthesizer

    transcriber = build_transcriber(config)
    voice = OfflineSynthesizer(offline_voice_dir(config), threads=config.tts.offline_threads)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as out:
        for done, (name, q) in enumerate(todo, start=1):
            audio = voice.synthesize_blocking(q["question"])
            heard = transcriber.transcribe(to_mono_16k(audio.samples, audio.sample_rate)).text
            out.write(json.dumps({"set": name, "id": q["id"], "question": q["question"], "heard": heard},
                                 ensure_ascii=False) + "\n")
            out.flush()
            if done % 20 == 0:
                print(f"heard {done}/{len(todo)} ({time.perf_counter() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default="var/kb")
    parser.add_argument("--sets", default="heldout,dev")
    parser.add_argument("--heard", type=Path, default=Path("var/bench/heard.jsonl"))
    parser.add_argument("--out", type=Path, help="write each question's typed and heard outcome here (JSON lines)")
    args = parser.parse_args()
    config = load_config(kb_dir=args.kb)
    config.answering.style = "quote"
    sets = question_sets()
    asked = [(name, q) for name in args.sets.split(",") for q in sets[name]()]
    heard = load_heard(args.heard)
    todo = [(name, q) for name, q in asked if (name, q["id"], q["question"]) not in heard]
    if todo:
        hear_all(config, todo, args.heard)
        heard = load_heard(args.heard)
    answerer = Answerer(open_knowledge_base(config), _NoModel(), config)
    rows: list[dict] = []
    for name, q in asked:
        text = heard[(name, q["id"], q["question"])]
        typed = asyncio.run(answerer.answer(q["question"], history_of(q)))
        # nothing recognised: the kiosk asks the citizen to say it again (kiosk.pipeline, nothing-heard)
        said = asyncio.run(answerer.answer(text, history_of(q))) if text.strip() else None
        first = said.citations[0] if said and said.citations else None
        errors, length = character_errors(q["question"], text)
        rows.append({"set": name, "id": q["id"], "question": q["question"], "heard": text,
                     "cer": round(errors / length, 3) if length else 0.0,
                     "typed": outcome(q, typed), "outcome": outcome(q, said) if said else "not_heard",
                     "cited": f"{first.title} {first.article}" if first else None,
                     "answerability": said.answerability if said else None})
    for name in args.sets.split(","):
        mine = [r for r in rows if r["set"] == name]
        counted = [character_errors(r["question"], r["heard"]) for r in mine]
        errors, length = sum(e for e, _ in counted), sum(n for _, n in counted)
        summary = {
            "questions": len(mine),
            "cer": round(errors / length, 3) if length else 0.0,
            "heard_exactly": sum(r["cer"] == 0 for r in mine),
            "wrong_rules_typed": sum(r["typed"] in WRONG for r in mine),
            "wrong_rules_heard": sum(r["outcome"] in WRONG for r in mine),
            "right_typed": sum(r["typed"] == "right_article" for r in mine),
            "right_heard": sum(r["outcome"] == "right_article" for r in mine),
            "refused_typed": sum(r["typed"] in {"refused", "unanswerable_refused"} for r in mine),
            "refused_heard": sum(r["outcome"] in {"refused", "unanswerable_refused"} for r in mine),
            "not_heard": sum(r["outcome"] == "not_heard" for r in mine),
            "changed": sum(r["typed"] != r["outcome"] for r in mine),
        }
        print(name, json.dumps(summary))
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
