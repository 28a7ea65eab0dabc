"""Plain HTTP routes of the panel: login/logout, the landing page and file downloads."""

from __future__ import annotations

import asyncio
import html
import time
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from panel.access import COOKIE_NAME, AdminGuard, current_user, session_key
from panel.context import PanelServices
from panel.dashboard import parse_day_range
from panel.exports import audit_csv, faq_csv, faq_xlsx, turns_csv

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;background:#f4f6fa;margin:0}}
main{{max-width:28em;margin:8vh auto;background:#fff;padding:2em 2.5em;border-radius:12px;box-shadow:0 2px 12px #0002}}
label{{display:block;margin:1em 0 .3em}}input{{width:100%;padding:.6em;font-size:1.05em;box-sizing:border-box}}
button{{margin-top:1.5em;width:100%;padding:.7em;font-size:1.1em;background:#1d4ed8;color:#fff;border:0;border-radius:8px}}
.error{{color:#b91c1c}}a.card{{display:block;padding:1em;margin:.8em 0;border:1px solid #ccd;border-radius:8px;text-decoration:none}}
</style></head><body><main>{body}</main></body></html>"""


def _safe_next(base: str, target: str | None) -> str:
    """Only redirect inside the panel after login (no open redirect)."""
    if not target:
        return base + "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not (target == base or target.startswith(base + "/")):
        return base + "/"
    return target


def build_router(services: PanelServices, guard: AdminGuard) -> APIRouter:
    config = services.config.admin
    base = config.path.rstrip("/")
    store = services.store
    assert store is not None  # mount_admin refuses to mount without one
    router = APIRouter(prefix=base)

    def login_page(error: str = "", next_path: str = "", status: int = 200) -> HTMLResponse:
        message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
        body = (
            f"<h1>政务服务数字人 · 管理后台</h1>{message}"
            f'<form method="post" action="{base}/login">'
            f'<input type="hidden" name="next" value="{html.escape(next_path)}">'
            '<label for="username">用户名</label><input id="username" name="username" autocomplete="username" required>'
            '<label for="password">密码</label>'
            '<input id="password" name="password" type="password" autocomplete="current-password" required>'
            '<button type="submit">登录</button></form>'
        )
        return HTMLResponse(_PAGE.format(title="登录 · 管理后台", body=body), status_code=status)

    @router.get("/login", response_class=HTMLResponse)
    async def login_form(next: str = "") -> HTMLResponse:  # noqa: A002 - query parameter name
        return login_page(next_path=next)

    def secure_cookie(request: Request) -> bool:
        return config.cookie_secure or request.url.scheme == "https"

    @router.post("/login")
    async def login(
        request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("")  # noqa: A002
    ) -> Response:
        outcome = await asyncio.to_thread(
            store.accounts.verify_login, username, password, config.max_failed_logins, config.lockout_s
        )
        if outcome.ok and outcome.user is not None:
            token = store.accounts.create_session(outcome.user.username, config.session_ttl_min * 60)
            store.audit(outcome.user.username, "login")
            response = RedirectResponse(_safe_next(base, next), status_code=303)
            response.set_cookie(
                COOKIE_NAME, guard.cookie_value(token), httponly=True, samesite="strict",
                secure=secure_cookie(request), path=base, max_age=int(config.session_ttl_min * 60),
            )
            return response
        locked = outcome.locked_until > time.time()
        store.audit(username[:64], "login-locked" if locked else "login-failed", detail=f"failures={outcome.failures}")
        # Slow down guessing: each consecutive failure answers later (capped), on top of the lockout.
        await asyncio.sleep(config.failed_login_delay_s * min(outcome.failures, 5))
        if locked:
            minutes = max(1, round((outcome.locked_until - time.time()) / 60))
            return login_page(f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试。", next, status=429)
        return login_page("用户名或密码错误。", next, status=401)

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        token = guard.token_from_cookie(request.cookies.get(COOKIE_NAME))
        if token:
            store.accounts.end_session(token)
            guard.ledger.forget(session_key(token))
        response = RedirectResponse(f"{base}/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path=base, secure=secure_cookie(request), httponly=True, samesite="strict")
        return response

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        user = current_user(request.scope)
        assert user is not None  # the guard let the request through
        cards = f'<a class="card" href="{base}/kb/">知识库管理：文档、FAQ、命中测试、未解答问题</a>'
        if user.has_role("admin"):
            cards += f'<a class="card" href="{base}/ops/">运营管理：看板、对话记录、配置、健康、账号、审计</a>'
        body = (
            f"<h1>管理后台</h1><p>已登录：<b>{html.escape(user.username)}</b>（{'管理员' if user.role == 'admin' else '工作人员'}）</p>"
            f'{cards}<form method="post" action="{base}/logout"><button type="submit">退出登录</button></form>'
        )
        return HTMLResponse(_PAGE.format(title="管理后台", body=body))

    @router.get("")
    async def home_redirect() -> RedirectResponse:
        return RedirectResponse(f"{base}/", status_code=307)

    def download(content: bytes, filename: str, media_type: str) -> Response:
        return Response(content, media_type=media_type,
                        headers={"content-disposition": f'attachment; filename="{filename}"', "cache-control": "no-store"})

    @router.get("/files/faq.csv")
    async def faq_csv_file() -> Response:
        return download(faq_csv(services.kb.list_faq()), "faq.csv", "text/csv; charset=utf-8")

    @router.get("/files/faq.xlsx")
    async def faq_xlsx_file() -> Response:
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return download(faq_xlsx(services.kb.list_faq()), "faq.xlsx", xlsx)

    @router.get("/files/admin/turns.csv")
    async def turns_file(start: str = "", end: str = "") -> Response:
        begin, finish = parse_day_range(start, end)
        return download(turns_csv(store.turn_log.turns(begin, finish)), "turns.csv", "text/csv; charset=utf-8")

    @router.get("/files/admin/audit.csv")
    async def audit_file() -> Response:
        return download(audit_csv(store.audit_log(limit=100000)), "audit.csv", "text/csv; charset=utf-8")

    return router
