"""The dashboard's charts as inline SVG: CJK labels in the system's Noto Sans CJK, laid out so they never overlap.

Pure functions of plain (label, value) rows, so the layout rules are testable without a browser: horizontal bars
give each label its own row and cut it to the label column; a time axis labels only as many ticks as fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, sans-serif"
BLUE = "#1f6fd1"
COLORS = {"已回答": BLUE, "没帮助": "#e08a00", "未找到": "#8a99ad", "降级": "#c62828", "投诉": "#7b4fc2", "有帮助": BLUE,
          "中位数 p50": BLUE, "较慢 p95": "#f0a030"}  # fmt: skip
TEXT = "#1b2a3d"
MUTED = "#5b6b80"
GRID = "#e3e9f2"


def text_width(text: str, font_px: float) -> float:
    """Rendered width estimate: a CJK character is one em, Latin/digits a little over half."""
    return sum(font_px if ord(ch) > 0x2E80 else 0.62 * font_px for ch in text)


def fit_label(text: str, max_px: float, font_px: float) -> str:
    """The label, cut with … so that it fits max_px."""
    if text_width(text, font_px) <= max_px:
        return text
    while text and text_width(text + "…", font_px) > max_px:
        text = text[:-1]
    return text + "…"


def nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:g}" if value >= 10 or value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def _frame(width: int, height: int, title: str, body: str, chart_id: str) -> str:
    return (
        f'<figure class="panel-chart" id="{escape(chart_id)}"><figcaption>{escape(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>'
    )


def _empty(width: int, title: str, chart_id: str) -> str:
    body = f'<text x="{width / 2}" y="60" text-anchor="middle" font-size="16" fill="{MUTED}">所选时段没有数据</text>'
    return _frame(width, 110, title, body, chart_id)


def horizontal_bars(
    rows: Sequence[tuple[str, float]], title: str, chart_id: str, *, width: int = 640, unit: str = "",
    label_px: int = 200, colors: Sequence[str] | None = None,
) -> str:  # fmt: skip
    """One row per label (the label left, cut to label_px), its bar and value right of it."""
    if not rows:
        return _empty(width, title, chart_id)
    font, row_h, top = 15, 34, 8
    plot_w = width - label_px - 70
    top_value = nice_ceiling(max(v for _l, v in rows))
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        bar = 0 if top_value == 0 else plot_w * value / top_value
        color = (colors[i] if colors else None) or COLORS.get(label, BLUE)
        parts.append(
            f'<text class="tick-label y-label" x="{label_px - 10}" y="{y + row_h / 2 + 5}" text-anchor="end" font-size="{font}" '
            f'fill="{TEXT}"><title>{escape(label)}</title>{escape(fit_label(label, label_px - 16, font))}</text>'
            f'<rect x="{label_px}" y="{y + 6}" width="{bar:.1f}" height="{row_h - 12}" rx="4" fill="{color}"/>'
            f'<text class="value-label" x="{label_px + bar + 6:.1f}" y="{y + row_h / 2 + 5}" font-size="{font - 1}" '
            f'fill="{MUTED}">{_number(value)}{escape(unit)}</text>'
        )
    return _frame(width, top * 2 + row_h * len(rows), title, "".join(parts), chart_id)


def grouped_horizontal_bars(
    groups: Sequence[tuple[str, Sequence[tuple[str, float]]]], title: str, chart_id: str, *, width: int = 640,
    unit: str = "", label_px: int = 150,
) -> str:  # fmt: skip
    """One block per group label (e.g. a stage), one thin bar per series (e.g. p50, p95), with a legend on top."""
    if not groups:
        return _empty(width, title, chart_id)
    series = list(dict.fromkeys(name for _g, values in groups for name, _v in values))
    font, bar_h, legend_h = 15, 24, 30
    group_h = bar_h * len(series) + 14
    plot_w = width - label_px - 80
    top_value = nice_ceiling(max(v for _g, values in groups for _n, v in values))
    parts = []
    for i, name in enumerate(series):
        x = label_px + i * 130
        color = COLORS.get(name, BLUE)
        parts.append(
            f'<rect x="{x}" y="8" width="14" height="14" rx="3" fill="{color}"/>'
            f'<text class="legend-label" x="{x + 20}" y="20" font-size="{font - 1}" fill="{TEXT}">{escape(name)}</text>'
        )
    for g, (label, values) in enumerate(groups):
        y = legend_h + g * group_h
        parts.append(
            f'<text class="tick-label y-label" x="{label_px - 10}" y="{y + group_h / 2 + 3}" text-anchor="end" '
            f'font-size="{font}" fill="{TEXT}">{escape(fit_label(label, label_px - 16, font))}</text>'
        )
        for s, (name, value) in enumerate(values):
            bar = plot_w * value / top_value
            by = y + 7 + s * bar_h
            parts.append(
                f'<rect x="{label_px}" y="{by}" width="{bar:.1f}" height="{bar_h - 3}" rx="3" fill="{COLORS.get(name, BLUE)}"/>'
                f'<text class="value-label" x="{label_px + bar + 6:.1f}" y="{by + bar_h - 8}" font-size="{font - 3}" '
                f'fill="{MUTED}">{_number(value)}{escape(unit)}</text>'
            )
    return _frame(width, legend_h + group_h * len(groups) + 6, title, "".join(parts), chart_id)


def column_series(
    points: Sequence[tuple[str, float]], title: str, chart_id: str, *, width: int = 640, height: int = 260,
    y_title: str = "",
) -> str:  # fmt: skip
    """Columns over time (hours or days): every column drawn, only as many x labels as fit without touching."""
    if not points:
        return _empty(width, title, chart_id)
    font, left, bottom, top = 14, 46, 44, 36
    plot_w, plot_h = width - left - 12, height - bottom - top
    highest = max(v for _l, v in points)
    # counts: four whole-number steps (0, 2, 4, 6, 8), not 1.25 questions
    top_value = max(4.0, math.ceil(highest / 4) * 4) if all(v == int(v) for _l, v in points) else nice_ceiling(highest)
    slot = plot_w / len(points)
    widest = max(text_width(label, font) for label, _v in points) + 10
    every = max(1, math.ceil(widest / slot))
    parts = [f'<text class="axis-title" x="4" y="16" font-size="{font - 1}" fill="{MUTED}">{escape(y_title)}</text>']
    for k in range(5):
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="tick-label y-label" x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="{font - 1}" '
            f'fill="{MUTED}">{_number(value)}</text>'
        )
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top_value
        x = left + i * slot
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'rx="2" fill="{BLUE}"><title>{escape(label)}：{_number(value)}</title></rect>'
        )
        if i % every == 0:
            half = text_width(label, font) / 2 + 2
            center = min(max(x + slot / 2, left + half), width - half)  # first and last labels stay inside the plot
            parts.append(
                f'<text class="tick-label x-label" x="{center:.1f}" y="{height - 12}" text-anchor="middle" '
                f'font-size="{font}" fill="{TEXT}">{escape(label)}</text>'
            )
    return _frame(width, height, title, "".join(parts), chart_id)
