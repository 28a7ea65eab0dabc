"""HTTP-layer access control for everything under the panel's path: signed session cookie + role per path."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from panel.request_checks import (
    MAX_JSON_BODY_BYTES,
    UPLOAD_SUFFIX,
    UploadLedger,
    declared_length,
    file_paths,
    limit_body,
    origin_refusal,
    parse_json,
    read_body,
    replay,
    upload_too_large_error,
)
from panel.store import AdminUser, Role, Store

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE_NAME = "kiosk_admin"
STATE_KEY = "admin_user"
PUBLIC_SUFFIXES = ("/login",)  # reachable without a session
ADMIN_ONLY_PREFIXES = ("/ops", "/files/admin")  # everything else under the panel needs at least staff


def sign_token(secret: bytes, token: str) -> str:
    mac = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{token}.{mac}"


def unsign_token(secret: bytes, value: str) -> str | None:
    token, _, mac = value.rpartition(".")
    if not token or not hmac.compare_digest(sign_token(secret, token), value):
        return None
    return token


@dataclass(frozen=True)
class AccessPolicy:
    base_path: str  # e.g. "/admin"

    def covers(self, path: str) -> bool:
        return path == self.base_path or path.startswith(self.base_path + "/")

    def required_role(self, path: str) -> Role | None:
        """None: public (the login page). Otherwise the least role that may open `path`."""
        rest = path[len(self.base_path):]
        if rest in PUBLIC_SUFFIXES:
            return None
        if any(rest == p or rest.startswith(p + "/") for p in ADMIN_ONLY_PREFIXES):
            return "admin"
        return "staff"


def current_user(scope: Scope) -> AdminUser | None:
    state = scope.get("state") or {}
    user = state.get(STATE_KEY)
    return user if isinstance(user, AdminUser) else None


class AdminGuard:
    """ASGI middleware: no request under the panel path reaches a handler without the right role.

    It also refuses state-changing requests from another origin (CSRF, see panel.request_checks), caps the
    bytes of one upload request while they stream in, and lets a request name only files that its own session
    uploaded.
    """

    def __init__(
        self,
        app: ASGIApp,
        store: Store,
        base_path: str,
        session_ttl_s: float,
        *,
        ledger: UploadLedger | None = None,
        max_upload_bytes: int | None = None,
        trusted_origins: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.store = store
        self.policy = AccessPolicy(base_path.rstrip("/") or "/admin")
        self.ttl_s = session_ttl_s
        self.ledger = ledger if ledger is not None else UploadLedger(ttl_s=max(session_ttl_s, 3600))
        self.max_upload_bytes = max_upload_bytes
        self.trusted_origins = tuple(trusted_origins)
        self._secret = store.session_secret()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.policy.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = origin_refusal(scope, self.trusted_origins)
        if refusal is not None:
            log.warning("refused cross-origin panel request %s %s: %s", scope.get("method", "WS"), scope["path"], refusal)
            await self._deny(scope, send, 403, "cross-origin", f"跨站请求已拒绝：{refusal}")
            return
        required = self.policy.required_role(scope["path"])
        token, user = self._session_from_cookie(scope)
        scope.setdefault("state", {})[STATE_KEY] = user
        if required is None or (user is not None and user.has_role(required)):
            if scope["type"] == "http" and scope["method"] == "POST" and user is not None and token is not None:
                if scope["path"].endswith(UPLOAD_SUFFIX):
                    await self._upload(scope, receive, send, session_key(token))
                else:
                    await self._call_with_own_files(scope, receive, send, session_key(token), user)
                return
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401 if user is None else 4403})
        elif user is None:
            await self._deny_anonymous(scope, send)
        else:
            body = _FORBIDDEN_HTML.replace("{home}", self.policy.base_path + "/").encode()
            await _respond(send, 403, "text/html; charset=utf-8", body)

    async def _call_with_own_files(self, scope: Scope, receive: Receive, send: Send, session: str, user: AdminUser) -> None:
        """Pass the request on only if every file it names was uploaded by this session."""
        body = await read_body(receive, MAX_JSON_BODY_BYTES)
        if body is None:
            await self._deny(scope, send, 413, "request-too-large", f"请求超过 {MAX_JSON_BODY_BYTES // 1024 // 1024} MB")
            return
        foreign = [path for path in file_paths(parse_json(body)) if not self.ledger.owns(session, path)]
        if foreign:
            self.store.audit(user.username, "upload-refused", foreign[0][:200], f"{scope['path']}: not uploaded in this session")
            log.warning("refused panel request %s naming a file its session did not upload: %s", scope["path"], foreign[0])
            await self._deny(scope, send, 403, "file-not-uploaded", "只能使用本次登录会话中上传的文件，请重新上传后再试。")
            return
        await self.app(scope, replay(body, receive), send)

    async def _upload(self, scope: Scope, receive: Receive, send: Send, session: str) -> None:
        """Gradio's upload route, capped at max_upload_bytes per request, recording the files it returns."""
        limit = self.max_upload_bytes
        message = f"上传内容超过 {limit / 1024 / 1024:g} MB 的上限（admin.max_upload_mb），请分批上传。" if limit else ""
        declared = declared_length(scope)
        if limit is not None and declared is not None and declared > limit:
            await self._deny(scope, send, 413, "upload-too-large", message)
            return
        exceeded = False
        status = 0
        captured: list[bytes] = []

        def too_large() -> Exception:
            nonlocal exceeded
            exceeded = True
            return upload_too_large_error(message)

        async def recording_send(event: Message) -> None:
            nonlocal status
            if exceeded:
                return  # the app's own error is replaced by ours below
            if event["type"] == "http.response.start":
                status = int(event["status"])
            elif event["type"] == "http.response.body" and status == 200:
                captured.append(bytes(event.get("body", b"")))
                if not event.get("more_body", False):
                    paths = parse_json(b"".join(captured))
                    if isinstance(paths, list):
                        self.ledger.record(session, [p for p in paths if isinstance(p, str)])
            await send(event)

        guarded = limit_body(receive, limit, too_large) if limit is not None else receive
        try:
            await self.app(scope, guarded, recording_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded:
            log.warning("refused panel upload over %s bytes", limit)
            await self._deny(scope, send, 413, "upload-too-large", message)

    async def _deny(self, scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4000 + status})
            return
        body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
        await _respond(send, status, "application/json", body)

    def _session_from_cookie(self, scope: Scope) -> tuple[str | None, AdminUser | None]:
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"cookie", b"").decode("latin-1")
        if not raw:
            return None, None
        cookie = SimpleCookie()
        try:
            cookie.load(raw)
        except Exception:  # a malformed Cookie header is simply "not logged in"
            return None, None
        morsel = cookie.get(COOKIE_NAME)
        token = unsign_token(self._secret, morsel.value) if morsel else None
        user = self.store.accounts.resolve_session(token, self.ttl_s) if token else None
        return (token, user) if user is not None else (None, None)

    async def _deny_anonymous(self, scope: Scope, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        wants_html = scope["method"] == "GET" and b"text/html" in headers.get(b"accept", b"")
        if wants_html:
            target = scope.get("root_path", "") + scope["path"]
            location = f"{self.policy.base_path}/login?next={quote(target)}"
            await _respond(send, 303, "text/plain", b"login required", [(b"location", location.encode())])
        else:
            body = json.dumps({"error": "login-required", "message": "请先登录管理后台"}, ensure_ascii=False)
            await _respond(send, 401, "application/json", body.encode())

    def cookie_value(self, token: str) -> str:
        return sign_token(self._secret, token)

    def token_from_cookie(self, value: str | None) -> str | None:
        return unsign_token(self._secret, value) if value else None


def session_key(token: str) -> str:
    """How the upload ledger names a session (the token itself is never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _respond(
    send: Send, status: int, content_type: str, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(b"cache-control", b"no-store")] + (extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_FORBIDDEN_HTML = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>无权访问</title>
<body style="font-family:sans-serif;padding:3em"><h1>403 无权访问</h1>
<p>当前账号没有访问此页面的权限（需要管理员）。</p><p><a href="{home}">返回首页</a></p></body></html>"""
