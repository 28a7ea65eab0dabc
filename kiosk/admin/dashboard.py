"""Pure aggregations of stored turns into the dashboard's tables (no UI, testable on plain dicts)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kiosk.errors import AdminError

OUTCOME_LABELS = {"answered": "已解答", "refused": "拒答", "degraded": "降级"}
NO_TOPIC = "（未命中知识库）"


def parse_day_range(start: str, end: str, default_days: int = 7) -> tuple[float, float]:
    """'YYYY-MM-DD' bounds (local time, end inclusive) → [start, end) Unix times. Empty: the last `default_days`."""
    try:
        end_day = datetime.strptime(end.strip(), "%Y-%m-%d") if end.strip() else datetime.now()
        start_day = (
            datetime.strptime(start.strip(), "%Y-%m-%d")
            if start.strip()
            else end_day - timedelta(days=default_days - 1)
        )
    except ValueError:
        raise AdminError("bad-date", "日期格式应为 YYYY-MM-DD，例如 2026-11-22") from None
    begin = start_day.replace(hour=0, minute=0, second=0, microsecond=0)
    finish = end_day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if finish <= begin:
        raise AdminError("bad-date", "结束日期不能早于开始日期")
    return begin.timestamp(), finish.timestamp()


def outcome(turn: dict[str, Any]) -> str:
    if turn["mode"] == "degraded":
        return "degraded"
    return "refused" if turn["refused"] or turn["mode"] == "refusal" else "answered"


def topic(turn: dict[str, Any]) -> str:
    citations = turn.get("citations") or []
    if citations:
        return str(citations[0].get("title") or NO_TOPIC)
    return "常见问题(FAQ)" if turn["mode"] == "faq" else NO_TOPIC


def questions_over_time(turns: list[dict[str, Any]], bucket: str = "hour") -> pd.DataFrame:
    """Counts per hour or day: columns time (datetime), questions (int)."""
    if not turns:
        return pd.DataFrame({"time": pd.Series([], dtype="datetime64[ns]"), "questions": pd.Series([], dtype=int)})
    times = pd.to_datetime([t["created_at"] for t in turns], unit="s", utc=True).tz_convert(None)
    local_offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    times = times + local_offset
    floored = times.floor("h" if bucket == "hour" else "D")
    counts = pd.Series(1, index=floored).groupby(level=0).sum().sort_index()
    return pd.DataFrame({"time": counts.index, "questions": counts.values.astype(int)})


def outcome_counts(turns: list[dict[str, Any]]) -> pd.DataFrame:
    counts = Counter(outcome(t) for t in turns)
    return pd.DataFrame({"outcome": list(OUTCOME_LABELS.values()), "count": [counts.get(k, 0) for k in OUTCOME_LABELS]})


def top_topics(turns: list[dict[str, Any]], n: int = 10) -> pd.DataFrame:
    counts = Counter(topic(t) for t in turns).most_common(n)
    return pd.DataFrame({"topic": [c[0] for c in counts], "count": [c[1] for c in counts]})


def feedback_counts(turns: list[dict[str, Any]]) -> pd.DataFrame:
    up = sum(1 for t in turns if t["helpful"] is True)
    down = sum(1 for t in turns if t["helpful"] is False)
    return pd.DataFrame({"feedback": ["有帮助", "没帮助"], "count": [up, down]})


def latency_percentiles(turns: list[dict[str, Any]]) -> pd.DataFrame:
    """p50/p95 seconds per stage: columns stage, percentile ('p50'|'p95'), seconds, label ("stage p50")."""
    by_stage: dict[str, list[float]] = {}
    for turn in turns:
        for stage, seconds in (turn.get("timings") or {}).items():
            by_stage.setdefault(stage, []).append(float(seconds))
    rows = []
    for stage in sorted(by_stage):
        values = np.array(by_stage[stage])
        for name, q in (("p50", 50), ("p95", 95)):
            seconds = round(float(np.percentile(values, q)), 3)
            rows.append({"stage": stage, "percentile": name, "seconds": seconds, "label": f"{stage} {name}"})
    return pd.DataFrame(rows, columns=["stage", "percentile", "seconds", "label"])


def summary(turns: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(outcome(t) for t in turns)
    rated = [t for t in turns if t["helpful"] is not None]
    return {
        "questions": len(turns),
        "answered": counts.get("answered", 0),
        "refused": counts.get("refused", 0),
        "degraded": counts.get("degraded", 0),
        "helpful_ratio": (sum(1 for t in rated if t["helpful"]) / len(rated)) if rated else None,
    }
