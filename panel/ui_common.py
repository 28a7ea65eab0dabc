"""Small helpers shared by the panel's Gradio pages."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import gradio as gr

from core.errors import KioskError

F = TypeVar("F", bound=Callable[..., Any])

PANEL_CSS = """
.gradio-container {max-width: 1400px !important; width: 100% !important; margin: auto; font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif !important}
#panel-header {display:flex; justify-content:space-between; align-items:center; border-bottom: 3px solid #1f6fd1;
  margin-bottom: 8px}
#panel-header h2 {color: #163a69; margin: 6px 0}
#panel-header a {color: #1f6fd1; font-weight: 600}
.panel-chart {margin: 0; padding: 12px 14px; background: #fff; border: 1px solid #dbe4f0; border-radius: 12px}
.panel-chart figcaption {font-weight: 700; color: #163a69; font-size: 16px; margin-bottom: 6px}
.panel-chart svg {display: block; max-width: none}
.panel-chart {overflow-x: auto}
.hit-table {width: 100%; border-collapse: collapse; font-size: 14px}
.hit-table th {background: #eef5fd; color: #163a69; text-align: left; padding: 6px 8px; white-space: nowrap}
.hit-table td {border-top: 1px solid #dbe4f0; padding: 6px 8px; vertical-align: top}
.hit-table td {white-space: nowrap}
.hit-table td.passage {min-width: 420px; line-height: 1.6; white-space: normal}
.passage-line + .passage-line {margin-top: 2px}
"""


def actor(request: gr.Request | None) -> str:
    """The signed-in user's name (the HTTP guard guarantees there is one)."""
    name = getattr(request, "username", None) if request is not None else None
    if not name:
        raise gr.Error("会话已失效，请重新登录。")
    return str(name)


def user_errors(func: F) -> F:
    """Show KioskErrors as a readable message in the page instead of a generic failure."""

    if inspect.iscoroutinefunction(func):

        @wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await func(*args, **kwargs)
            except KioskError as exc:
                raise gr.Error(f"{exc.message}（{exc.stage}/{exc.code}）") from None

        return async_wrapper  # type: ignore[return-value]

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KioskError as exc:
            raise gr.Error(f"{exc.message}（{exc.stage}/{exc.code}）") from None

    return wrapper  # type: ignore[return-value]


def header(title: str, base_path: str, other_link: tuple[str, str] | None = None) -> None:
    links = f'<a href="{base_path}/">首页</a>'
    if other_link:
        links += f' · <a href="{other_link[0]}">{other_link[1]}</a>'
    logout = (
        f'<form method="post" action="{base_path}/logout" style="display:inline">'
        '<button type="submit" style="margin-left:1em">退出登录</button></form>'
    )
    gr.HTML(f'<div id="panel-header"><h2>{title}</h2><div>{links}{logout}</div></div>')
