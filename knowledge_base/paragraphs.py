"""A long article is also found by its paragraphs.

An article of several paragraphs has one vector for all of them: 义务教育法 第二条 (the nine-year system, who must
attend, 不收学费、杂费, the funding) is farther from 孩子上学要交学费吗 than 第六十一条, a single sentence about the
steps for not charging 杂费. So each paragraph of a passage that has more than one is embedded too — at ingest, into
the embedding cache, so a search only looks its vectors up — and among the first hits the one whose whole text or
best paragraph is closest to the question comes first. A paragraph counts for `margin` less than a whole passage:
it has fewer words, so it matches a short question's few words more easily.

The scores stay where they were: the answerability check was fitted on the relevance of the first place, and what
this changes is which of the close candidates takes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from core.models import Hit
from core.text_lines import ARTICLE_LABEL, ITEM


def _paragraphs(body: str) -> list[str]:
    """The body's paragraphs; a list's items stay with the sentence that opens it (下列证件和证明材料：（一）…)."""
    paragraphs: list[str] = []
    for line in (ln.strip() for ln in body.splitlines()):
        if not line:
            continue
        if paragraphs and ITEM.match(line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return paragraphs


def paragraph_texts(title: str, article: str | None, text: str) -> list[str]:
    """The texts embedded for a passage's paragraphs (none for a passage of one paragraph), each with its
    document and article, as a passage is embedded with its context."""
    paragraphs = _paragraphs(ARTICLE_LABEL.sub("", text.strip()))
    if len(paragraphs) < 2:
        return []
    label = f"{article} " if article else ""
    return [f"《{title}》{label}{p}" for p in paragraphs]


def closest_first(
    hits: Sequence[Hit],
    query_vector: Sequence[float],
    embed_passages: Callable[[list[str]], list[list[float]]],
    top: int,
    margin: float,
) -> list[Hit]:
    """The hits with the first `top` reordered by max(whole-passage cosine, best paragraph cosine − margin)."""
    head, tail = list(hits[:top]), list(hits[top:])
    if len(head) < 2:
        return list(hits)
    texts = [paragraph_texts(h.title, h.article, h.text) for h in head]
    flat = [t for group in texts for t in group]
    if not flat:
        return list(hits)
    vectors = np.asarray(embed_passages(flat), dtype=np.float32)
    query = np.asarray(query_vector, dtype=np.float32)
    cosines = (vectors @ query) / np.maximum(np.linalg.norm(vectors, axis=1) * np.linalg.norm(query), 1e-12)
    closeness, at = [], 0
    for hit, group in zip(head, texts, strict=True):
        best_paragraph = float(cosines[at : at + len(group)].max()) - margin if group else -1.0
        at += len(group)
        closeness.append(max(hit.vector_score if hit.vector_score is not None else -1.0, best_paragraph))
    order = sorted(range(len(head)), key=lambda i: -closeness[i])  # stable: ties keep the relevance order
    return [replace(head[i], score=head[place].score) for place, i in enumerate(order)] + tail


__all__ = ["closest_first", "paragraph_texts"]
