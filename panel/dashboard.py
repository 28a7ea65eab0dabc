"""Pure aggregations of stored turns into the dashboard's tables (no UI, testable on plain dicts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from core.errors import AdminError
from core.models import EngineHealth

# a "没帮助" answer is its own outcome: it was answered, but not well
OUTCOME_LABELS = {"answered": "已回答", "unhelpful": "没帮助", "refused": "未找到", "degraded": "降级", "complaint": "投诉"}
MODE_LABELS = {
    "quote": "已回答", "llm": "已回答", "faq": "FAQ", "refusal": "未找到", "degraded": "降级", "small-talk": "寒暄",
    "interrupted": "被打断", "complaint": "投诉",
}  # fmt: skip
STAGE_LABELS = {
    "asr_s": "语音识别", "retrieve_s": "检索", "first_token_s": "模型首字", "first_text_s": "首句文字",
    "first_audio_s": "首句语音", "answer_s": "回答完成", "total_s": "整轮",
}  # fmt: skip
PERCENTILE_LABELS = {"p50": "中位数 p50", "p95": "较慢 p95"}
NO_TOPIC = "（未命中知识库）"


def mode_label(mode: str, refused: bool = False) -> str:
    """How the panel names an answer's mode: 已回答 / FAQ / 未找到 / 降级 / 寒暄 / 被打断 / 投诉."""
    if refused and mode not in ("refusal", "degraded", "complaint"):
        return "未找到"
    return MODE_LABELS.get(mode, mode)


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


def answer_brief(answer: str, chars: int = 80) -> str:
    """What the citizen heard, to fit a table row: the screen text puts the article(s) below a blank line."""
    said = answer.split("\n\n", 1)[0].strip()
    return said if len(said) <= chars else said[:chars] + "…"


def questions_only(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The turns that asked something: a courtesy (你好, 谢谢) is no question and no answer to count."""
    return [t for t in turns if t["mode"] != "small-talk"]


def outcome(turn: dict[str, Any]) -> str:
    if turn["mode"] in ("degraded", "complaint"):  # a complaint about the hall is no gap in the knowledge base
        return str(turn["mode"])
    if turn["refused"] or turn["mode"] == "refusal":
        return "refused"
    return "unhelpful" if turn.get("helpful") is False else "answered"


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


def time_label(moment: Any, bucket: str) -> str:
    """Chinese axis labels: 9时 for an hour (with the date when the range spans days), 11月22日 for a day."""
    return f"{moment.month}月{moment.day}日" if bucket == "day" else f"{moment.hour}时"


def questions_series(turns: list[dict[str, Any]], bucket: str = "hour") -> list[tuple[str, float]]:
    """(label, count) per hour or day, the empty hours between the first and last included."""
    frame = questions_over_time(turns, bucket)
    if frame.empty:
        return []
    step = "h" if bucket == "hour" else "D"
    counts = frame.set_index("time")["questions"]
    full = counts.reindex(pd.date_range(counts.index.min(), counts.index.max(), freq=step), fill_value=0)
    spans_days = bucket == "hour" and full.index[0].date() != full.index[-1].date()
    labels = [
        (f"{t.day}日{t.hour}时" if spans_days and (i == 0 or t.hour == 0) else time_label(t, bucket))
        for i, t in enumerate(full.index)
    ]
    return list(zip(labels, [float(v) for v in full.values], strict=True))


def latency_by_stage(turns: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, float]]]]:
    """[(Chinese stage name, [("p50", s), ("p95", s)])] in pipeline order."""
    frame = latency_percentiles(turns)
    order = list(STAGE_LABELS)
    stages = sorted(set(frame["stage"]), key=lambda s: (order.index(s) if s in order else len(order), s))
    return [
        (STAGE_LABELS.get(stage, stage),
         [(PERCENTILE_LABELS.get(p, p), float(v))
          for p, v in frame[frame["stage"] == stage][["percentile", "seconds"]].itertuples(index=False)])
        for stage in stages
    ]  # fmt: skip


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
        **{kind: counts.get(kind, 0) for kind in OUTCOME_LABELS},
        "helpful_ratio": (sum(1 for t in rated if t["helpful"]) / len(rated)) if rated else None,
    }


ENGINE_LABELS = {"kb": "知识库", "answerer": "大模型问答", "transcriber": "语音识别", "synthesizer": "语音合成",
                 "elderly_synthesizer": "语音合成（长者）", "store": "数据库"}  # fmt: skip
HEALTH_STATUS_LABELS = {"ready": "正常", "not-loaded": "未加载", "error": "故障", "off": "未启用"}
HEALTH_COLUMNS = ["引擎", "状态", "模型", "设备", "最近错误"]


PREPARING_LABELS = {"paragraphs": "长条文的段落向量", "statements": "条文句子向量"}


def _status(row: EngineHealth) -> str:
    """The state, and what the engine prepares in the background meanwhile (正常（后台准备条文句子向量 640/2837）)."""
    label = HEALTH_STATUS_LABELS.get(row.status.value, row.status.value)
    if not row.preparing:
        return label
    step, _, count = row.preparing.partition(" ")
    return f"{label}（后台准备{PREPARING_LABELS.get(step, step)} {count}，回答稍慢）"


def health_table(rows: Sequence[EngineHealth]) -> pd.DataFrame:
    """The health report with Chinese headers and states."""
    table = [
        [ENGINE_LABELS.get(r.engine, r.engine), _status(r), r.model or "—", r.device or "—", r.last_error or ""]
        for r in rows
    ]  # fmt: skip
    return pd.DataFrame(table, columns=HEALTH_COLUMNS)

AUDIT_LABELS = {
    "config-changed": "修改配置", "document-added": "新增文档", "document-replaced": "替换文档", "document-faq": "导入 FAQ 表",
    "document-retire": "停用文档", "document-activate": "恢复文档", "document-delete": "删除文档",
    "document-supersede": "标记取代", "faq-added": "新增 FAQ", "faq-deleted": "删除 FAQ", "faq-edited": "修改 FAQ",
    "faq-imported": "导入 FAQ", "records-purged": "清理记录", "user-create": "新建账号", "user-role": "修改角色",
    "user-disable": "停用账号", "user-enable": "启用账号", "user-password": "重设密码", "login": "登录", "logout": "退出登录",
    "login-failed": "登录失败", "login-locked": "登录锁定",
}  # fmt: skip
ROLE_LABELS = {"admin": "管理员", "staff": "工作人员"}
