"""Sub-commands of the `kiosk` CLI, one module per area."""

from __future__ import annotations

import argparse

from core.config import KioskConfig, load_config


def config_from_args(args: argparse.Namespace) -> KioskConfig:
    return load_config(args.config, kb_dir=args.kb)
