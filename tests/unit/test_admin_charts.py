"""The dashboard's SVG charts: CJK labels that fit and never overlap, by construction."""

from __future__ import annotations

import re

from panel import charts


def _texts(svg: str, cls: str) -> list[tuple[float, float, str]]:
    found = re.findall(rf'<text class="[^"]*{cls}[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>', svg)
    return [(float(x), float(y), t) for x, y, t in found]


def test_horizontal_bars_give_each_label_its_own_row_and_cut_long_ones() -> None:
    rows = [(f"非常长的主题名称第{i}号关于居住证与户籍迁移的暂行规定", float(10 - i)) for i in range(10)]
    svg = charts.horizontal_bars(rows, "热门主题", "t", label_px=200)
    labels = _texts(svg, "y-label")
    assert len(labels) == 10
    ys = [y for _x, y, _t in labels]
    assert min(b - a for a, b in zip(ys, ys[1:], strict=False)) >= 20  # rows further apart than the 15 px font
    assert all(charts.text_width(t, 15) <= 200 - 16 for _x, _y, t in labels) and labels[0][2].endswith("…")
    assert "<title>非常长的主题名称第0号关于居住证与户籍迁移的暂行规定</title>" in svg  # the full name on hover


def test_time_axis_labels_only_as_many_as_fit() -> None:
    points = [(f"{h}时", float(h % 5)) for h in range(24)] * 3  # three days of hours
    svg = charts.column_series(points, "问题数量", "q", width=640)
    labels = _texts(svg, "x-label")
    assert 2 <= len(labels) < len(points)
    xs = [x for x, _y, _t in labels]
    widest = max(charts.text_width(t, 14) for _x, _y, t in labels)
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= widest
    assert svg.count("<rect") == len(points)  # every hour still drawn


def test_empty_data_says_so() -> None:
    assert "所选时段没有数据" in charts.column_series([], "问题数量", "q")
    assert "所选时段没有数据" in charts.grouped_horizontal_bars([], "各阶段用时", "l")
