"""Loaders: every supported format reads, and every kind of bad input gets a named, actionable error."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import IngestError
from knowledge_base.loaders import decode_text, load_document, load_faq


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_markdown_title_date_and_articles(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path / "居住证暂行条例(2015-11-26).md", "# 居住证暂行条例\n\n第一条 为了……\n\n第二条 公民……\n"))
    assert doc.title == "居住证暂行条例"
    assert doc.effective_date == "2015-11-26"
    assert [b.text[:3] for b in doc.blocks] == ["第一条", "第二条"]


def test_gbk_text_is_decoded(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path / "办事指南.txt", "办理居住证须知\n第一条 携带身份证。", encoding="gbk"))
    assert "携带身份证" in doc.text
    assert doc.title == "办事指南"


def test_effective_date_from_text(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path / "rule.md", "# 某办法\n\n本办法自2024年3月1日起施行。\n"))
    assert doc.effective_date == "2024-03-01"


def test_effective_date_written_in_the_body_is_used_when_the_name_has_none(tmp_path: Path) -> None:
    from knowledge_base.dates import effective_date_in_text

    assert effective_date_in_text("施行日期：2021年3月1日") == "2021-03-01"
    assert effective_date_in_text("生效日期: 2022-07-15\n发布日期：2022-06-01") == "2022-07-15"
    assert effective_date_in_text("本规定自二〇一九年十月一日起施行。") == "2019-10-01"
    assert effective_date_in_text("2023年5月4日发布。本办法自发布之日起施行。") is None
    articles = "".join(f"第{n}条 内容{n}。\n\n" for n in range(1, 60))  # the date in the last article still counts
    doc = load_document(_write(tmp_path / "guide.md", f"# 某条例\n\n{articles}第六十条 本条例自2016年1月1日起施行。\n"))
    assert doc.effective_date == "2016-01-01"
    named = load_document(_write(tmp_path / "某条例(2015-11-26).md", "# 某条例\n\n本条例自2016年1月1日起施行。\n"))
    assert named.effective_date == "2015-11-26"  # the file name's date wins


def test_html_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    html = (
        "<html><head><title>社保卡办理指南</title><script>var x=1;</script></head><body>"
        "<h2>办理材料</h2><p>本人身份证原件。</p><table><tr><th>事项</th><th>时限</th></tr>"
        "<tr><td>制卡</td><td>10个工作日</td></tr></table></body></html>"
    )
    doc = load_document(_write(tmp_path / "guide.html", html))
    assert doc.title == "社保卡办理指南"
    assert any(b.heading_level == 2 and b.text == "办理材料" for b in doc.blocks)
    assert "制卡 | 10个工作日" in doc.text
    assert "var x" not in doc.text


def test_docx_keeps_tables_in_order(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("公积金提取指南", level=1)
    d.add_paragraph("提取条件如下：")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "情形", "材料"
    table.cell(1, 0).text, table.cell(1, 1).text = "购房", "购房合同"
    d.add_paragraph("表后说明。")
    path = tmp_path / "guide.docx"
    d.save(str(path))
    doc = load_document(path)
    text = doc.text
    assert text.index("提取条件") < text.index("购房 | 购房合同") < text.index("表后说明")


def _pdf_with_text(path: Path, text: str) -> Path:
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    doc = load_document(_pdf_with_text(tmp_path / "notice.pdf", "Service hours 9:00-17:00"))
    assert "Service hours" in doc.text


def _blank_pdf(path: Path, password: str | None = None) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("scan.pdf", lambda p: _blank_pdf(p), "pdf-no-text"),
        ("locked.pdf", lambda p: _blank_pdf(p, "secret"), "pdf-encrypted"),
        ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4 garbage \x00\x01") and p, "pdf-corrupt"),
        ("broken.docx", lambda p: p.write_bytes(b"not a zip") and p, "docx-corrupt"),
        ("empty.md", lambda p: p.write_bytes(b"") and p, "empty"),
        ("blank.txt", lambda p: p.write_bytes(b"\n \n\t\n") and p, "empty"),
        ("tool.exe", lambda p: p.write_bytes(b"MZ") and p, "unsupported-type"),
    ],
)
def test_bad_input_is_named_with_a_reason(tmp_path: Path, name: str, make, code: str) -> None:  # noqa: ANN001
    path = tmp_path / name
    make(path)
    with pytest.raises(IngestError) as err:
        load_document(path)
    assert err.value.code == code
    assert name in err.value.message


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing it
    with pytest.raises(IngestError) as err:
        load_document(path, max_file_mb=50)
    assert err.value.code == "too-large"
    assert "200 MB" in err.value.message


def test_decode_falls_back_to_gb18030() -> None:
    assert decode_text("社会救助".encode("gb18030"), Path("x.txt")) == "社会救助"


def test_faq_from_csv_and_xlsx(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "faq.csv", "问题,答案\n大厅几点开门,工作日9:00-17:00\n,缺问题的行被跳过\n")
    entries = load_faq(csv_path)
    assert [(e.question, e.answer) for e in entries] == [("大厅几点开门", "工作日9:00-17:00")]

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["question", "answer"])
    wb.active.append(["停车场在哪", "大厅东侧地下一层"])
    xlsx = tmp_path / "faq.xlsx"
    wb.save(str(xlsx))
    assert load_faq(xlsx)[0].answer == "大厅东侧地下一层"


def test_faq_without_header_is_explained(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        load_faq(_write(tmp_path / "faq.csv", "a,b\nc,d\n"))
    assert err.value.code == "faq-header"
