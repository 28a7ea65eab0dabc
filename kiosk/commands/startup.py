"""Start-up reports: `kiosk serve` (each engine with its model and device, the knowledge base's size, the voices)
and `kiosk admin serve` (the panel's engines, accounts, security settings and the state it shares with kiosks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.config import KioskConfig
from core.models import EngineHealth

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


def redact_url(url: str) -> str:
    """A database URL fit for a terminal or a log: any password replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def shared_state_lines(config: KioskConfig) -> list[str]:
    """Where the state that kiosks and the panel share lives, and how soon a change reaches a running kiosk."""
    if config.chroma.mode == "http":
        vectors = f"Chroma server {config.chroma.host}:{config.chroma.port}"
    else:
        vectors = f"{config.paths.kb / 'chroma'} (this host only; kiosks on other hosts need chroma.mode: http)"
    shared_registry = config.paths.database.startswith("postgresql")
    registry = "schema kb of the database below" if shared_registry else str(config.paths.kb / "registry.sqlite")
    return [
        f"  storage: registry in {registry}, vectors in {vectors}",
        f"  database: {redact_url(config.paths.database)}",
        f"  running kiosks follow knowledge-base and settings changes within {config.kb.refresh_interval_s:g} s",
    ]


def panel_report(config: KioskConfig, health: Sequence[EngineHealth], size: KbSize | None, accounts: Sequence[dict[str, Any]]) -> list[str]:
    """`kiosk admin serve`'s start-up report: its engines, the accounts, the security settings, the shared state."""
    admin = config.admin
    active = [u for u in accounts if not u.get("disabled")]
    admins = sum(1 for u in active if u.get("role") == "admin")
    lines = ["start-up report (panel):", *engine_lines([h for h in health if h.engine in ("kb", "store")]), kb_line(size)]
    line = f"  accounts: {admins} admin, {len(active) - admins} staff"
    if not admins:
        line += "; no one can open the admin pages yet: kiosk admin create-user NAME --role admin"
    lines.append(line)
    cookie = "always Secure (admin.cookie_secure)" if admin.cookie_secure else "Secure when the request came over HTTPS"
    lines.append(f"  sessions: {admin.session_ttl_min:g} min idle timeout, cookie HttpOnly, SameSite=Strict, {cookie}")
    lines.append(f"  logins: {admin.max_failed_logins} failures lock a name for {admin.lockout_s:g} s")
    origins = ", ".join(admin.trusted_origins) or "none"
    lines.append(f"  requests: other origins refused (trusted: {origins}); uploads up to {admin.max_upload_mb:g} MB per request")
    return lines + shared_state_lines(config)
