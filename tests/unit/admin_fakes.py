"""Fakes for the admin panel's unit tests: an in-memory knowledge base, an FAQ-or-refuse answerer, services."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from core.config import KioskConfig
from core.errors import KnowledgeBaseError
from core.models import (
    Answer,
    AnswerDone,
    AnswerEvent,
    AnswerMode,
    ChatMessage,
    ChunkInfo,
    Citation,
    DocumentInfo,
    DocumentStatus,
    EngineHealth,
    EngineStatus,
    FaqEntry,
    FaqMatch,
    Hit,
    IngestResult,
    IngestStatus,
)
from panel.store import Store


class FakeKnowledgeBase:
    def __init__(self) -> None:
        self.docs: dict[str, DocumentInfo] = {}
        self.texts: dict[str, str] = {}
        self.faq: dict[str, FaqEntry] = {}
        self.version = 0

    def ingest(self, paths: list[Path], progress: Any = None) -> list[IngestResult]:
        results = []
        for path in map(Path, paths):
            text = path.read_text(encoding="utf-8")
            doc_id = "doc-" + hashlib.sha1(path.name.encode()).hexdigest()[:8]
            status = IngestStatus.REPLACED if doc_id in self.docs else IngestStatus.ADDED
            self.docs[doc_id] = DocumentInfo(doc_id, path.name, path.stem, DocumentStatus.ACTIVE, 1, "2020-01-01",
                                             "2020-01-01", None, "now", hashlib.sha256(text.encode()).hexdigest())  # fmt: skip
            self.texts[doc_id] = text
            self.version += 1
            results.append(IngestResult(str(path), status, doc_id, 1))
        return results

    def list_documents(self) -> list[DocumentInfo]:
        return list(self.docs.values())

    def get_document(self, ref: str) -> DocumentInfo:
        if ref not in self.docs:
            raise KnowledgeBaseError("document-not-found", ref)
        return self.docs[ref]

    def document_chunks(self, doc_id: str) -> list[ChunkInfo]:
        return [ChunkInfo(doc_id + ":0", doc_id, 0, self.texts[doc_id], "第一条", None)]

    def remove(self, ref: str) -> DocumentInfo:
        return self.docs.pop(ref)

    def set_status(self, ref: str, status: DocumentStatus) -> DocumentInfo:
        from dataclasses import replace

        self.docs[ref] = replace(self.docs[ref], status=status)
        return self.docs[ref]

    def supersede(self, newer: str, older: str) -> DocumentInfo:
        from dataclasses import replace

        self.docs[older] = replace(self.docs[older], status=DocumentStatus.SUPERSEDED, superseded_by=newer)
        return self.docs[older]

    def renames(self) -> list:
        return []

    def closeness(self, query: str, statements: Sequence[str]) -> list[float] | None:
        return None

    def search(self, query: str, k: int | None = 5) -> list[Hit]:
        hits = [
            Hit(text, 0.9 if any(ch in text for ch in query) else 0.1, d.source, d.title, "第一条", d.doc_id, None)
            for d in self.docs.values()
            for text in [self.texts[d.doc_id]]
        ]
        return sorted(hits, key=lambda h: -h.score)[: k or 5]

    def match_faq(self, question: str) -> FaqMatch | None:
        for entry in self.faq.values():
            if entry.question == question:
                return FaqMatch(entry, 1.0)
        return None

    def list_faq(self) -> list[FaqEntry]:
        return list(self.faq.values())

    def add_faq(self, question: str, answer: str, source: str = "staff") -> FaqEntry:
        if not question.strip() or not answer.strip():
            raise KnowledgeBaseError("faq-empty", "an FAQ entry needs both a question and an answer")
        entry = FaqEntry("faq-" + hashlib.sha1(question.encode()).hexdigest()[:10], question.strip(), answer.strip(), source)
        self.faq[entry.id] = entry
        return entry

    def update_faq(self, faq_id: str, question: str, answer: str) -> FaqEntry:
        self.faq[faq_id] = FaqEntry(faq_id, question, answer, self.faq[faq_id].source)
        return self.faq[faq_id]

    def delete_faq(self, faq_id: str) -> None:
        del self.faq[faq_id]

    def import_faq(self, path: Path | str) -> int:
        import csv

        with Path(path).open(encoding="utf-8-sig") as fh:
            rows = [row for row in csv.DictReader(fh) if row.get("question") and row.get("answer")]
        for row in rows:
            self.add_faq(row["question"], row["answer"], source="import")
        return len(rows)


class FaqOrRefuseAnswerer:
    """Answers from the FAQ when a question matches exactly, else refuses."""

    def __init__(self, kb: FakeKnowledgeBase) -> None:
        self.kb = kb

    async def stream(self, question: str, history: Sequence[ChatMessage] = ()) -> AsyncIterator[AnswerEvent]:
        match = self.kb.match_faq(question)
        if match:
            yield AnswerDone(Answer(match.entry.answer, [Citation("FAQ", "常见问题", None)], False, AnswerMode.FAQ))
        else:
            yield AnswerDone(Answer("抱歉，知识库中没有找到相关规定。", [], True, AnswerMode.REFUSAL))


class FakeServices:
    def __init__(self, config: KioskConfig, store: Store, kb: Any = None, answerer: Any = None) -> None:
        self.config = config
        self.store = store
        self.kb = kb if kb is not None else FakeKnowledgeBase()
        self.answerer = answerer if answerer is not None else FaqOrRefuseAnswerer(self.kb)

    def health(self) -> list[EngineHealth]:
        return [EngineHealth("kb", EngineStatus.READY, model="fake", device="cpu")]


def admin_config(tmp_path: Path) -> KioskConfig:
    config = KioskConfig()
    config.paths.data_dir = tmp_path
    config.admin.failed_login_delay_s = 0.0
    return config
