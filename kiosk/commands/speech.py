"""`kiosk transcribe` and `kiosk say`: the speech stage from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from core.errors import KioskError
from core.safe_text import printable
from kiosk.commands import config_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="speech → text for audio files (WAV/MP3/WebM/Ogg), model loaded once")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--jsonl", action="store_true", help='one {"file","text","duration_s","asr_s"} per line')
    p.set_defaults(func=run_transcribe)

    s = sub.add_parser("say", help="text → speech into a WAV file")
    s.add_argument("text")
    s.add_argument("-o", "--output", type=Path, required=True, help="WAV file to write")
    s.add_argument("--engine", choices=["edge", "offline", "espeak"], help="one engine only (default: tts.engines in order)")
    s.add_argument("--speed", type=float, help="1.0 normal; tts.elderly_speed for the elderly mode")
    s.add_argument("--marks", action="store_true", help="print the timing marks as JSON lines")
    s.set_defaults(func=run_say)


def run_transcribe(args: argparse.Namespace) -> int:
    from speech import build_transcriber, load_audio

    config = config_from_args(args)
    transcriber = build_transcriber(config)
    print(f"# {transcriber.name}", file=sys.stderr)
    failed = 0
    for path in args.files:
        try:
            started = time.perf_counter()
            transcript = transcriber.transcribe(load_audio(path, max_seconds=config.asr.max_audio_s))
            record = {
                "file": str(path),
                "text": transcript.text,
                "duration_s": round(transcript.duration_s, 3),
                "asr_s": round(time.perf_counter() - started, 3),
            }
            if transcript.nothing_heard:
                record["nothing_heard"] = True
        except KioskError as exc:
            failed += 1
            record = {"file": str(path), "error": exc.code, "message": exc.message}
        if args.jsonl:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(f"{printable(path)}\t{record.get('text', '[' + record.get('error', '') + ']')}", flush=True)
    return 1 if failed else 0


def run_say(args: argparse.Namespace) -> int:
    from speech import build_synthesizer
    from speech.audio import to_wav_bytes

    config = config_from_args(args)
    if args.engine:
        config.tts.engines = [args.engine]
    synthesizer = build_synthesizer(config, speed=args.speed)
    started = time.perf_counter()
    audio = asyncio.run(synthesizer.synthesize(args.text))
    args.output.write_bytes(to_wav_bytes(audio.samples, audio.sample_rate))
    print(
        f"{args.output}: {audio.duration_s:.2f} s by {audio.engine} in {time.perf_counter() - started:.2f} s, "
        f"{len(audio.marks)} timing marks",
        file=sys.stderr,
    )
    if args.marks:
        for mark in audio.marks:
            print(json.dumps(mark.__dict__, ensure_ascii=False))
    return 0
