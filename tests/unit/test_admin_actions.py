"""The panel's actions called over HTTP the way the pages call them (Gradio API), on fakes: each change takes
effect, lands in the audit log under the signed-in user, and admin actions refuse staff."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from answering.referrals import ReferralBook
from answering.referrals import file_text as referral_file_text
from core.models import AnswerMode, TurnRecord
from panel.app import mount_admin
from panel.store import Store
from tests.unit.admin_fakes import FakeKnowledgeBase, FakeServices, admin_config

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    config = admin_config(tmp_path_factory.mktemp("admin-actions"))
    store = Store.open(config)
    store.accounts.create_user("boss", PASSWORD, "admin")
    store.accounts.create_user("clerk", PASSWORD, "staff")
    services = FakeServices(config, store)
    app = FastAPI()
    mount_admin(app, services)
    with TestClient(app) as client:
        yield {"client": client, "store": store, "kb": services.kb, "config": config}


def as_user(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    assert client.post("/admin/login", data={"username": name, "password": PASSWORD}, follow_redirects=False).status_code == 303
    return client


def call(client: TestClient, app: str, api: str, data: list[Any]) -> tuple[str, Any]:
    """POST a Gradio API call and read its result stream: ("complete", outputs) or ("error", message)."""
    started = client.post(f"/admin/{app}/gradio_api/call/{api}", json={"data": data})
    assert started.status_code == 200, started.text
    stream = client.get(f"/admin/{app}/gradio_api/call/{api}/{started.json()['event_id']}").text
    event = data_line = ""
    for line in stream.splitlines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data_line = line[6:]
    return event, json.loads(data_line) if data_line and data_line != "null" else None


def upload(client: TestClient, name: str, content: bytes) -> dict[str, Any]:
    paths = client.post("/admin/kb/gradio_api/upload", files={"files": (name, content)}).json()
    return {"path": paths[0], "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def actions(store: Store) -> list[tuple[str, str]]:
    return [(e["actor"], e["action"]) for e in store.audit_log()]


def test_upload_zip_then_retire_supersede_replace_delete(env: dict[str, Any]) -> None:
    client, kb, store = as_user(env["client"], "clerk"), env["kb"], env["store"]
    assert isinstance(kb, FakeKnowledgeBase)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("policies/居住证办法(2015).md", "第一条 居住证旧版。")
        zf.writestr("policies/居住证办法(2020).md", "第一条 居住证新版。")
        zf.writestr("__MACOSX/._junk", "x")
    event, (status,) = call(client, "kb", "ingest", [[upload(client, "policies.zip", archive.getvalue())]])
    assert event == "complete" and status.count("已入库") == 2 and "added" not in status, status
    docs = {d.source: d.doc_id for d in kb.list_documents()}
    old, new = docs["居住证办法(2015).md"], docs["居住证办法(2020).md"]

    assert call(client, "kb", "retire_document", [old, None])[0] == "complete"
    assert kb.get_document(old).status.value == "retired"
    assert call(client, "kb", "activate_document", [old, None])[0] == "complete"
    assert call(client, "kb", "supersede_document", [new, old])[0] == "complete"
    assert kb.get_document(old).superseded_by == new
    event, (status,) = call(client, "kb", "replace_document", [new, upload(client, "更新稿.md", "第一条 居住证修订版。".encode())])
    assert event == "complete" and "已替换" in status
    assert kb.texts[new] == "第一条 居住证修订版。"  # same document, new content
    assert call(client, "kb", "delete_document", [old, None])[0] == "complete"
    assert old not in {d.doc_id for d in kb.list_documents()}
    logged = actions(store)
    for action in ("document-added", "document-retire", "document-activate", "document-supersede",
                   "document-replaced", "document-delete"):  # fmt: skip
        assert ("clerk", action) in logged, action


def test_missing_selection_is_a_readable_error(env: dict[str, Any]) -> None:
    client = as_user(env["client"], "clerk")
    event, message = call(client, "kb", "delete_document", [None, None])
    assert event == "error" and "请先选择文档" in json.dumps(message, ensure_ascii=False)


def test_faq_add_edit_delete_import(env: dict[str, Any]) -> None:
    client, kb, store = as_user(env["client"], "clerk"), env["kb"], env["store"]
    assert call(client, "kb", "save_faq", [None, "社保卡丢了怎么办", "到社保窗口挂失补办。"])[0] == "complete"
    (entry,) = [e for e in kb.list_faq() if e.question == "社保卡丢了怎么办"]
    assert call(client, "kb", "save_faq", [entry.id, "社保卡丢了怎么办", "先电话挂失，再到窗口补办。"])[0] == "complete"
    assert kb.faq[entry.id].answer == "先电话挂失，再到窗口补办。"
    table = "question,answer\n护照怎么办,到出入境窗口。\n港澳通行证怎么续签,自助机办理。\n".encode("utf-8")
    event, (status,) = call(client, "kb", "import_faq", [upload(client, "faq.csv", table)])
    assert event == "complete" and "2" in status
    assert call(client, "kb", "delete_faq", [entry.id])[0] == "complete"
    assert entry.id not in kb.faq
    logged = actions(store)
    for action in ("faq-added", "faq-edited", "faq-imported", "faq-deleted"):
        assert ("clerk", action) in logged, action
    exported = client.get("/admin/files/faq.csv").content.decode("utf-8-sig")
    assert "护照怎么办" in exported and "社保卡丢了怎么办" not in exported


def test_queue_to_faq_resolves_grouped_turns_and_hit_test_shows_faq_answer(env: dict[str, Any]) -> None:
    client, store = as_user(env["client"], "clerk"), env["store"]
    for i, question in enumerate(["残疾证怎么办理", "残疾证怎么办理呢"]):
        store.record_turn(TurnRecord(f"q{i}", "s", question, "抱歉", AnswerMode.REFUSAL, True))
    event, (status,) = call(client, "kb", "queue_to_faq", ["q1", "残疾证怎么办理", "到区残联窗口申请。"])
    assert event == "complete" and "关联 2 条记录" in status
    assert not {"q0", "q1"} & {t["turn_id"] for t in store.turn_log.unanswered()}
    event, (summary, table) = call(client, "kb", "hit_test", ["残疾证怎么办理"])
    assert event == "complete" and "到区残联窗口申请" in summary and "FAQ" in summary


def test_config_change_reaches_effective_config_and_audit(env: dict[str, Any]) -> None:
    client, store, config = as_user(env["client"], "boss"), env["store"], env["config"]
    values = ["欢迎来到示范大厅", "社保卡\n公积金", config.kiosk.handoff_text, config.answering.refusal_template,
              "2号窗口", config.answering.referral_reply, referral_file_text(), "zh-CN-YunxiNeural", 1.1, "openai",
              "http://10.1.2.3:8000/v1", "qwen", "generate", " 上海 "]  # fmt: skip
    event, (status,) = call(client, "ops", "save_config", values)
    assert event == "complete" and "已保存" in status
    effective = store.effective_config(config)
    assert effective.answering.referrals_yaml is None  # the shipped list, unedited, is not copied into the store
    assert effective.kiosk.greeting == "欢迎来到示范大厅" and effective.kiosk.hot_topics == ["社保卡", "公积金"]
    assert effective.answering.window_guidance == "2号窗口" and effective.llm.base_url == "http://10.1.2.3:8000/v1"
    assert effective.tts.speed == 1.1 and effective.tts.edge_voice == "zh-CN-YunxiNeural"
    assert effective.answering.style == "generate" and config.answering.style == "quote"
    assert effective.answering.hall_region == "上海" and config.answering.hall_region is None
    assert "注意" not in status  # a model server of the deployment's choosing writes the answers
    assert ("boss", "config-changed") in actions(store)
    embedded = list(values)
    embedded[9] = "embedded"
    event, (status,) = call(client, "ops", "save_config", embedded)
    assert event == "complete" and "已保存" in status and "内置小模型" in status  # the 0.5B would write the answers
    bad = list(values)
    bad[3] = "没有找到{subject}"
    assert call(client, "ops", "save_config", bad)[0] == "error"
    assert store.effective_config(config).answering.refusal_template == config.answering.refusal_template


def test_referral_list_edited_in_the_panel_reaches_the_answerer(env: dict[str, Any]) -> None:
    client, store, config = as_user(env["client"], "boss"), env["store"], env["config"]
    edited = "- topic: 人才补贴\n  where: 区人才服务中心\n  terms: [人才补贴, 安家补贴]\n"
    values = [config.kiosk.greeting, "\n".join(config.kiosk.hot_topics), config.kiosk.handoff_text,
              config.answering.refusal_template, config.answering.window_guidance, "请到{where}办理{topic}。", edited,
              config.tts.edge_voice, config.tts.speed, config.llm.backend, config.llm.base_url, config.llm.model_name,
              config.answering.style, ""]  # fmt: skip
    event, (status,) = call(client, "ops", "save_config", values)
    assert event == "complete" and "已保存" in status
    effective = store.effective_config(config).answering
    assert effective.referrals_yaml == edited and effective.referral_reply == "请到{where}办理{topic}。"
    assert effective.hall_region is None  # left empty: no region
    book = ReferralBook.for_config(effective)
    assert [r.topic for r in book.referrals] == ["人才补贴"]
    assert book.refer("博士来工作安家补贴有多少", None) is not None
    assert ("boss", "config-changed") in actions(store)

    too_long = "- topic: 人才补贴\n  where: 区人才服务中心\n  terms: [" + ", ".join(f"词{i:05d}" for i in range(20_000)) + "]\n"
    for bad_list in ("- topic: 人才补贴\n  terms: [人才补贴]", "- topic: [", "topic: 人才补贴", too_long):
        broken = list(values)
        broken[6] = bad_list
        event, message = call(client, "ops", "save_config", broken)
        assert event == "error" and "转办指引" in json.dumps(message, ensure_ascii=False), bad_list[:40]
    broken = list(values)
    broken[5] = "请到{place}"  # not a placeholder the reply knows
    event, message = call(client, "ops", "save_config", broken)
    said = json.dumps(message, ensure_ascii=False)
    assert event == "error" and "转办话术" in said and "{place}" in said and "{topic} {where}" in said
    assert store.effective_config(config).answering.referrals_yaml == edited  # nothing bad was stored

    values[6] = referral_file_text()  # back to the shipped list: the panel's copy is dropped
    assert call(client, "ops", "save_config", values)[0] == "complete"
    assert store.effective_config(config).answering.referrals_yaml is None


def test_accounts_and_purge_are_admin_actions(env: dict[str, Any]) -> None:
    client, store = as_user(env["client"], "boss"), env["store"]
    assert call(client, "ops", "create_user", ["window3", "window3-password", "staff"])[0] == "complete"
    assert store.accounts.get_user("window3") is not None
    assert call(client, "ops", "disable_user", ["window3", "", "staff"])[0] == "complete"
    assert store.accounts.get_user("window3") is None
    assert call(client, "ops", "disable_user", ["boss", "", "admin"])[0] == "error"  # no self-lockout
    assert call(client, "ops", "purge_records", [])[0] == "complete"
    logged = actions(store)
    assert ("boss", "user-create") in logged and ("boss", "user-disable") in logged and ("boss", "records-purged") in logged

    staff = as_user(client, "clerk")
    for api, data in (("create_user", ["evil", "evil-password", "admin"]), ("save_config", []), ("purge_records", [])):
        response = staff.post(f"/admin/ops/gradio_api/call/{api}", json={"data": data})
        assert response.status_code == 403, api
    assert store.accounts.get_user("evil") is None


def test_zip_upload_rejects_damaged_or_oversized_archives(env: dict[str, Any]) -> None:
    client = as_user(env["client"], "clerk")
    event, message = call(client, "kb", "ingest", [[upload(client, "broken.zip", b"not a zip at all")]])
    assert event == "error" and "zip" in json.dumps(message, ensure_ascii=False)
    config = env["config"]
    limit = config.kb.max_file_mb
    config.kb.max_file_mb = 0.01  # 10 kB, so the test needs no large file
    try:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("huge.md", "第一条 " + "重复" * 5000)  # 30 kB unpacked, a few hundred bytes packed
        event, message = call(client, "kb", "ingest", [[upload(client, "big.zip", archive.getvalue())]])
    finally:
        config.kb.max_file_mb = limit
    assert event == "error" and "huge.md" in json.dumps(message, ensure_ascii=False)
