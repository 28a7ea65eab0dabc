"""The passage-vector cache is written batch by batch, so a crash mid-document keeps what was embedded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from knowledge_base.embeddings import CachedEmbedder, embed_in_batches
from tests.fakes import HashEmbedder


class _Inner(HashEmbedder):
    """Embeds `batch_size` passages a call and dies on call number `fail_on`."""

    batch_size = 4

    def __init__(self, fail_on: int | None = None) -> None:
        self.calls = 0
        self.fail_on = fail_on

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("killed")
        return np.asarray(self.embed_documents(texts), dtype=np.float32)


def test_a_crash_mid_document_keeps_the_batches_already_embedded(tmp_path: Path) -> None:
    texts = [f"第{n}条 申请人应当提交材料{n}。" for n in range(20)]
    dying = CachedEmbedder(_Inner(fail_on=4), tmp_path / "cache.sqlite")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        dying.embed_passages(texts)
    again = _Inner()
    seen: list[int] = []
    CachedEmbedder(again, tmp_path / "cache.sqlite").embed_passages(texts, seen.append)  # type: ignore[arg-type]
    assert again.calls == 2  # 12 of 20 came from the cache; the remaining 8 took two batches
    assert seen == [12, 4, 4]  # progress as each batch lands


def test_batches_report_progress_before_the_first_one_and_after_each() -> None:
    seen: list[tuple[int, int]] = []
    batches: list[list[str]] = []
    assert embed_in_batches(batches.append, list("甲乙丙丁戊"), 2, lambda done, total: seen.append((done, total))) == 5
    assert batches == [["甲", "乙"], ["丙", "丁"], ["戊"]]
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]  # a slow first batch is shown as started, not as the last step
    assert embed_in_batches(batches.append, [], 2, lambda done, total: seen.append((done, total))) == 0
    assert seen[-1] == (5, 5)  # nothing to embed, nothing reported
