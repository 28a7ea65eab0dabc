"""`kiosk serve`'s start-up report: each engine with its model and device, the knowledge base's size, the voices."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.models import EngineHealth

log = logging.getLogger(__name__)

ENGINE_NAMES = {"kb": "knowledge base", "answerer": "LLM", "transcriber": "speech recognition",
                "synthesizer": "speech synthesis", "store": "panel store (turn log, accounts)"}  # fmt: skip


@dataclass(frozen=True)
class KbSize:
    documents: int
    active: int
    passages: int


def kb_size(kb: Any) -> KbSize | None:
    try:
        docs = kb.list_documents()
    except Exception as exc:  # a broken knowledge base is reported by health; the report still prints
        log.debug("knowledge base not countable: %s", exc)
        return None
    active = [d for d in docs if getattr(d.status, "value", d.status) == "active"]
    return KbSize(len(docs), len(active), sum(d.chunks for d in active))


def check_edge(synthesizer: Any, timeout_s: float) -> str | None:
    """Once at start-up: 'reachable', 'not reachable (…)', or None when edge-tts is not configured."""
    check = getattr(synthesizer, "check_online_voices", None)
    if check is None or not any(getattr(e, "name", "") == "edge" for e, _b in getattr(synthesizer, "engines", [])):
        return None
    try:
        verdicts = asyncio.run(asyncio.wait_for(check(), timeout_s + 2))
    except Exception as exc:  # a timeout or a loop problem: treat as unreachable, never block start-up
        return f"not reachable ({type(exc).__name__})"
    reason = verdicts.get("edge")
    return "reachable" if reason is None else f"not reachable ({reason})"


def engine_lines(health: Sequence[EngineHealth]) -> list[str]:
    """One plain line per engine: name, status, model, device, last error."""
    lines = []
    for row in health:
        name = ENGINE_NAMES.get(row.engine, row.engine)
        parts = [f"  {name:<19}", f"{row.status.value:<10}", row.model or "-"]
        if row.device and row.device not in (row.model or ""):
            parts.append(f"on {row.device}")
        if row.last_error:
            parts.append(f"error: {row.last_error}")
        lines.append(" ".join(parts).rstrip())
    return lines


def kb_line(size: KbSize | None) -> str:
    if size is None:
        return "  knowledge base: not readable (see its error above)"
    retired = size.documents - size.active
    extra = f" ({retired} retired or superseded)" if retired else ""
    return f"  knowledge base: {size.active} documents in force{extra}, {size.passages} passages"


def startup_report(health: Sequence[EngineHealth], size: KbSize | None, edge: str | None, retry_after_s: float) -> list[str]:
    """Plain lines, one per engine, then the knowledge base and the online voice."""
    lines = ["start-up report:", *engine_lines(health), kb_line(size)]
    if edge is None:
        lines.append("  edge-tts: not configured (offline voices only)")
    elif edge == "reachable":
        lines.append("  edge-tts: configured, reachable")
    else:
        lines.append(
            f"  edge-tts: configured, {edge}; the next voice speaks, edge-tts is retried quietly every {retry_after_s:g} s"
        )
    return lines

