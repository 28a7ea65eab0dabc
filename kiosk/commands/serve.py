"""`kiosk serve`: the kiosk page (and the admin panel unless admin.mount_in_kiosk is false) on config.kiosk.host:port."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import KioskConfig, small_model_generates
from kiosk.commands import config_from_args

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the kiosk page (and the admin panel) on config.kiosk.host:port")
    p.add_argument("--host", help="listen address (default: config kiosk.host)")
    p.add_argument("--port", type=int, help="port (default: config kiosk.port)")
    p.add_argument("--no-seed", action="store_true", help="do not ingest config kb.seed_paths on start")
    p.add_argument("--no-warm-up", action="store_true", help="load models on the first question instead of now")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import uvicorn

    from kiosk.services import Services
    from kiosk.ui import build_app

    config = config_from_args(args)
    host = args.host or config.kiosk.host
    port = args.port or config.kiosk.port
    # before minutes of loading and seeding: a second kiosk on the same port would say ready and then fail to bind
    if (taken := port_taken(host, port)) is not None:
        print(f"error: cannot listen on {host}:{port} ({taken}); is a kiosk already running there? Stop it, or "
              "start this one with --port or kiosk.port set to a free port.", file=sys.stderr)
        return 2
    services = Services(config)
    if not args.no_seed:
        ingest_seed_paths(config, services.kb)
    if not args.no_warm_up:
        print("loading speech and answer models…", flush=True)
        services.warm_up()
    app = build_app(services)
    from kiosk.commands.startup import check_edge, kb_size, shared_state_lines, startup_report

    edge = None
    if args.no_warm_up:
        edge = "not checked yet (--no-warm-up)" if "edge" in config.tts.engines else None
    else:
        try:
            edge = check_edge(services.synthesizer, config.tts.edge_timeout_s)
        except Exception:  # no voice at all: health says why
            edge = None
    try:
        size = kb_size(services.kb)
    except Exception:
        size = None
    for line in startup_report(services.health(), size, edge, config.tts.edge_retry_after_s):
        print(line, flush=True)
    if small_model_generates(config):
        print(f"  warning: answering.style is generate with the embedded {config.llm.embedded_model}, which writes "
              "conclusions its passages contradict; use style quote, or a 7B+ model (llm.backend: openai)", flush=True)
    shown = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if config.admin.mount_in_kiosk:
        print(f"  panel: {shown}{config.admin.path.rstrip('/')}/", flush=True)
    else:
        print("  panel: not served here (admin.mount_in_kiosk: false); run it with `kiosk admin serve`", flush=True)
        for line in shared_state_lines(config):
            print(line, flush=True)
    server = _announced_server()(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    server.ready_line = f"kiosk ready: {shown}/ (health: /health)"
    server.run()
    return 0 if server.started else 1


def port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on now (another process holds it, or the address is not this machine's), or
    None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a socket in TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _announced_server() -> type:
    import uvicorn

    class AnnouncedServer(uvicorn.Server):
        """A uvicorn server that says the kiosk is ready once it listens, not before it has tried."""

        ready_line = ""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                print(self.ready_line, flush=True)

    return AnnouncedServer


def ingest_seed_paths(config: KioskConfig, kb: KnowledgeBase) -> None:
    """Ingest the configured seed documents that the knowledge base does not hold yet, with progress."""
    from knowledge_base.ingest import expand_paths

    seeds = [Path(p) for p in config.kb.seed_paths]
    missing_dirs = [p for p in seeds if not p.exists()]
    for path in missing_dirs:
        print(f"warning: seed path not found, skipped: {path}", file=sys.stderr)
    known = {doc.source for doc in kb.list_documents()}
    todo = [p for p in expand_paths([p for p in seeds if p.exists()]) if p.name not in known]
    if not todo:
        return
    print(f"ingesting {len(todo)} seed documents into {config.paths.kb} (first start only)…", flush=True)

    from kiosk.commands.progress import IngestProgressReporter

    progress = IngestProgressReporter(sys.stdout)
    # the statements' vectors only choose the sentence spoken: they are embedded in the background once the kiosk
    # serves (Services.warm_up), and until then a turn embeds the few it weighs
    results = kb.ingest(todo, progress=progress, statements=False)
    progress.close(len(results))
    failed = [r for r in results if r.status.value == "failed"]
    for result in failed:
        print(f"  failed: {result.path}: {result.message}", file=sys.stderr)
    print(f"  {len(results) - len(failed)} ingested, {len(failed)} failed", flush=True)
    if kb.statements is not None:
        print("  the statements of their articles are embedded in the background once the kiosk is up", flush=True)
