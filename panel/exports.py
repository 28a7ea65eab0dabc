"""CSV/XLSX files the panel offers for download."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from core.models import FaqEntry
from core.privacy import mask_personal_data

FAQ_COLUMNS = ["id", "question", "answer", "source"]
TURN_COLUMNS = ["time", "turn_id", "session_id", "question", "answer", "mode", "refused", "helpful", "citations", "timings"]


def _csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def faq_csv(entries: Iterable[FaqEntry]) -> bytes:
    return _csv_bytes(FAQ_COLUMNS, ([e.id, e.question, e.answer, e.source] for e in entries))


def faq_xlsx(entries: Iterable[FaqEntry]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "FAQ"
    sheet.append(FAQ_COLUMNS)
    for entry in entries:
        sheet.append([entry.id, entry.question, entry.answer, entry.source])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def format_time(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def turns_csv(turns: Iterable[dict[str, Any]]) -> bytes:
    rows = (
        [
            format_time(t["created_at"]),
            t["turn_id"],
            t["session_id"],
            mask_personal_data(t["question"]),
            mask_personal_data(t["answer"]),
            t["mode"],
            int(t["refused"]),
            "" if t["helpful"] is None else int(t["helpful"]),
            "；".join(f"《{c.get('title', '')}》{c.get('article') or ''}" for c in t["citations"]),
            json.dumps(t["timings"]),
        ]
        for t in turns
    )
    return _csv_bytes(TURN_COLUMNS, rows)


def audit_csv(entries: Iterable[dict[str, Any]]) -> bytes:
    rows = ([format_time(e["at"]), e["actor"], e["action"], e["target"], e["detail"]] for e in entries)
    return _csv_bytes(["time", "actor", "action", "target", "detail"], rows)
