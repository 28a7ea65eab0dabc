"""The answerer on EmbeddingGemma (embedding.engine: onnx) with its own ranking profile, on real statutes.

Runs when the converted model is present (`python -m knowledge_base.provision_gemma`; `make test` provisions it).
A few statutes keep the ingest short on a CPU box (about two minutes for 170 passages and their paragraphs).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from answering.answerer import Answerer
from core.models import Answer
from tests.conftest import REPO, make_config

pytestmark = pytest.mark.integration

FOLDER = Path(os.environ.get("KIOSK_GEMMA_ONNX_DIR", REPO / "var" / "models" / "embeddinggemma-onnx"))
STATUTES = ("居住证暂行条例", "居民身份证法", "失业保险条例", "护照法", "义务教育法")


class _NoModel:
    """The quote style calls no chat model."""

    name = "none"

    async def stream(self, messages, options):  # noqa: ANN001, ANN201
        raise AssertionError("the quote style calls no model")
        yield ""


@pytest.fixture(scope="module")
def gemma_answerer(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path):
    if not (FOLDER / "model.onnx").exists():
        pytest.skip(f"{FOLDER} has no converted model: run `python -m knowledge_base.provision_gemma`")
    from knowledge_base import open_knowledge_base

    config = make_config(tmp_path_factory.mktemp("gemma-kb"), embedding={"engine": "onnx", "model_path": FOLDER})
    config.answering.style = "quote"
    kb = open_knowledge_base(config)
    files = [next((shared_dir / "corpus" / "statutes").glob(f"{name}*.md")) for name in STATUTES]
    assert all(r.status.value == "added" for r in kb.ingest(files))
    answerer = Answerer(kb, _NoModel(), config)
    yield answerer
    kb.close()


def _ask(answerer, question: str) -> Answer:  # noqa: ANN001
    return asyncio.run(answerer.answer(question))


@contextmanager
def _embedding(kb) -> Iterator[list[str]]:  # noqa: ANN001
    """The texts the knowledge base's model embeds (not those its cache already holds) while the block runs."""
    inner = kb.embedder.inner
    embedded: list[str] = []
    original = inner.embed_passages

    def counting(texts, progress=None):  # noqa: ANN001, ANN202
        embedded.extend(texts)
        return original(texts, progress) if progress else original(texts)

    inner.embed_passages = counting
    try:
        yield embedded
    finally:
        del inner.embed_passages


def test_gemma_uses_its_own_profile(gemma_answerer) -> None:  # noqa: ANN001
    assert gemma_answerer.profile.name == "embeddinggemma"
    assert gemma_answerer.profile.expand_queries is False and gemma_answerer.threshold == gemma_answerer.profile.threshold


def test_materials_question_is_answered_from_the_article_that_lists_them(gemma_answerer) -> None:  # noqa: ANN001
    answer = _ask(gemma_answerer, "办居住证要带什么材料")
    assert not answer.refused
    assert [c.label() for c in answer.citations][:1] == ["《居住证暂行条例》第九条"]
    assert "居民身份证" in answer.spoken


def test_colloquial_question_finds_its_rule(gemma_answerer) -> None:  # noqa: ANN001
    answer = _ask(gemma_answerer, "身份证丢了要去哪里补办")
    assert not answer.refused
    assert [c.label() for c in answer.citations][:1] == ["《居民身份证法》第十一条"]  # 丢失的，应当申请补领


def test_other_departments_question_is_referred_not_quoted(gemma_answerer) -> None:  # noqa: ANN001
    answer = _ask(gemma_answerer, "机动车驾驶证的有效期是多长？")
    assert answer.refused and not answer.citations
    assert "车管所" in answer.spoken


def test_faq_is_matched_with_e5_small_so_a_misheard_question_still_finds_its_entry(gemma_answerer) -> None:  # noqa: ANN001
    kb = gemma_answerer.kb
    entry = kb.add_faq("孩子刚满十六周岁 得在多长时间里去办身份证", "满十六周岁之日起三个月内申领。")
    try:
        # as Whisper heard it; EmbeddingGemma rates this pair 0.82 (FAQ score 0.895, under the 0.9 threshold)
        match = kb.match_faq("孩子刚满十六周,得在多长时间里去半身份证。")
        assert match is not None and match.entry.id == entry.id
        assert kb.match_faq("孩子刚满十六周岁 去哪里办护照") is None
    finally:
        kb.delete_faq(entry.id)


def test_a_long_article_is_found_by_its_paragraph_looked_up_not_embedded(gemma_answerer) -> None:  # noqa: ANN001
    kb = gemma_answerer.kb
    assert kb.paragraphs  # EmbeddingGemma's profile has a paragraph margin, and the embedding cache is on
    with _embedding(kb) as embedded:
        answer = _ask(gemma_answerer, "孩子上学要交学费吗")
        prepared = kb.prepare_paragraphs()  # what a kiosk start runs for a knowledge base from before paragraphs
    # 第六十一条 (the steps for not charging 杂费) is closer as a whole; 第二条's third paragraph says 不收学费、杂费
    assert [c.label() for c in answer.citations][:1] == ["《义务教育法》第二条"]
    assert "不收学费" in answer.spoken
    assert embedded == []  # the ingest embedded the paragraphs; the search only looked them up
    assert prepared > 100  # every paragraph of the five statutes' long articles, found in the cache


def test_the_statement_nearest_in_meaning_is_spoken_its_vector_looked_up_not_embedded(gemma_answerer) -> None:  # noqa: ANN001
    kb = gemma_answerer.kb
    assert kb.statements is not None  # EmbeddingGemma's profile weighs statements, and the embedding cache is on
    with _embedding(kb) as embedded:
        # 又失业了 shares no words with 再次失业; the article's first sentence (缴费时间满1年不足5年的…12个月) shares 失业
        answer = _ask(gemma_answerer, "上回失业金还剩几个月没领完我就上班了 现在又失业了 剩下那几个月还能接着领吗")
        prepared = kb.prepare_statements()
    assert [c.label() for c in answer.citations][:1] == ["《失业保险条例》第十七条"]
    assert "合并计算" in answer.spoken and "12个月" not in answer.spoken
    assert embedded == []  # the ingest embedded every statement
    assert prepared > 200


def test_a_question_that_asks_two_things_gets_the_article_of_each(gemma_answerer) -> None:  # noqa: ANN001
    answer = _ask(gemma_answerer, "办居住证要带什么材料 以后每年还得签注吗")
    assert not answer.refused
    assert {c.article for c in answer.citations if c.title == "居住证暂行条例"} >= {"第九条", "第十条"}
    assert "另外，" in answer.spoken and "签注" in answer.spoken and "居民身份证" in answer.spoken


def test_a_hall_question_after_a_statutes_is_answered_then_left_to_the_window_or_the_staff_faq(gemma_answerer) -> None:  # noqa: ANN001
    answer = _ask(gemma_answerer, "办居住证要带什么材料 在几楼办")
    assert [c.label() for c in answer.citations] == ["《居住证暂行条例》第九条"]
    assert "居民身份证" in answer.spoken and "关于“在几楼办”，这个问题涉及本大厅的具体安排" in answer.spoken
    assert answer.unanswered == ("办居住证要带什么材料 在几楼办",)
    kb = gemma_answerer.kb
    entry = kb.add_faq("居住证在几楼办", "居住证在二楼5号至8号窗口办理。")
    try:
        answer = _ask(gemma_answerer, "办居住证要带什么材料 在几楼办")
        assert answer.spoken.endswith("关于“在几楼办”，居住证在二楼5号至8号窗口办理。") and answer.unanswered == ()
        assert [c.source for c in answer.citations][-1] == f"faq:{entry.id}"
    finally:
        kb.delete_faq(entry.id)
