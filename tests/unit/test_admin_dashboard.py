"""Dashboard aggregations, unanswered-question grouping, exports and the LLM connection test."""

from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from core.errors import AdminError
from core.models import AnswerMode, EngineHealth, EngineStatus, FaqEntry
from panel import dashboard
from panel.exports import faq_csv, faq_xlsx, turns_csv
from panel.ops_panel import test_llm_connection as check_llm_connection
from panel.unanswered import char_bigrams, group_unanswered, jaccard


def row(turn_id: str, question: str = "问题", mode: str = "llm", refused: bool = False, helpful: bool | None = None,
        at: float | None = None, timings: dict[str, float] | None = None, title: str | None = "居住证暂行条例") -> dict[str, Any]:  # fmt: skip
    return {
        "turn_id": turn_id, "session_id": "s", "question": question, "answer": "答", "mode": mode,
        "refused": refused, "helpful": helpful, "created_at": at or time.time(),
        "citations": [{"title": title, "article": "第九条", "source": "x.md"}] if title else [],
        "timings": timings or {},
    }  # fmt: skip


def test_parse_day_range_is_inclusive_and_validated() -> None:
    begin, end = dashboard.parse_day_range("2026-11-20", "2026-11-22")
    assert end - begin == 3 * 86400
    assert datetime.fromtimestamp(begin).strftime("%Y-%m-%d %H:%M") == "2026-11-20 00:00"
    with pytest.raises(AdminError):
        dashboard.parse_day_range("20/11/2026", "")
    with pytest.raises(AdminError):
        dashboard.parse_day_range("2026-11-22", "2026-11-20")


def test_outcomes_feedback_and_topics() -> None:
    turns = [
        row("a", helpful=True), row("b", helpful=False), row("c", mode="refusal", refused=True, title=None),
        row("d", mode="degraded"), row("e", mode="faq", title=None),
        row("f", mode="complaint", refused=True, title=None),
    ]  # fmt: skip
    outcomes = dict(zip(*dashboard.outcome_counts(turns).to_dict("list").values(), strict=True))
    # a 没帮助 answer is not counted as answered, a complaint about the hall not as a question the documents lack
    assert outcomes == {"已回答": 2, "没帮助": 1, "未找到": 1, "降级": 1, "投诉": 1}
    assert dashboard.mode_label("complaint", refused=True) == "投诉" and dashboard.summary(turns)["complaint"] == 1
    feedback = dashboard.feedback_counts(turns)["count"].tolist()
    assert feedback == [1, 1]
    topics = dashboard.top_topics(turns).set_index("topic")["count"].to_dict()
    assert topics["居住证暂行条例"] == 3 and topics[dashboard.NO_TOPIC] == 2
    assert dashboard.summary(turns)["helpful_ratio"] == 0.5


def test_the_log_shows_what_was_said_not_the_whole_article() -> None:
    screen = "公安机关应当自受理之日起15日内制作发放居住证。\n\n《居住证暂行条例》第九条\n申领居住证，应当……"
    assert dashboard.answer_brief(screen) == "公安机关应当自受理之日起15日内制作发放居住证。"
    assert dashboard.answer_brief("长" * 100) == "长" * 80 + "…"


def test_courtesies_are_not_counted_as_questions() -> None:
    turns = [row("a"), row("b", question="谢谢", mode="small-talk", title=None), row("c", mode="refusal", refused=True)]
    asked = dashboard.questions_only(turns)
    assert [t["turn_id"] for t in asked] == ["a", "c"]
    facts = dashboard.summary(asked)
    assert facts["questions"] == 2 and facts["answered"] == 1 and facts["refused"] == 1


def test_questions_per_hour_and_latency_percentiles() -> None:
    base = datetime(2026, 11, 22, 9, 10).timestamp()
    turns = [row(str(i), at=base + i * 600, timings={"total_s": float(i + 1), "asr_s": 0.5}) for i in range(10)]
    per_hour = dashboard.questions_over_time(turns, "hour")
    assert per_hour["questions"].sum() == 10 and len(per_hour) == 2  # 09:10–10:40 spans two hours
    assert dashboard.questions_over_time(turns, "day")["questions"].tolist() == [10]
    latency = dashboard.latency_percentiles(turns).set_index(["stage", "percentile"])["seconds"]
    assert latency[("total_s", "p50")] == 5.5
    assert latency[("total_s", "p95")] == pytest.approx(9.55)
    assert latency[("asr_s", "p95")] == 0.5
    assert dashboard.questions_over_time([], "hour").empty


def test_similar_questions_group_together() -> None:
    assert jaccard(char_bigrams("居住证怎么办理"), char_bigrams("居住证怎么办理？")) == 1.0
    turns = [
        row("1", "居住证怎么办理", refused=True, at=1),
        row("2", "居住证要怎么办理呢", refused=True, at=2),
        row("3", "公积金怎么提取", helpful=False, at=3),
        row("4", "居住证怎么办", refused=True, at=4),
    ]
    groups = group_unanswered(turns)
    assert [g.count for g in groups] == [3, 1]
    assert set(groups[0].turn_ids) == {"1", "2", "4"}
    assert groups[1].question == "公积金怎么提取" and groups[1].thumbs_down == 1
    # a turn answered in part is queued under the part it had no rule for, and joins that topic's group
    partly = {**row("5", "残疾人就业有什么扶持 残疾证怎么办", at=5), "unanswered": ["残疾证怎么办"]}
    groups = group_unanswered([row("6", "残疾证怎么办理", refused=True, at=6), partly])
    assert len(groups) == 1 and groups[0].questions == ["残疾证怎么办理", "残疾证怎么办"] and groups[0].refused == 2


def test_exports_round_trip_and_mask() -> None:
    entries = [FaqEntry("faq-1", "居住证怎么办", "带身份证到派出所。", "staff")]
    assert "居住证怎么办" in faq_csv(entries).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(faq_xlsx(entries))).active
    assert [c.value for c in sheet[2]] == ["faq-1", "居住证怎么办", "带身份证到派出所。", "staff"]
    text = turns_csv([row("t", "电话13812345678")]).decode("utf-8-sig")
    assert "13812345678" not in text and "138********" in text


def test_llm_connection_check_reports_failure_quickly() -> None:
    started = time.perf_counter()
    verdict = check_llm_connection("http://127.0.0.1:9/v1", timeout_s=1.0)
    assert verdict.startswith("失败") and "127.0.0.1:9/v1/models" in verdict
    assert time.perf_counter() - started < 3


def test_llm_connection_check_lists_models_of_a_compatible_server() -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: list[str] = []

    class Models(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            seen.append(self.path)
            body = json.dumps({"object": "list", "data": [{"id": "qwen2.5-1.5b-instruct"}]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        verdict = check_llm_connection(f"http://127.0.0.1:{server.server_port}/v1/", timeout_s=2.0)
    finally:
        server.shutdown()
    assert seen == ["/v1/models"]
    assert verdict.startswith("成功") and "qwen2.5-1.5b-instruct" in verdict


def test_panel_labels_are_chinese() -> None:
    modes = ("quote", "llm", "faq", "refusal", "degraded", "small-talk", "interrupted")
    assert [dashboard.mode_label(m) for m in modes] == ["已回答", "已回答", "FAQ", "未找到", "降级", "寒暄", "被打断"]
    assert all(m.value in dashboard.MODE_LABELS for m in AnswerMode)  # every mode has its Chinese label
    assert dashboard.mode_label("llm", refused=True) == "未找到"
    table = dashboard.health_table([EngineHealth("answerer", EngineStatus.READY, model="llama.cpp:qwen", device="cpu")])  # fmt: skip
    assert list(table.columns) == ["引擎", "状态", "模型", "设备", "最近错误"]
    assert table.iloc[0].tolist() == ["大模型问答", "正常", "llama.cpp:qwen", "cpu", ""]


def test_hour_labels_are_chinese_and_stages_named() -> None:
    base = datetime(2026, 11, 22, 8, 10).timestamp()
    turns = [row(str(i), at=base + i * 3 * 3600, timings={"first_token_s": 1.0, "total_s": 3.0}) for i in range(3)]
    series = dashboard.questions_series(turns, "hour")
    assert [label for label, _ in series][:3] == ["8时", "9时", "10时"] and len(series) == 7  # empty hours kept
    assert sum(v for _, v in series) == 3
    assert dashboard.latency_by_stage(turns) == [
        ("模型首字", [("中位数 p50", 1.0), ("较慢 p95", 1.0)]), ("整轮", [("中位数 p50", 3.0), ("较慢 p95", 3.0)]),
    ]
