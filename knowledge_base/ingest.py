"""Turning files into committed knowledge: load, chunk, embed, store vectors, then commit in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from kiosk.config import KnowledgeBaseConfig
from kiosk.errors import IngestError
from kiosk.models import DocumentInfo, DocumentStatus, IngestResult, IngestStatus
from knowledge_base.chunking import chunk_document
from knowledge_base.embeddings import CachedEmbedder
from knowledge_base.loaders import FAQ_SUFFIXES, load_document
from knowledge_base.registry import NewChunk, Registry, now_iso
from knowledge_base.vector_store import PassageVectors


@dataclass(frozen=True)
class IngestProgress:
    """Reported while a batch goes in: which file, and how many of its passages are embedded."""

    file: str
    file_index: int
    files_total: int
    chunks_done: int
    chunks_total: int


ProgressCallback = Callable[[IngestProgress], None]


def doc_id_for(source: str) -> str:
    return "doc-" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:12]


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Files as given; folders recursively (hidden files skipped, unsupported files reported by the loader)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def _superseded_by_version(new_date: str | None, others: list[DocumentInfo]) -> tuple[list[str], str | None]:
    """Which same-titled documents the new one supersedes, and which document (if any) supersedes it."""
    if not new_date:
        return [], None
    older = [d.doc_id for d in others if d.effective_date and d.effective_date < new_date and d.status != DocumentStatus.RETIRED]
    newer = [d for d in others if d.effective_date and d.effective_date > new_date]
    newest = max(newer, key=lambda d: d.effective_date or "") if newer else None
    return older, newest.doc_id if newest else None


class Ingestor:
    def __init__(
        self,
        registry: Registry,
        vectors: PassageVectors,
        embedder: Embeddings,
        config: KnowledgeBaseConfig,
        import_faq: Callable[[Path], int],
    ) -> None:
        self._registry = registry
        self._vectors = vectors
        self._embedder = embedder
        self._config = config
        self._import_faq = import_faq

    def ingest(self, paths: Sequence[Path], progress: ProgressCallback | None = None) -> list[IngestResult]:
        files = list(expand_paths([Path(p) for p in paths]))
        results = []
        for n, path in enumerate(files):
            try:
                results.append(self._ingest_one(path, n, len(files), progress))
            except IngestError as exc:
                results.append(IngestResult(str(path), IngestStatus.FAILED, message=exc.message, error_code=exc.code))
            except Exception as exc:  # one bad file must not stop the batch; the message still names it
                results.append(
                    IngestResult(str(path), IngestStatus.FAILED, message=f"{path.name}: {exc}", error_code="unexpected")
                )
        return results

    def _ingest_one(self, path: Path, n: int, total: int, progress: ProgressCallback | None) -> IngestResult:
        if path.suffix.lower() in FAQ_SUFFIXES:
            count = self._import_faq(path)
            return IngestResult(str(path), IngestStatus.FAQ, chunks=count, message=f"{count} FAQ entries imported")
        document = load_document(path, self._config.max_file_mb)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        source = path.name
        doc_id = doc_id_for(source)
        existing = self._registry.document(doc_id)
        if existing and existing.sha256 == sha:
            return IngestResult(str(path), IngestStatus.UNCHANGED, doc_id, existing.chunks, f"{source}: already up to date")
        twins = [d for d in self._registry.by_sha(sha) if d.doc_id != doc_id]
        if twins:
            return IngestResult(
                str(path), IngestStatus.DUPLICATE, twins[0].doc_id, twins[0].chunks,
                f"{source}: same content as '{twins[0].source}', already in the knowledge base; not added again",
            )  # fmt: skip
        chunks = chunk_document(document, self._config.chunk_size, self._config.chunk_overlap)
        if not chunks:
            raise IngestError("empty", f"{source}: no text to index after chunking", path=str(path))
        generation = self._registry.generation(doc_id) + 1
        old_ids = [c.chunk_id for c in self._registry.chunks(doc_id)]
        ids = [f"{doc_id}:g{generation}:{c.index}" for c in chunks]
        embed_texts = [c.embedding_text(document.title) for c in chunks]

        embedded = 0

        def on_embedded(done_now: int) -> None:
            nonlocal embedded
            embedded += done_now
            if progress:
                progress(IngestProgress(source, n, total, embedded, len(chunks)))

        if progress:
            progress(IngestProgress(source, n, total, 0, len(chunks)))
        if isinstance(self._embedder, CachedEmbedder):
            self._embedder.embed_passages(embed_texts, on_embedded)  # fills the cache with progress
        metadatas = [{"doc_id": doc_id, "generation": generation, "article": c.article or ""} for c in chunks]
        self._vectors.add(ids, embed_texts, metadatas)

        same_title = [d for d in self._registry.by_title(document.title) if d.doc_id != doc_id]
        supersedes, newer = _superseded_by_version(document.effective_date, same_title)
        info = DocumentInfo(
            doc_id=doc_id,
            source=source,
            title=document.title,
            status=DocumentStatus.SUPERSEDED if newer else DocumentStatus.ACTIVE,
            chunks=len(chunks),
            effective_date=document.effective_date,
            version=document.effective_date or f"v{generation}",
            department=self._config.department,
            ingested_at=now_iso(),
            sha256=sha,
            superseded_by=newer,
        )
        new_chunks = [NewChunk(i, c.index, c.text, c.article, c.chapter) for i, c in zip(ids, chunks)]
        self._registry.commit_document(info, generation, new_chunks, supersedes=[] if newer else supersedes)
        if old_ids:
            self._vectors.delete(old_ids)
        status = IngestStatus.REPLACED if existing else IngestStatus.ADDED
        note = f"; supersedes {len(supersedes)} older version(s)" if supersedes and not newer else ""
        note += "; an in-force newer version exists, so this one is kept as superseded" if newer else ""
        return IngestResult(str(path), status, doc_id, len(chunks), f"{source}: {len(chunks)} passages{note}")
