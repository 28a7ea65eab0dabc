"""Time to the first clip of a spoken answer: the whole first sentence vs the first clause cut at a comma.

    .venv/bin/python bench/bench_first_clip.py [--answers var/bench/answers-v3-dev.jsonl] [--runs 3]

The voice synthesises a clip whole before it plays, so the first clip's synthesis time is what the citizen waits
for after the answer is ready. For each spoken answer in --answers (as written by bench/bench_answers.py; refusals
left out) the first clip is cut the old way (`SentenceSplitter()`: the first sentence, up to 60 characters) and
the new way (`first_cut_after=FIRST_PIECE_CHARS`: the first comma after 12 characters), and both are synthesised
by the offline voice --runs times, alternating; medians per answer, then p50/p95 over answers. Also reported: how
often the second clip is not ready when the first one finishes playing (a gap the citizen would hear).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.score_answers import percentile  # noqa: E402
from core.config import load_config  # noqa: E402
from core.sentences import FIRST_PIECE_CHARS, SentenceSplitter  # noqa: E402
from speech import build_synthesizer  # noqa: E402


def pieces(text: str, first_cut_after: int | None) -> list[str]:
    splitter = SentenceSplitter(first_cut_after=first_cut_after)
    return splitter.feed(text) + splitter.flush()


async def timed(synthesizer, text: str) -> tuple[float, float]:  # noqa: ANN001
    started = time.perf_counter()
    audio = await synthesizer.synthesize(text)
    return time.perf_counter() - started, len(audio.samples) / audio.sample_rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=Path, default=Path("var/bench/answers-v3-dev.jsonl"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    config = load_config()
    config.tts.engines = ["offline"]
    voice = build_synthesizer(config)
    spoken = [r["spoken"] for r in map(json.loads, args.answers.read_text(encoding="utf-8").splitlines()) if not r["refused"] and r.get("spoken")]
    old_s, new_s, gaps, split = [], [], 0, 0
    for text in spoken:
        old, new = pieces(text, None), pieces(text, FIRST_PIECE_CHARS)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for run in range(args.runs):
            for way in (("old", "new") if run % 2 == 0 else ("new", "old")):
                times[way].append((await timed(voice, (old if way == "old" else new)[0]))[0])
        old_s.append(statistics.median(times["old"]))
        new_s.append(statistics.median(times["new"]))
        if new[0] != old[0]:
            split += 1
            _, first_audio_s = await timed(voice, new[0])
            second_synth_s, _ = await timed(voice, new[1])
            gaps += second_synth_s > first_audio_s
    print(f"{len(spoken)} spoken answers; first clip cut at a comma in {split}")
    print(f"first clip synthesis p50 / p95: whole first sentence {percentile(old_s, 0.5):.3f} / {percentile(old_s, 0.95):.3f} s; "
          f"first clause {percentile(new_s, 0.5):.3f} / {percentile(new_s, 0.95):.3f} s; "
          f"paired median ratio {statistics.median(n / o for n, o in zip(new_s, old_s)):.2f}")
    print(f"second clip not ready when the first ends: {gaps} of {split}")


if __name__ == "__main__":
    asyncio.run(main())
