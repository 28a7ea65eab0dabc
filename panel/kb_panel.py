"""Staff pages: documents (upload, status, chunks, replace/retire/delete/supersede), FAQ, hit test, unanswered queue."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from answering.answerability import threshold
from core.errors import AdminError, KioskError
from core.models import Answer, AnswerDone, DocumentStatus
from core.protocols import Answerer
from core.text_lines import split_list_items
from knowledge_base.archives import Unpacked, UnpackLimits, unpack_uploads
from knowledge_base.profiles import profile_for
from panel import kb_views
from panel.context import PanelServices
from panel.dashboard import mode_label
from panel.exports import format_time
from panel.faq_page import build_faq_tab
from panel.ui_common import actor, header, user_errors
from panel.unanswered import QuestionGroup, group_unanswered

log = logging.getLogger(__name__)

DOC_COLUMNS = ["编号", "标题", "状态", "切片数", "生效日期", "版本", "文件", "被取代于", "入库时间"]
STATUS_LABELS = {"active": "有效", "superseded": "已被取代", "retired": "已停用"}
ACTION_LABELS = {"retire": "停用", "activate": "恢复为有效", "delete": "删除", "supersede": "标记为取代旧版本"}


def _documents_table(kb: Any) -> pd.DataFrame:
    rows = [
        [d.doc_id, d.title, STATUS_LABELS.get(d.status.value, d.status.value), d.chunks, d.effective_date or "",
         d.version, d.source, d.superseded_by or "", d.ingested_at]
        for d in kb.list_documents()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=DOC_COLUMNS)


def _doc_choices(kb: Any) -> list[tuple[str, str]]:
    return [(f"{d.title}（{d.version}，{STATUS_LABELS.get(d.status.value, '')}）", d.doc_id) for d in kb.list_documents()]


def _unpack_uploads(files: list[str], upload_dir: Path, limits: UnpackLimits | None = None) -> Unpacked:
    return unpack_uploads(files, upload_dir, limits)  # streaming limits; rejected members never reach the disk


async def kiosk_answer(answerer: Answerer, question: str) -> Answer:
    """The answer the kiosk would give: the end of its answer stream."""
    final: Answer | None = None
    async for event in answerer.stream(question, ()):
        if isinstance(event, AnswerDone):
            final = event.answer
    if final is None:
        raise AdminError("no-answer", "the answerer finished without an answer")
    return final


def build_kb_blocks(services: PanelServices) -> gr.Blocks:
    base = services.config.admin.path.rstrip("/")
    store = services.store
    assert store is not None  # mount_admin refuses to mount without one
    upload_dir = services.config.paths.data_dir / "uploads"

    with gr.Blocks(title="知识库管理", fill_width=True) as blocks:
        header("知识库管理", base, (f"{base}/ops/", "运营管理（管理员）"))
        with gr.Tabs():
            with gr.Tab("文档", id="documents"):
                with gr.Row():
                    uploads = gr.File(label="上传文件或 zip（md/txt/pdf/docx/html，FAQ 表格 csv/xlsx）", file_count="multiple",
                                      elem_id="upload-files")
                    with gr.Column():
                        ingest_button = gr.Button("上传并入库", variant="primary", elem_id="ingest-button")
                        ingest_status = gr.Markdown(elem_id="ingest-status")
                documents = gr.Dataframe(label="文档列表", interactive=False, wrap=True, elem_id="documents-table")
                renames_view = gr.Markdown(elem_id="doc-renames")
                refresh_docs = gr.Button("刷新列表")
                with gr.Row():
                    selected_doc = gr.Dropdown(label="选择文档", choices=[], elem_id="doc-select", allow_custom_value=True)
                    older_doc = gr.Dropdown(label="被它取代的旧版本", choices=[], allow_custom_value=True)
                with gr.Row():
                    retire_button = gr.Button("停用", elem_id="doc-retire")
                    activate_button = gr.Button("恢复为有效")
                    supersede_button = gr.Button("标记为取代旧版本")
                    delete_button = gr.Button("删除", variant="stop")
                with gr.Row():
                    replacement = gr.File(label="用新文件替换所选文档", file_count="single")
                    replace_button = gr.Button("替换")
                doc_action_status = gr.Markdown(elem_id="doc-action-status")
                chunks = gr.Dataframe(label="切片预览", interactive=False, wrap=True)

            faq_refresh = build_faq_tab(services, base)

            with gr.Tab("命中测试", id="hit-test"):
                question = gr.Textbox(label="输入问题", placeholder="例如：居住证要带什么材料", elem_id="hit-question")
                hit_button = gr.Button("测试", variant="primary", elem_id="hit-button")
                answer_view = gr.Markdown(elem_id="hit-answer")
                hits_table = gr.HTML(elem_id="hit-table")

            with gr.Tab("未解答问题", id="unanswered"):
                gr.Markdown("被拒答、只答了一部分（列出未答的那部分）或被评为“没帮助”的问题，按相似度分组。选一组，写好答案，一步转为 FAQ。")
                refresh_queue = gr.Button("刷新")
                groups_table = gr.Dataframe(label="问题分组", interactive=False, wrap=True, elem_id="queue-table")
                group_choice = gr.Dropdown(label="选择分组", choices=[], elem_id="queue-select", allow_custom_value=True)
                faq_question = gr.Textbox(label="FAQ 问题", elem_id="queue-question")
                faq_answer = gr.Textbox(label="FAQ 答案", lines=4, elem_id="queue-answer")
                to_faq_button = gr.Button("转为 FAQ", variant="primary", elem_id="queue-to-faq")
                queue_status = gr.Markdown(elem_id="queue-status")

        # ------------------------------------------------------------ documents

        def refresh_documents() -> tuple[pd.DataFrame, Any, Any, str]:
            choices = _doc_choices(services.kb)
            try:
                renames = kb_views.renames_text(services.kb.renames())
            except KioskError as exc:
                renames = f"新旧版本暂时无法比对：{exc.message}"
            except Exception:  # noqa: BLE001 - the document list must show even when the comparison fails
                log.exception("document versions not compared for the panel")
                renames = "新旧版本暂时无法比对，详见日志"
            return _documents_table(services.kb), gr.update(choices=choices), gr.update(choices=choices), renames

        @user_errors
        def ingest(files: list[str] | None, request: gr.Request, progress: gr.Progress = gr.Progress()) -> str:
            user = actor(request)
            if not files:
                raise AdminError("no-files", "请先选择要上传的文件")
            progress(0.0, desc="解压与复制文件")
            unpacked = _unpack_uploads(files, upload_dir, UnpackLimits.from_config(services.config.kb))
            if not unpacked.paths:
                raise AdminError(unpacked.failures[0].error_code or "bad-upload", "；".join(f.message for f in unpacked.failures))

            def report(p: Any) -> None:
                fraction = (p.file_index + (p.chunks_done / p.chunks_total if p.chunks_total else 1)) / max(p.files_total, 1)
                progress(fraction, desc=f"{p.file}：{p.chunks_done}/{p.chunks_total} 段")

            results = unpacked.failures + services.kb.ingest(unpacked.paths, progress=report)
            for result in results:
                if result.status.value in ("added", "replaced", "faq"):
                    name = Path(result.path).name
                    store.audit(user, f"document-{result.status.value}", name, f"{result.doc_id or ''} chunks={result.chunks}")
            return kb_views.ingest_report(results)

        @user_errors
        def show_chunks(doc_id: str | None) -> pd.DataFrame:
            if not doc_id:
                return pd.DataFrame(columns=["#", "条款", "章节", "内容"])
            rows = [[c.index, c.article or "", c.chapter or "", c.text] for c in services.kb.document_chunks(doc_id)]
            return pd.DataFrame(rows, columns=["#", "条款", "章节", "内容"])

        def doc_action(action: str) -> Any:
            @user_errors
            def run(doc_id: str | None, older: str | None, request: gr.Request) -> str:
                user = actor(request)
                if not doc_id:
                    raise AdminError("no-document", "请先选择文档")
                kb = services.kb
                if action == "retire":
                    doc = kb.set_status(doc_id, DocumentStatus.RETIRED)
                elif action == "activate":
                    doc = kb.set_status(doc_id, DocumentStatus.ACTIVE)
                elif action == "delete":
                    doc = kb.remove(doc_id)
                else:
                    if not older:
                        raise AdminError("no-document", "请选择被取代的旧版本")
                    doc = kb.supersede(doc_id, older)
                store.audit(user, f"document-{action}", doc.source, f"{doc.doc_id} {older or ''}".strip())
                return f"已完成：{ACTION_LABELS[action]} · {doc.title}（{doc.source}）"

            return run

        @user_errors
        def replace(doc_id: str | None, file: str | None, request: gr.Request) -> str:
            user = actor(request)
            if not doc_id or not file:
                raise AdminError("no-document", "请选择文档并上传替换文件")
            old = services.kb.get_document(doc_id)
            with tempfile.TemporaryDirectory() as tmp:
                staged = Path(tmp) / old.source  # same name: the knowledge base replaces the old chunks
                shutil.copyfile(file, staged)
                upload_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staged, upload_dir / old.source)
                result = services.kb.ingest([upload_dir / old.source])[0]
            if result.status.value == "failed":
                raise AdminError("replace-failed", result.message)
            store.audit(user, "document-replaced", old.source, f"{old.doc_id} {result.status.value} chunks={result.chunks}")
            return f"已替换：{old.title}（{kb_views.ingest_line(result).split('：', 1)[1]}）"

        doc_outputs = [documents, selected_doc, older_doc, renames_view]
        ingest_button.click(ingest, [uploads], [ingest_status], api_name="ingest").then(
            refresh_documents, None, doc_outputs
        )
        for event in (refresh_docs.click, blocks.load):
            event(refresh_documents, None, doc_outputs)
        blocks.load(faq_refresh[0], None, faq_refresh[1])
        selected_doc.change(show_chunks, [selected_doc], [chunks])
        for button, action in ((retire_button, "retire"), (activate_button, "activate"),
                               (delete_button, "delete"), (supersede_button, "supersede")):  # fmt: skip
            button.click(doc_action(action), [selected_doc, older_doc], [doc_action_status], api_name=f"{action}_document").then(
                refresh_documents, None, doc_outputs
            )
        replace_button.click(replace, [selected_doc, replacement], [doc_action_status], api_name="replace_document").then(
            refresh_documents, None, doc_outputs
        )

        # ------------------------------------------------------------ hit test

        @user_errors
        async def hit_test(text: str) -> tuple[str, str]:
            text = text.strip()
            if not text:
                raise AdminError("no-question", "请输入问题")
            hits = await asyncio.to_thread(services.kb.search, text, services.config.retrieval.k)
            table = kb_views.hits_html(hits)
            answer = await kiosk_answer(services.answerer, text)
            cited = "；".join(c.label() for c in answer.citations) or "无"
            gate = threshold(services.config.answering, profile_for(services.config))
            score = "—" if answer.answerability is None else f"{answer.answerability:.2f}"
            screen = answer.answer[len(answer.spoken) :].strip()
            quoted = "\n>\n".join(f"> {line}" for line in split_list_items(screen))
            summary = (
                f"**数字人会说**（{mode_label(answer.mode.value, answer.refused)}）：\n\n> {answer.spoken}\n\n"
                + (f"**屏幕显示的条文**：\n\n{quoted}\n\n" if screen else "")
                + f"引用：{cited}　·　可答分 {score}（阈值 {gate}）"
            )
            return summary, table

        hit_button.click(hit_test, [question], [answer_view, hits_table], api_name="hit_test")
        question.submit(hit_test, [question], [answer_view, hits_table])

        # ------------------------------------------------------------ unanswered queue

        def load_queue() -> tuple[pd.DataFrame, Any]:
            groups = group_unanswered(store.turn_log.unanswered())
            rows = [
                [i + 1, g.count, g.question, "；".join(g.questions[1:4]), g.refused, g.thumbs_down, format_time(g.last_at)]
                for i, g in enumerate(groups)
            ]
            table = pd.DataFrame(rows, columns=["#", "次数", "问题", "相似问法", "未答", "没帮助", "最近"])
            # A group is named by its newest turn, so a queue that changed since the page loaded cannot shift it.
            choices = [(f"{i + 1}. {g.question}（{g.count} 次）", g.turn_ids[0]) for i, g in enumerate(groups)]
            return table, gr.update(choices=choices, value=None)

        def group_of(turn_id: str | None) -> QuestionGroup | None:
            if not turn_id:
                return None
            return next((g for g in group_unanswered(store.turn_log.unanswered()) if turn_id in g.turn_ids), None)

        def pick_group(turn_id: str | None) -> str:
            group = group_of(turn_id)
            return group.question if group else ""

        @user_errors
        def to_faq(turn_id: str | None, question_text: str, answer_text: str, request: gr.Request) -> str:
            user = actor(request)
            group = group_of(turn_id)
            if group is None:
                raise AdminError("no-group", "请先选择一个问题分组（或该组已处理）")
            if not question_text.strip() or not answer_text.strip():
                raise AdminError("faq-empty", "请填写 FAQ 的问题和答案")
            entry = services.kb.add_faq(question_text, answer_text, source="staff")
            resolved = store.turn_log.mark_resolved(group.turn_ids, entry.id)
            store.audit(user, "faq-added", entry.id, f"from unanswered queue ({resolved} turns): {entry.question}")
            return f"已加入 FAQ：{entry.question}（{entry.id}），关联 {resolved} 条记录。"

        queue_outputs = [groups_table, group_choice]
        refresh_queue.click(load_queue, None, queue_outputs)
        blocks.load(load_queue, None, queue_outputs)
        group_choice.change(pick_group, [group_choice], [faq_question])
        to_faq_button.click(
            to_faq, [group_choice, faq_question, faq_answer], [queue_status], api_name="queue_to_faq"
        ).then(load_queue, None, queue_outputs).then(faq_refresh[0], None, faq_refresh[1])

    return blocks
