"""How the staff pages word ingest results and show passages."""

from __future__ import annotations

from core.models import Hit, IngestResult, IngestStatus
from knowledge_base.renames import Rename
from panel.kb_views import hits_html, ingest_line, ingest_report, passage_html, renames_text


def test_upload_message_is_chinese_and_says_each_fact_once() -> None:
    added = IngestResult("/up/办事指南.docx", IngestStatus.ADDED, "doc-1", 8, "办事指南.docx: 8 passages")
    line = ingest_line(added)
    assert line == "- 办事指南.docx：已入库，共 8 段"
    assert line.count("办事指南.docx") == 1 and "passages" not in line and "added" not in line
    failed = IngestResult("/up/扫描件.pdf", IngestStatus.FAILED, message="扫描件.pdf: no text layer", error_code="scanned")
    assert "扫描版" in ingest_line(failed) and "no text" not in ingest_line(failed)
    newer = IngestResult("/up/条例.md", IngestStatus.ADDED, "d", 3, "条例.md: 3 passages; supersedes 1 older version(s)")
    assert ingest_line(newer).endswith("已取代同名文件的旧版本")
    assert ingest_report([added, failed]).startswith("入库结果：2 个文件，成功 1 个，失败 1 个")


def test_hit_passages_show_their_heading_once_and_items_on_lines() -> None:
    html = passage_html("五、收费标准\n五、收费标准：不收费。", "五、收费标准")
    assert html.count("五、收费标准") == 0 and "不收费" in html  # the heading is in its own column
    lines = passage_html("二、申请材料\n1.本人身份证；2.近期相片；3.居住证明。", "二、申请材料").count("passage-line")
    assert lines == 3
    table = hits_html([Hit("第九条 申领居住证……", 0.8, "a.md", "居住证暂行条例", "第九条", "d", "2016-01-01")])
    assert "<th>条款/章节</th>" in table and table.count("第九条") == 1


def test_renamed_terms_are_listed_for_staff_and_nothing_when_there_are_none() -> None:
    rename = Rename("低收入困难家庭", "最低生活保障边缘家庭", "上海市社会救助条例", "2018-11-22", "2024-12-31")
    text = renames_text([rename])
    assert "《上海市社会救助条例》2018-11-22 → 2024-12-31：“低收入困难家庭” 现称 “最低生活保障边缘家庭”" in text
    assert renames_text([]) == ""
