"""Checks on panel requests before any handler runs: same-origin (CSRF), upload size, uploaded-file provenance.

Origin rule for state-changing requests (every method but GET/HEAD/OPTIONS, and websocket handshakes):
- an `Origin` header must name this server (the request's Host, default ports ignored) or one of
  `admin.trusted_origins`; `Origin: null` (sandboxed frames, privacy redirects) is refused;
- without `Origin`, a `Referer` must point at this server;
- with neither, the request passes: browsers send `Origin` on every cross-site POST and websocket handshake, so a
  request without both comes from a non-browser client (curl, scripts), which cannot ride on a victim's cookie.

Provenance: the panel's Gradio functions receive uploaded files as `FileData` whose `path` the client sends back.
Gradio does not check that path for apps mounted into FastAPI, so any readable file on the box could be named.
`UploadLedger` records, per session, the paths that the panel's upload route returned to that session; a request
naming any other path is refused before Gradio copies or reads the file.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOAD_SUFFIX = "/gradio_api/upload"
MAX_JSON_BODY_BYTES = 4 * 1024 * 1024  # API calls carry form values and file references, never file contents
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


# ------------------------------------------------------------------ same origin


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _netloc(scheme: str, netloc: str) -> str:
    """host[:port], lower case, without the scheme's default port."""
    netloc = netloc.strip().lower()
    host, sep, port = netloc.rpartition(":")
    if not sep or "]" in port:  # no port (an IPv6 literal without one ends in "]")
        return netloc
    return host if port == _DEFAULT_PORTS.get(scheme) else netloc


def _origin_of(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), _netloc(parts.scheme.lower(), parts.netloc)


def needs_origin_check(scope: Scope) -> bool:
    return scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS


def origin_refusal(scope: Scope, trusted_origins: Sequence[str] = ()) -> str | None:
    """None when the request may change state; otherwise why it is refused (for the 403 and the log)."""
    if not needs_origin_check(scope):
        return None
    host = _header(scope, b"host")
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    own = _netloc(scheme, host) if host else None
    trusted = {o for o in (_origin_of(t) for t in trusted_origins) if o}
    origin = _header(scope, b"origin")
    if origin is not None:
        claimed, what = _origin_of(origin.strip()), f"Origin {origin[:100]!r}"
    else:
        referer = _header(scope, b"referer")
        if referer is None:
            return None  # not a browser: see the module docstring
        claimed, what = _origin_of(referer.strip()), f"Referer {referer[:100]!r}"
    if claimed is not None and ((own is not None and claimed[1] == own) or claimed in trusted):
        return None
    return f"{what} is not this server ({host or 'no Host header'})"


# ------------------------------------------------------------------ uploaded-file provenance


class UploadLedger:
    """Which uploaded files belong to which panel session (by session token hash), in this process."""

    def __init__(self, ttl_s: float = 8 * 3600, max_per_session: int = 5000) -> None:
        self._ttl_s = ttl_s
        self._max = max_per_session
        self._paths: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def record(self, session: str, paths: Sequence[str]) -> None:
        now = time.time()
        with self._lock:
            for stale in [s for s, owned in self._paths.items() if now - max(owned.values(), default=0) > self._ttl_s]:
                del self._paths[stale]  # sessions that expired without logging out
            owned = self._paths.setdefault(session, {})
            for path in paths:
                owned[os.path.normpath(path)] = now
            if len(owned) > self._max:  # drop the oldest
                for stale in sorted(owned, key=owned.__getitem__)[: len(owned) - self._max]:
                    del owned[stale]

    def owns(self, session: str, path: str) -> bool:
        with self._lock:
            recorded = self._paths.get(session, {}).get(os.path.normpath(path))
        return recorded is not None and time.time() - recorded < self._ttl_s

    def forget(self, session: str) -> None:
        with self._lock:
            self._paths.pop(session, None)


def file_paths(data: Any) -> list[str]:
    """Every `path` that a JSON request body names as a file (any dict with a string `path`, FileData or not)."""
    found: list[str] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("path"), str):
                found.append(item["path"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None  # not JSON: FastAPI will not read file references from it either


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it exceeds `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that hands the already-read body to the app once, then waits on the client as before."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


# ------------------------------------------------------------------ upload size


def upload_too_large_error(message: str) -> Exception:
    """The exception Gradio's multipart parser treats as a rejected upload: it deletes the partial files."""
    try:
        from gradio.route_utils import MultiPartException
    except ImportError:  # another Gradio: the guard still answers 413 itself
        return RuntimeError(message)
    return MultiPartException(message)


def limit_body(receive: Receive, limit: int, on_exceed: Callable[[], Exception]) -> Receive:
    """A receive() that raises `on_exceed()` as soon as more than `limit` body bytes have streamed in."""
    size = 0

    async def limited() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise on_exceed()
        return message

    return limited


def declared_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
