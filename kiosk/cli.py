"""`kiosk` command line. Each area registers its own sub-commands from a module in kiosk/commands/."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from core.errors import KioskError

# Modules exposing `register(subparsers)`; each adds its commands and sets `func(args) -> int`.
COMMAND_MODULES = [
    "kiosk.commands.models",
    "kiosk.commands.kb",
    "kiosk.commands.admin",
    "kiosk.commands.ask",
    "kiosk.commands.serve",
    "kiosk.commands.speech",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="政务大厅数智人 — offline government service kiosk")
    parser.add_argument("--config", help="deployment config file (default: $KIOSK_CONFIG or ./kiosk.yaml)")
    parser.add_argument("--kb", help="knowledge-base directory (default: $KIOSK_KB_DIR or <data_dir>/kb)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _accept_global_options_anywhere(parser)
    return parser


def _accept_global_options_anywhere(parser: argparse.ArgumentParser) -> None:
    """`kiosk kb ingest PATH --kb DIR` as well as `kiosk --kb DIR kb ingest PATH` (what the README shows).

    Every sub-command also takes --config and --kb; left out, they do not override the value given before it.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in action.choices.values():
            existing = {option for a in child._actions for option in a.option_strings}
            if "--config" not in existing:
                child.add_argument("--config", default=argparse.SUPPRESS, help="deployment config file")
            if "--kb" not in existing:
                child.add_argument("--kb", default=argparse.SUPPRESS, help="knowledge-base directory")
            _accept_global_options_anywhere(child)


def set_process_environment() -> None:
    """Settings read once when a library loads, so set before any command module imports it."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # numpy's OpenBLAS, single-threaded: its products here are small (a batch of vectors through a dense layer,
    # cosines), the turns, staff uploads and background preparation already run on threads of their own, and a
    # threaded product called from several of them at once on two cores was seen to spin in OpenBLAS's
    # inner_thread for over ten minutes during a staff upload
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    set_process_environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KioskError as exc:
        print(f"error: {exc.message} ({exc.stage}/{exc.code})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
