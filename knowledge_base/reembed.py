"""Embed a knowledge base again with the configured embedder, into a new directory.

Vectors belong to the embedder that made them: after `embedding.engine` changes (e5-small → EmbeddingGemma, or a
GPU box's own model) the stored ones cannot be searched. Ingesting the source files again would lose what staff
did since (statuses, supersessions, FAQ entries, uploads whose files are gone), so this copies the registry as it
is and embeds every stored passage again from the text the vector store keeps with it.

The source's documents and vectors are only read, under its writer lock, so no change lands between the copy
and the switch (an ingest meanwhile waits, then fails with `kb-busy`). The target's registry is written last: a
run that is killed leaves a directory without one, which the next run resumes, embedding only what is missing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.config import KioskConfig
from core.errors import KnowledgeBaseError
from core.protocols import Embedder
from knowledge_base.embeddings import deployment_embedder, embedder_identity, made_by_another
from knowledge_base.ingest import IngestProgress
from knowledge_base.locks import FileWriterLock
from knowledge_base.registry import REGISTRY_FILE, Registry, registry_is_shared
from knowledge_base.vector_store import PassageVectors

log = logging.getLogger(__name__)

_RUN_FILE = "reembed-run.txt"  # the model of a run not yet finished


@dataclass(frozen=True)
class ReembedResult:
    target: Path
    model_name: str
    documents: int
    passages: int
    embedded: int  # in this run; the rest were already there from an interrupted one
    seconds: float


def _check_where(config: KioskConfig, source: Path, target: Path) -> None:
    if config.chroma.mode != "persistent" or registry_is_shared(config):
        raise KnowledgeBaseError(
            "reembed-shared-store",
            "re-embedding copies a knowledge base kept on this host's disk; with a shared registry or Chroma server, "
            "ingest the documents into a new collection (chroma.collection) from one host instead",
        )
    if not (source / REGISTRY_FILE).is_file():
        raise KnowledgeBaseError("kb-not-found", f"no knowledge base at {source} (no {REGISTRY_FILE}); check --kb")
    if target.resolve() == source.resolve():
        raise KnowledgeBaseError("reembed-same-directory", "re-embed into a new directory, not the one being read")
    if (target / REGISTRY_FILE).exists():
        raise KnowledgeBaseError(
            "reembed-target-not-empty",
            f"{target} already holds a knowledge base; choose a new directory (the source stays as it is)",
        )


def _check_resumable(target: Path, vectors: PassageVectors, embedder: Embedder) -> None:
    """Vectors left in `target` by a stopped run are kept only when the same model made them; the model is noted
    in `_RUN_FILE` until the registry (which records it for good) is written."""
    run_file = target / _RUN_FILE
    earlier = run_file.read_text(encoding="utf-8").strip() if run_file.exists() else None
    made_by = made_by_another(embedder, vectors.stored_dimension(), earlier)
    if made_by is not None:
        raise KnowledgeBaseError(
            "reembed-target-not-empty",
            f"{target} holds vectors of another embedder ({made_by}); remove it or choose another directory",
        )
    run_file.write_text(embedder_identity(embedder) + "\n", encoding="utf-8")


def _copy_registry(source: Path, target: Path, embedder: str) -> None:
    """A consistent copy through SQLite's backup API (the source may be in WAL mode), naming the new embedder,
    moved into place at once."""
    partial = target / (REGISTRY_FILE + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source / REGISTRY_FILE) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    copy = Registry(partial)
    try:
        copy.record_embedder(embedder)
    finally:
        copy.close()
    os.replace(partial, target / REGISTRY_FILE)


def reembed(
    config: KioskConfig,
    target: Path,
    *,
    embedder: Embedder | None = None,
    progress: Callable[[IngestProgress], None] | None = None,
    batch: int = 32,
    lock_timeout_s: float = 60.0,
) -> ReembedResult:
    """Copy the knowledge base at `config.paths.kb` to `target`, every passage embedded by the configured embedder."""
    source, started = config.paths.kb, time.monotonic()
    _check_where(config, source, target)
    embedder = embedder or deployment_embedder(config)
    target.mkdir(parents=True, exist_ok=True)
    registry = Registry(source / REGISTRY_FILE)
    try:
        with FileWriterLock(source).hold(timeout_s=lock_timeout_s):
            ids = sorted(registry.all_chunk_ids())
            documents = len(registry.documents())
            stored = PassageVectors(config.chroma, source, embedder).contents(ids)  # reads only: no embedding
            lost = [i for i in ids if i not in stored]
            if lost:
                log.warning("%d passages without stored text in %s stay without a vector: %s", len(lost), source, lost[:5])
            vectors = PassageVectors(config.chroma, target, embedder)
            _check_resumable(target, vectors, embedder)
            wanted = [i for i in ids if i in stored]
            strays = sorted(set(vectors.all_ids()) - set(wanted))
            if strays:
                vectors.delete(strays)
            todo = [i for i in wanted if i not in vectors.existing(wanted)]
            done_before = len(wanted) - len(todo)
            if progress:
                progress(IngestProgress(str(source), 0, 1, done_before, len(wanted)))
            for start in range(0, len(todo), batch):
                part = todo[start : start + batch]
                vectors.add(part, [stored[i][0] for i in part], [stored[i][1] for i in part])
                if progress:
                    progress(IngestProgress(str(source), 0, 1, done_before + start + len(part), len(wanted)))
            _copy_registry(source, target, embedder_identity(embedder))
            (target / _RUN_FILE).unlink(missing_ok=True)
    finally:
        registry.close()
    return ReembedResult(
        target=target,
        model_name=getattr(embedder, "model_name", "?"),
        documents=documents,
        passages=len(wanted),
        embedded=len(todo),
        seconds=round(time.monotonic() - started, 1),
    )
