"""Turning files into committed knowledge: load, chunk, embed, store vectors, then commit in one transaction."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.config import KnowledgeBaseConfig
from core.errors import IngestError, KioskError
from core.models import DocumentInfo, DocumentStatus, IngestResult, IngestStatus
from core.safe_text import printable
from knowledge_base.archives import UnpackLimits
from knowledge_base.chunking import Chunk, chunk_document
from knowledge_base.embeddings import CachedEmbedder
from knowledge_base.loaders import FAQ_SUFFIXES, LoadedDocument, load_document
from knowledge_base.paragraphs import paragraph_texts
from knowledge_base.registry import NewChunk, Registry, now_iso
from knowledge_base.statements import statement_texts
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

log = logging.getLogger(__name__)


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


def batch_sources(files: Sequence[Path]) -> dict[Path, str]:
    """Each file's source (its identity in the knowledge base): the bare file name when no other file of the batch
    has that name, else its path below the nearest folder the same-named files share (dupA/规定.md, dupB/规定.md)."""
    by_name: dict[str, list[Path]] = {}
    for path in files:
        by_name.setdefault(path.name, []).append(path)
    sources: dict[Path, str] = {}
    for name, group in by_name.items():
        distinct = sorted({p.resolve() for p in group})
        if len(distinct) == 1:
            sources.update({p: name for p in group})
            continue
        root = Path(os.path.commonpath([str(p.parent) for p in distinct]))
        sources.update({p: p.resolve().relative_to(root).as_posix() for p in group})
    return sources


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
        embed_paragraphs: bool = False,
        embed_statements: bool = False,
    ) -> None:
        self._registry = registry
        self._embed_paragraphs = embed_paragraphs  # the ranking profile searches by paragraph too
        self._embed_statements = embed_statements  # …and the answer weighs each statement's closeness
        self._vectors = vectors
        self._embedder = embedder
        self._config = config
        self._import_faq = import_faq
        self._limits = UnpackLimits.from_config(config)
        self._lease: str | None = None

    def ingest(
        self, paths: Sequence[Path], progress: ProgressCallback | None = None, statements: bool = True
    ) -> list[IngestResult]:
        """`statements=False` leaves the statements' vectors to a later `prepare` (a first start's seed documents:
        the kiosk serves sooner, and a turn meanwhile embeds the few statements it weighs)."""
        files = list(expand_paths([Path(p) for p in paths]))
        sources = batch_sources(files)
        results = []
        try:
            for n, path in enumerate(files):
                try:
                    results.append(self._ingest_one(path, sources[path], n, len(files), progress, statements))
                except KioskError as exc:
                    code = exc.code
                    message = exc.message if isinstance(exc, IngestError) else f"{printable(path.name)}: {exc.message}"
                    results.append(IngestResult(str(path), IngestStatus.FAILED, message=message, error_code=code))
                except Exception as exc:  # one bad file must not stop the batch; the message still names it
                    log.exception("unexpected failure ingesting %s", printable(path))
                    results.append(
                        IngestResult(
                            str(path), IngestStatus.FAILED, message=f"{printable(path.name)}: {type(exc).__name__}: {printable(str(exc))}",
                            error_code="unexpected",
                        )
                    )  # fmt: skip
        finally:
            if self._lease is not None:
                self._registry.close_lease(self._lease)
                self._lease = None
        return results

    def _renew(self) -> str:
        """This batch's lease: taken before its first vector is written, renewed as work goes on."""
        if self._lease is None or not self._registry.renew_lease(self._lease, self._config.ingest_lease_s):
            self._lease = self._registry.open_lease(self._config.ingest_lease_s)
        return self._lease

    def _vectors_missing(self, doc: DocumentInfo) -> int:
        ids = [c.chunk_id for c in self._registry.chunks(doc.doc_id)]
        return len(ids) - len(self._vectors.existing(ids)) if ids else 0

    def _resolve_source(self, path: Path, source: str) -> str:
        """A file whose name alone is given again keeps the folder-qualified identity it was first stored under."""
        if "/" in source or self._registry.find_documents(source):
            return source
        posix = path.resolve().as_posix()
        known = [d.source for d in self._registry.documents() if d.source.endswith("/" + source)]
        matching = [s for s in known if posix.endswith("/" + s)]
        return max(matching, key=len) if matching else source

    def _ingest_one(
        self, path: Path, source: str, n: int, total: int, progress: ProgressCallback | None, statements: bool = True
    ) -> IngestResult:
        shown = printable(source)
        if path.suffix.lower() in FAQ_SUFFIXES:
            count = self._import_faq(path)
            return IngestResult(str(path), IngestStatus.FAQ, chunks=count, message=f"{shown}: {count} FAQ entries imported")
        max_passages = self._config.max_passages_per_document
        max_chars = max_passages * self._config.chunk_size * 2  # no denser split is possible; exact check below
        document = load_document(path, self._config.max_file_mb, self._limits, max_chars)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        source = self._resolve_source(path, source)
        shown = printable(source)
        doc_id = doc_id_for(source)
        existing = self._registry.document(doc_id)
        repair = ""
        if existing and existing.sha256 == sha:
            missing = self._vectors_missing(existing)
            if not missing:
                return IngestResult(str(path), IngestStatus.UNCHANGED, doc_id, existing.chunks, f"{shown}: already up to date")
            repair = f"; {missing} of {existing.chunks} passage vectors were missing and are restored"
        twins = [d for d in self._registry.by_sha(sha) if d.doc_id != doc_id]
        if twins:
            return IngestResult(
                str(path), IngestStatus.DUPLICATE, twins[0].doc_id, twins[0].chunks,
                f"{shown}: same content as '{printable(twins[0].source)}', already in the knowledge base; not added again",
            )  # fmt: skip
        chunks = chunk_document(document, self._config.chunk_size, self._config.chunk_overlap)
        if not chunks:
            raise IngestError("empty", f"{shown}: no text to index after chunking", path=str(path))
        if len(chunks) > max_passages:
            raise IngestError(
                "too-many-passages",
                f"{shown}: {len(chunks):,} passages, over the limit of {max_passages:,} per document "
                "(kb.max_passages_per_document); split the document or raise the limit",
                path=str(path),
            )
        embed_texts = [c.embedding_text(document.title) for c in chunks]
        embedded = 0

        def on_embedded(done_now: int) -> None:
            nonlocal embedded
            embedded += done_now
            self._renew()
            if progress:
                progress(IngestProgress(source, n, total, embedded, len(chunks)))

        if progress:
            progress(IngestProgress(source, n, total, 0, len(chunks)))
        if isinstance(self._embedder, CachedEmbedder):
            self._embedder.embed_passages(embed_texts, on_embedded)  # fills the cache batch by batch, with progress
        if isinstance(self._embedder, CachedEmbedder) and self._embed_paragraphs:
            # the paragraphs of long passages, which a search looks up to put the closest first
            paragraphs = [t for c in chunks for t in paragraph_texts(document.title, c.article, c.text)]
            self._embedder.embed_passages(paragraphs, lambda _: self._renew())
        if isinstance(self._embedder, CachedEmbedder) and self._embed_statements and statements:
            said = [t for c in chunks for t in statement_texts(c.text)]
            self._embedder.embed_passages(said, lambda _: self._renew())
        with self._vectors.writing():
            result = self._store(path, document, source, doc_id, sha, chunks, embed_texts)
        return IngestResult(result.path, result.status, result.doc_id, result.chunks, result.message + repair)

    def _store(self, path: Path, document: LoadedDocument, source: str, doc_id: str, sha: str, chunks: list[Chunk],
               embed_texts: list[str]) -> IngestResult:  # fmt: skip
        """Write vectors and commit, inside the writer section; vectors of a failed commit are removed again."""
        lease = self._renew()
        existing = self._registry.document(doc_id)
        generation = self._registry.generation(doc_id) + 1
        old_ids = [c.chunk_id for c in self._registry.chunks(doc_id)]
        ids = [f"{doc_id}:g{generation}:{c.index}" for c in chunks]
        self._registry.add_pending(lease, ids)
        metadatas = [{"doc_id": doc_id, "generation": generation, "article": c.article or ""} for c in chunks]
        try:
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
            self._registry.commit_document(info, generation, new_chunks, supersedes=[] if newer else supersedes, lease_id=lease)
        except BaseException:
            try:
                self._vectors.delete(ids)
            except Exception:  # noqa: BLE001 - the sweep removes them on a later open
                log.warning("could not remove the vectors of a failed ingest of %s", printable(source))
            raise
        stale = [i for i in old_ids if i not in set(ids)]
        if stale:
            self._vectors.delete(stale)
        status = IngestStatus.REPLACED if existing else IngestStatus.ADDED
        note = f"; supersedes {len(supersedes)} older version(s)" if supersedes and not newer else ""
        note += "; an in-force newer version exists, so this one is kept as superseded" if newer else ""
        return IngestResult(str(path), status, doc_id, len(chunks), f"{printable(source)}: {len(chunks)} passages{note}")
