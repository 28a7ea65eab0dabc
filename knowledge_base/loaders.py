"""Read policy documents (PDF, DOCX, TXT, Markdown, HTML) and FAQ tables (CSV, XLSX) into plain structures.

Every failure becomes an IngestError that names the file and says what to do about it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import IngestError
from core.models import FaqEntry
from core.safe_text import printable
from knowledge_base.archives import UnpackLimits, check_office_package
from knowledge_base.dates import DATE_IN_NAME as _DATE_IN_NAME
from knowledge_base.dates import date_in_name, effective_date_in_text

DOCUMENT_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm"}
FAQ_SUFFIXES = {".csv", ".xlsx"}
SUPPORTED_SUFFIXES = DOCUMENT_SUFFIXES | FAQ_SUFFIXES

_FAQ_Q_HEADERS = ("question", "问题", "问", "提问", "q")
_FAQ_A_HEADERS = ("answer", "答案", "回答", "答", "解答", "a")
# Control characters that never occur in a text document (tab, newlines and form feed are allowed).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TEXT_SAMPLE = 1_000_000  # characters inspected for control characters


@dataclass
class Block:
    """A run of text; `heading` is set for section headings (level 1 = top)."""

    text: str
    heading_level: int = 0


@dataclass
class LoadedDocument:
    path: Path
    title: str
    blocks: list[Block]
    effective_date: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def _fail(path: Path, code: str, reason: str) -> IngestError:
    return IngestError(code, f"{printable(path.name)}: {reason}", path=str(path))


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark (Windows Notepad)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_TEXT_SAMPLE]).best()
    if best is None or best.encoding is None:
        raise _fail(path, "bad-encoding", "text encoding not recognised; save it as UTF-8 and upload again")
    return data.decode(best.encoding, errors="replace")


def check_is_text(text: str, path: Path) -> None:
    """Refuse binary content (NUL bytes, or more than 1% control characters) posing as text."""
    sample = text[:_TEXT_SAMPLE]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in text or controls > max(8, len(sample) // 100):
        raise _fail(
            path, "not-text", f"content is binary, not text ({controls} control characters in the first {len(sample)}); "
            "upload the document itself (PDF, DOCX, TXT, Markdown or HTML)"
        )  # fmt: skip


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 first, then GB18030 (a superset of GBK/GB2312, common for Chinese government files); binary is refused."""
    text = _decode(data, path)
    check_is_text(text, path)
    return text


def _title_from_name(path: Path) -> str:
    return _DATE_IN_NAME.sub("", path.stem).strip() or path.stem


def _markdown_blocks(text: str) -> tuple[str | None, list[Block]]:
    title = None
    blocks = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("<!--"):
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            level = len(m.group(1))
            if level == 1 and title is None:
                title = m.group(2).strip()
                continue
            blocks.append(Block(m.group(2).strip(), heading_level=level))
        else:
            blocks.append(Block(line))
    return title, blocks


def _plain_blocks(text: str) -> list[Block]:
    return [Block(line.strip()) for line in text.splitlines() if line.strip()]


def _load_pdf(path: Path) -> tuple[str | None, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # pypdf raises assorted errors for unsupported crypto
                opened = 0
            if not opened:
                raise _fail(path, "pdf-encrypted", "PDF is password-protected; upload an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except LimitReachedError:
        raise _fail(path, "pdf-too-large", "a stream in the PDF unpacks past pypdf's safety limit (a decompression "
                    "bomb?); re-export the PDF from its source") from None  # fmt: skip
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise _fail(path, "pdf-corrupt", f"PDF is damaged or not a PDF ({type(exc).__name__}); re-export it") from None
    if not any(p.strip() for p in pages):
        raise _fail(
            path,
            "pdf-no-text",
            f"PDF has {len(pages)} page(s) but no text layer (a scan?); run OCR on it or upload the original document",
        )
    meta_title = None
    try:
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except Exception:
        meta_title = None
    return meta_title, _plain_blocks("\n".join(pages))


def _load_docx(path: Path, limits: UnpackLimits) -> tuple[str | None, list[Block]]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_office_package(path, limits, "docx")
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, SyntaxError) as exc:
        raise _fail(path, "docx-corrupt", f"DOCX is damaged or not a Word file ({type(exc).__name__})") from None
    blocks: list[Block] = []
    title = (document.core_properties.title or "").strip() or None
    # Walk the body in order so tables stay where they were in the text.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            m = re.match(r"(?:Heading|标题)\s*(\d)", style)
            if style == "Title" and title is None:
                title = text
            elif m:
                blocks.append(Block(text, heading_level=int(m.group(1))))
            else:
                blocks.append(Block(text))
        elif tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    value = cell.text.strip().replace("\n", " ")
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                rows.append(" | ".join(cells))
            if rows:
                blocks.append(Block("\n".join(rows)))
    return title, blocks


def _load_html(path: Path, text: str) -> tuple[str | None, list[Block]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    blocks: list[Block] = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre"]):
        if el.name in ("p", "li") and el.find_parent(["li", "tr"]) is not None:
            continue
        if el.name == "tr":
            content = " | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
        else:
            content = el.get_text(" ", strip=True)
        if not content:
            continue
        if el.name[0] == "h":
            level = int(el.name[1])
            if level == 1 and title is None:
                title = content
                continue
            blocks.append(Block(content, heading_level=level))
        else:
            blocks.append(Block(content))
    if not blocks:
        blocks = _plain_blocks(soup.get_text("\n"))
    return title, blocks


def check_file(path: Path, max_file_mb: float) -> None:
    if not path.exists():
        raise _fail(path, "not-found", "file not found")
    if not path.is_file():
        raise _fail(path, "not-a-file", "not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise _fail(path, "unsupported-type", f"file type '{suffix or '(none)'}' is not supported; use one of {supported}")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "empty", "file is empty")
    if size > max_file_mb * 1024 * 1024:
        raise _fail(
            path,
            "too-large",
            f"file is {size / 1024 / 1024:.0f} MB, over the {max_file_mb:.0f} MB limit (kb.max_file_mb); split it",
        )


def _check_length(path: Path, chars: int, max_chars: int | None) -> None:
    if max_chars is not None and chars > max_chars:
        raise _fail(
            path, "too-many-passages", f"{chars:,} characters of text would make more passages than the "
            f"limit allows (kb.max_passages_per_document); split the document",
        )  # fmt: skip


def load_document(
    path: Path, max_file_mb: float = 50.0, limits: UnpackLimits | None = None, max_chars: int | None = None
) -> LoadedDocument:
    """Read one document; `max_chars` refuses text too long for the passage limit before it is split."""
    check_file(path, max_file_mb)
    limits = limits or UnpackLimits()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        title, blocks = _load_pdf(path)
    elif suffix == ".docx":
        title, blocks = _load_docx(path, limits)
    else:
        text = decode_text(path.read_bytes(), path)
        _check_length(path, len(text), max_chars)
        if suffix in (".md", ".markdown"):
            title, blocks = _markdown_blocks(text)
        elif suffix in (".html", ".htm"):
            title, blocks = _load_html(path, text)
        else:
            title, blocks = None, _plain_blocks(text)
    if not any(b.text.strip() for b in blocks):
        raise _fail(path, "empty", "no readable text in the file")
    if suffix in (".pdf", ".docx"):
        _check_length(path, sum(len(b.text) for b in blocks), max_chars)
        check_is_text("\n".join(b.text for b in blocks[:2000]), path)
    # the name's date first; else the body's own 施行/生效日期 or 自…起施行 (often in the last article)
    effective = date_in_name(path.name) or effective_date_in_text("\n".join(b.text for b in blocks))
    return LoadedDocument(path=path, title=(title or _title_from_name(path)).strip(), blocks=blocks, effective_date=effective)


# ---------------------------------------------------------------- FAQ tables


def _rows_from_csv(path: Path) -> list[list[str]]:
    text = decode_text(path.read_bytes(), path)
    return [row for row in csv.reader(io.StringIO(text))]


def _rows_from_xlsx(path: Path, limits: UnpackLimits) -> list[list[str]]:
    from openpyxl import load_workbook

    check_office_package(path, limits, "xlsx")
    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise _fail(path, "xlsx-corrupt", "XLSX has no worksheet")
            rows = [["" if v is None else str(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and lxml raise many types for a damaged workbook
        raise _fail(path, "xlsx-corrupt", f"XLSX is damaged or not an Excel file ({type(exc).__name__})") from None
    return rows


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def load_faq(path: Path, max_file_mb: float = 50.0, limits: UnpackLimits | None = None) -> list[FaqEntry]:
    """FAQ pairs from a table whose header names a question and an answer column (问题/答案 or question/answer)."""
    check_file(path, max_file_mb)
    limits = limits or UnpackLimits()
    rows = _rows_from_xlsx(path, limits) if path.suffix.lower() == ".xlsx" else _rows_from_csv(path)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise _fail(path, "empty", "FAQ table has no rows")
    q_col, a_col = _column(rows[0], _FAQ_Q_HEADERS), _column(rows[0], _FAQ_A_HEADERS)
    if q_col is None or a_col is None:
        raise _fail(path, "faq-header", "FAQ table needs a header row with 问题 and 答案 (or question and answer) columns")
    entries = []
    for n, row in enumerate(rows[1:], start=2):
        question = row[q_col].strip() if q_col < len(row) else ""
        answer = row[a_col].strip() if a_col < len(row) else ""
        if question and answer:
            entries.append(FaqEntry(id=f"{path.name}#{n}", question=question, answer=answer, source=path.name))
    if not entries:
        raise _fail(path, "empty", "FAQ table has a header but no complete question/answer rows")
    return entries
