"""DOM measurements the layout tests assert on: boxes in the viewport, touch-target sizes, lone wrapped characters."""

from __future__ import annotations

from typing import Any

Box = dict[str, float]

BOXES_JS = """(selectors) => Object.fromEntries(selectors.map((s) => {
  const e = document.querySelector(s);
  if (!e) return [s, null];
  const r = e.getBoundingClientRect();
  return [s, {x: r.x, y: r.y, width: r.width, height: r.height}];
}))"""

# One rect per rendered line of each element's text; a line narrower than two characters is a lone character.
LINE_WIDTHS_JS = """(selector) => [...document.querySelectorAll(selector)].filter((e) => e.offsetParent !== null).map((e) => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const size = parseFloat(getComputedStyle(e).fontSize);
  const lines = [...range.getClientRects()].filter((r) => r.width > 0);
  return {text: e.textContent.trim(), fontSize: size, widths: lines.map((r) => r.width)};
})"""

# Tick or axis labels of an SVG chart: their boxes must not intersect.
TEXT_BOXES_JS = """(selector) => [...document.querySelectorAll(selector)].map((e) => {
  const r = e.getBoundingClientRect();
  const text = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("");  // not <title>
  return {text, x: r.x, y: r.y, width: r.width, height: r.height};
})"""


def boxes(page: Any, selectors: list[str]) -> dict[str, Box | None]:
    return page.evaluate(BOXES_JS, selectors)


def inside(box: Box, width: float, height: float, tolerance: float = 1.0) -> bool:
    return (
        box["x"] >= -tolerance
        and box["y"] >= -tolerance
        and box["x"] + box["width"] <= width + tolerance
        and box["y"] + box["height"] <= height + tolerance
    )


def intersect(a: Box, b: Box, tolerance: float = 0.5) -> bool:
    return (
        a["x"] + a["width"] > b["x"] + tolerance
        and b["x"] + b["width"] > a["x"] + tolerance
        and a["y"] + a["height"] > b["y"] + tolerance
        and b["y"] + b["height"] > a["y"] + tolerance
    )


def overlapping_pairs(items: list[Box]) -> list[tuple[str, str]]:
    return [
        (str(a.get("text")), str(b.get("text")))
        for i, a in enumerate(items)
        for b in items[i + 1 :]
        if a["width"] and b["width"] and intersect(a, b)
    ]


def lone_character_lines(page: Any, selector: str) -> list[str]:
    """Texts of elements whose wrapped text leaves a line of a single character."""
    bad = []
    for item in page.evaluate(LINE_WIDTHS_JS, selector):
        if len(item["widths"]) > 1 and min(item["widths"]) < 1.5 * item["fontSize"]:
            bad.append(item["text"])
    return bad
