"""Hybrid retrieval: vector search and BM25 propose passages, a fitted relevance model orders them.

A recognised question is first read with the knowledge base's own words where it has a homophone of one
(半居住正 → 居住证). Each hit's `score` is the relevance model's p(this passage answers the question).
"""

from __future__ import annotations

from collections.abc import Callable

from core.config import RetrievalConfig
from core.freshness import Snapshot, SourceBusy, VersionGate
from core.models import Hit
from knowledge_base.lexical import LexicalIndex, rrf
from knowledge_base.paragraphs import closest_first
from knowledge_base.profiles import Profile
from knowledge_base.query_expansion import everyday_names, expand_query
from knowledge_base.question import analyse, is_general_word, specificity, word_boundaries, words
from knowledge_base.registry import Registry
from knowledge_base.relevance import Candidate, features
from knowledge_base.small_words import read_small_words
from knowledge_base.terms import Correction, TermStats
from knowledge_base.vector_store import PassageVectors

_DOC_VOTES = 10  # top candidates per signal that vote for their document


def rank(
    gathered: list[tuple[Candidate, dict]], understood: str, fusion: str, profile: Profile
) -> list[tuple[Candidate, dict, float]]:
    """Candidates with their relevance, in the order a fusion mode gives them: "rerank" by the relevance model,
    "rrf" by reciprocal-rank fusion, "vector"/"lexical" by one signal alone (the other signal's own finds left out)."""
    terms = analyse(understood)
    model = profile.relevance
    scored = {c.chunk_id: (c, row, model.probability(features(terms, c, row, profile))) for c, row in gathered}
    by_vector = [c.chunk_id for c, _ in sorted((g for g in gathered if g[0].vector_rank is not None), key=lambda g: g[0].vector_rank)]
    by_lexical = [c.chunk_id for c, _ in sorted((g for g in gathered if g[0].lexical_rank is not None), key=lambda g: g[0].lexical_rank)]
    if fusion == "vector":
        order = by_vector
    elif fusion == "lexical":
        order = by_lexical
    elif fusion == "rrf":
        fused = rrf([by_vector, by_lexical])
        order = sorted(fused, key=fused.__getitem__, reverse=True)
    else:
        order = sorted(scored, key=lambda cid: -scored[cid][2])
    return [scored[cid] for cid in order]


class HybridRetriever:
    """Implements core.protocols.Retriever over the active documents of one knowledge base."""

    def __init__(
        self,
        registry: Registry,
        vectors: PassageVectors,
        embed_query: Callable[[str], list[float]],
        config: RetrievalConfig,
        profile: Profile,
        gate: VersionGate[int] | None = None,
        embed_passages: Callable[[list[str]], list[list[float]]] | None = None,
    ) -> None:
        self._registry = registry
        self.profile = profile
        self._vectors = vectors
        self._embed_query = embed_query
        self._embed_passages = embed_passages
        self._config = config
        # The active set, BM25 and term statistics are one snapshot: a search keeps the tuple it started with.
        self._index = Snapshot(gate or VersionGate(lambda: registry.version, 0.0), self._load, "retrieval index")

    def _load(self, version: int) -> tuple[dict[str, dict], LexicalIndex, TermStats]:
        # After the first load the vector index is reloaded too (see PassageVectors.reopen), never under a search.
        if self._index.version is not None and not self._vectors.reopen():
            raise SourceBusy("a writer holds the vector index")
        rows = self._registry.active_chunks()
        texts = [f"{r['title']} {r['text']}" for r in rows]
        terms = TermStats(texts, names=everyday_names())
        return {r["chunk_id"]: r for r in rows}, LexicalIndex([r["chunk_id"] for r in rows], texts), terms

    def refresh(self, force: bool = False) -> None:
        """Reload the active set and indexes when the registry changed (also by another process); `force`: now."""
        if force:
            self._index.rebuild()
        else:
            self._index.get()

    def rebuild_loaded(self) -> None:
        """Rebuild the view now if one was loaded (this process changed the knowledge base)."""
        self._index.rebuild_loaded()

    @property
    def version(self) -> int | None:
        """The registry version the current view was loaded at (None before the first search)."""
        return self._index.version

    @property
    def terms(self) -> TermStats:
        return self._index.get()[2]

    def understand(self, question: str) -> tuple[str, list[Correction]]:
        """The question with homophones of the knowledge base's words replaced by those words, and misheard small
        words read back (`_read`)."""
        if not self._config.sound_correction:
            return question, []
        return _read(question, self.terms)

    def search(self, query: str, k: int | None = None, fusion: str | None = None) -> list[Hit]:
        understood, gathered, query_vector = self._gather(query)
        fusion = fusion or self._config.fusion
        ranked = rank(gathered, understood, fusion, self.profile)
        k = k or self._config.k
        margin, top, embed = self.profile.paragraph_margin, self._config.paragraph_rerank, self._embed_passages
        if fusion != "rerank" or query_vector is None or margin is None or top < 2 or embed is None:
            return [self._hit(*scored) for scored in ranked[:k]]
        hits = [self._hit(*scored) for scored in ranked[: max(k, top)]]
        return closest_first(hits, query_vector, embed, top, margin)[:k]

    @property
    def uses_paragraphs(self) -> bool:
        """Whether searches reorder their first hits by paragraph (knowledge_base/paragraphs.py): the profile has a
        margin, more than one hit may move, and there is a passage embedder to look paragraph vectors up with."""
        return (
            self.profile.paragraph_margin is not None and self._config.paragraph_rerank > 1
            and self._embed_passages is not None
        )  # fmt: skip

    def candidates(self, query: str) -> tuple[str, list[tuple[Candidate, dict]]]:
        """The understood query and every candidate passage that either signal proposes, with its row."""
        understood, gathered, _ = self._gather(query)
        return understood, gathered

    def _gather(self, query: str) -> tuple[str, list[tuple[Candidate, dict]], list[float] | None]:
        """candidates(), and the query's vector."""
        active, lexical, terms = self._index.get()
        query = query.strip()
        if self._config.sound_correction:
            query, _ = _read(query, terms)
        if not query or not active:
            return query, [], None
        expand = self.profile.expand_queries if self._config.expand_queries is None else self._config.expand_queries
        expanded = expand_query(query) if expand else query
        n = self._config.candidates
        query_vector = self._embed_query(expanded)
        # Over-fetch: vectors of superseded or retired documents are filtered out here.
        vector_hits = [(cid, cos) for cid, cos in self._vectors.search(query_vector, n * 2) if cid in active][:n]
        lexical_hits = lexical.search(expanded, n)
        cosines, bm25 = dict(vector_hits), dict(lexical_hits)
        vector_rank = {cid: i for i, (cid, _) in enumerate(vector_hits)}
        lexical_rank = {cid: i for i, (cid, _) in enumerate(lexical_hits)}
        ids = dict.fromkeys([c for c, _ in vector_hits] + [c for c, _ in lexical_hits])
        # which documents the best candidates of both signals come from: a question about 居住证 draws many of them
        leading = [active[c]["doc_id"] for c, _ in vector_hits[:_DOC_VOTES] + lexical_hits[:_DOC_VOTES]]
        share = {doc: leading.count(doc) / len(leading) for doc in set(leading)}
        return query, [
            (
                Candidate(
                    cid, cosines.get(cid), bm25.get(cid, 0.0), vector_rank.get(cid), lexical_rank.get(cid),
                    share.get(active[cid]["doc_id"], 0.0),
                ),
                active[cid],
            )
            for cid in ids
        ], query_vector

    @staticmethod
    def _hit(c: Candidate, row: dict, probability: float) -> Hit:
        return Hit(
            text=row["text"],
            score=round(probability, 4),
            source=row["source"],
            title=row["title"],
            article=row["article"],
            doc_id=row["doc_id"],
            effective_date=row["effective_date"],
            chunk_id=c.chunk_id,
            vector_score=None if c.cosine is None else round(c.cosine, 4),
            lexical_score=round(c.bm25, 4),
        )


def _read(question: str, terms: TermStats) -> tuple[str, list[Correction]]:
    """The question as the knowledge base reads it: homophones of its own words (居住正 → 居住证), then misheard
    small words (要交忙 → 要交吗, 半居住证 → 办居住证)."""
    understood, corrections = terms.correct(
        question, boundaries=word_boundaries, is_word=is_general_word, specificity=specificity
    )
    said, small = read_small_words(understood, is_general_word, lambda text: next(iter(words(text)), ""))
    return said, corrections + small
