"""The FAQ editor tab: add/edit/delete question–answer pairs, import CSV/XLSX, export CSV/XLSX."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from core.errors import AdminError
from panel.context import PanelServices
from panel.ui_common import actor, user_errors

FAQ_COLUMNS = ["id", "问题", "答案", "来源"]


def build_faq_tab(services: PanelServices, base: str) -> tuple[Any, list[Any]]:
    """Build the tab inside the current Blocks; return (refresh function, its outputs) for other tabs to chain."""
    store = services.store
    assert store is not None  # mount_admin refuses to mount without one
    with gr.Tab("FAQ", id="faq"):
        faq_table = gr.Dataframe(label="FAQ 列表", interactive=False, wrap=True, elem_id="faq-table")
        faq_select = gr.Dropdown(
            label="选择要编辑的条目（留空则新增）", choices=[], elem_id="faq-select", allow_custom_value=True
        )
        question = gr.Textbox(label="问题", elem_id="faq-question")
        answer = gr.Textbox(label="答案", lines=4, elem_id="faq-answer")
        with gr.Row():
            save_button = gr.Button("保存", variant="primary", elem_id="faq-save")
            delete_button = gr.Button("删除所选", variant="stop")
        status = gr.Markdown(elem_id="faq-status")
        with gr.Row():
            import_file = gr.File(label="导入 CSV/XLSX（列：question, answer）", file_types=[".csv", ".xlsx"])
            import_button = gr.Button("导入")
        gr.HTML(
            f'导出：<a href="{base}/files/faq.csv" download>CSV</a> · '
            f'<a href="{base}/files/faq.xlsx" download>XLSX</a>'
        )

    def refresh() -> tuple[pd.DataFrame, Any]:
        entries = services.kb.list_faq()
        table = pd.DataFrame([[e.id, e.question, e.answer, e.source] for e in entries], columns=FAQ_COLUMNS)
        return table, gr.update(choices=[(f"{e.question}", e.id) for e in entries], value=None)

    def pick(faq_id: str | None) -> tuple[str, str]:
        for entry in services.kb.list_faq():
            if entry.id == faq_id:
                return entry.question, entry.answer
        return "", ""

    @user_errors
    def save(faq_id: str | None, question_text: str, answer_text: str, request: gr.Request) -> str:
        user = actor(request)
        if faq_id:
            entry = services.kb.update_faq(faq_id, question_text, answer_text)
            store.audit(user, "faq-edited", entry.id, entry.question)
            return f"已更新：{entry.question}"
        entry = services.kb.add_faq(question_text, answer_text, source="staff")
        store.audit(user, "faq-added", entry.id, entry.question)
        return f"已新增：{entry.question}"

    @user_errors
    def delete(faq_id: str | None, request: gr.Request) -> str:
        user = actor(request)
        if not faq_id:
            raise AdminError("no-faq", "请先选择要删除的条目")
        services.kb.delete_faq(faq_id)
        store.audit(user, "faq-deleted", faq_id)
        return f"已删除：{faq_id}"

    @user_errors
    def import_table(file: str | None, request: gr.Request) -> str:
        user = actor(request)
        if not file:
            raise AdminError("no-files", "请先选择 CSV 或 XLSX 文件")
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp) / Path(file).name
            shutil.copyfile(file, staged)
            count = services.kb.import_faq(staged)
        store.audit(user, "faq-imported", Path(file).name, f"{count} entries")
        return f"已导入 {count} 条 FAQ"

    outputs = [faq_table, faq_select]
    faq_select.change(pick, [faq_select], [question, answer])
    save_button.click(save, [faq_select, question, answer], [status], api_name="save_faq").then(refresh, None, outputs)
    delete_button.click(delete, [faq_select], [status], api_name="delete_faq").then(refresh, None, outputs)
    import_button.click(import_table, [import_file], [status], api_name="import_faq").then(refresh, None, outputs)
    return refresh, outputs
