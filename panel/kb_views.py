"""How the staff pages word ingest results and show retrieved passages (pure functions, Chinese throughout)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from core.models import Hit, IngestResult, IngestStatus
from core.text_lines import split_list_items, strip_heading
from knowledge_base.renames import Rename

_FAILURES = {
    "empty": "文件里没有可读的文字",
    "encrypted": "PDF 已加密，请先解除密码",
    "scanned": "扫描版 PDF 没有文字层，请先做文字识别",
    "damaged": "文件已损坏，无法读取",
    "unsupported": "不支持这种文件类型",
    "too-large": "文件太大，请拆分后上传",
    "file-too-large": "文件太大，请拆分后上传",
    "bad-encoding": "无法识别文字编码，请另存为 UTF-8 后上传",
}


def ingest_line(result: IngestResult) -> str:
    """One Markdown line per file, in Chinese, saying each fact once: 居住证暂行条例.md：已入库，共 8 段."""
    name = Path(result.path).name
    status = result.status
    if status is IngestStatus.ADDED:
        text = f"已入库，共 {result.chunks} 段"
    elif status is IngestStatus.REPLACED:
        text = f"已用新内容替换，共 {result.chunks} 段"
    elif status is IngestStatus.UNCHANGED:
        text = "内容没有变化，无需重新入库"
    elif status is IngestStatus.DUPLICATE:
        text = "与已入库的另一文件内容相同，未重复添加"
    elif status is IngestStatus.FAQ:
        text = f"已导入 {result.chunks} 条 FAQ"
    else:
        reason = _FAILURES.get(result.error_code or "")
        if reason is None:  # the loader's own words, without the file name repeated
            reason = result.message.removeprefix(f"{name}:").removeprefix(f"{name}：").strip() or "未知原因"
        text = f"**入库失败**：{reason}"
    if "supersedes" in result.message:
        text += "，已取代同名文件的旧版本"
    if "newer version exists" in result.message:
        text += "；已有更新的版本生效，本文件标为已被取代"
    return f"- {name}：{text}"


def ingest_report(results: Sequence[IngestResult]) -> str:
    ok = sum(1 for r in results if r.status is not IngestStatus.FAILED)
    head = f"入库结果：{len(results)} 个文件，成功 {ok} 个" + (f"，失败 {len(results) - ok} 个" if ok < len(results) else "")
    return head + "\n\n" + "\n".join(ingest_line(r) for r in results)


def passage_html(text: str, heading: str | None) -> str:
    """A passage as staff read it: its heading (shown in its own column) not repeated, list items on their own lines."""
    lines = split_list_items(strip_heading(text, heading))
    return "".join(f'<div class="passage-line">{escape(line)}</div>' for line in lines)


def hits_html(hits: Sequence[Hit]) -> str:
    if not hits:
        return '<div class="hit-empty">没有检索到段落</div>'
    head = "".join(f"<th>{h}</th>" for h in ("得分", "文件", "条款/章节", "生效日期", "向量", "词法", "段落"))
    rows = []
    for h in hits:
        scores = [f"{h.score:.3f}", "" if h.vector_score is None else f"{h.vector_score:.3f}",
                  "" if h.lexical_score is None else f"{h.lexical_score:.3f}"]  # fmt: skip
        rows.append(
            f"<tr><td>{scores[0]}</td><td>{escape(h.title)}</td><td>{escape(h.article or '')}</td>"
            f"<td>{escape(h.effective_date or '')}</td><td>{scores[1]}</td><td>{scores[2]}</td>"
            f'<td class="passage">{passage_html(h.text, h.article)}</td></tr>'
        )
    return f'<table class="hit-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def renames_text(renames: Sequence[Rename]) -> str:
    """The names the version in force changed, under the document list: staff see what the kiosk will say."""
    if not renames:
        return ""
    lines = ["**新旧版本改名**（市民用旧称提问时，按现行名称检索，并告诉市民名称已改）："]
    lines += [f"- 《{r.title}》{r.old_version or '旧版'} → {r.new_version or '现行版'}：“{r.old}” 现称 “{r.new}”" for r in renames]
    return "\n".join(lines)

