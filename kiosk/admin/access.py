"""HTTP-layer access control for everything under the panel's path: signed session cookie + role per path."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from kiosk.store import AdminUser, Role, Store

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
    """ASGI middleware: no request under the panel path reaches a handler without the right role."""

    def __init__(self, app: ASGIApp, store: Store, base_path: str, session_ttl_s: float) -> None:
        self.app = app
        self.store = store
        self.policy = AccessPolicy(base_path.rstrip("/") or "/admin")
        self.ttl_s = session_ttl_s
        self._secret = store.session_secret()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self.policy.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        required = self.policy.required_role(scope["path"])
        user = self._user_from_cookie(scope)
        scope.setdefault("state", {})[STATE_KEY] = user
        if required is None or (user is not None and user.has_role(required)):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401 if user is None else 4403})
        elif user is None:
            await self._deny_anonymous(scope, send)
        else:
            body = _FORBIDDEN_HTML.replace("{home}", self.policy.base_path + "/").encode()
            await _respond(send, 403, "text/html; charset=utf-8", body)

    def _user_from_cookie(self, scope: Scope) -> AdminUser | None:
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"cookie", b"").decode("latin-1")
        if not raw:
            return None
        cookie = SimpleCookie()
        try:
            cookie.load(raw)
        except Exception:  # a malformed Cookie header is simply "not logged in"
            return None
        morsel = cookie.get(COOKIE_NAME)
        token = unsign_token(self._secret, morsel.value) if morsel else None
        return self.store.accounts.resolve_session(token, self.ttl_s) if token else None

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
