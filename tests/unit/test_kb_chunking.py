from __future__ import annotations

from pathlib import Path

from knowledge_base.chunking import chunk_document
from knowledge_base.lexical import LexicalIndex, rrf, tokenize
from knowledge_base.loaders import Block, LoadedDocument


def _doc(*lines: str, heading_levels: dict[int, int] | None = None) -> LoadedDocument:
    levels = heading_levels or {}
    return LoadedDocument(Path("x.md"), "测试条例", [Block(t, levels.get(i, 0)) for i, t in enumerate(lines)])


def test_articles_stay_whole_with_their_continuation_paragraphs() -> None:
    chunks = chunk_document(
        _doc("第一章 总则", "第一条 为了规范管理，制定本条例。", "第二条 本条例适用于全国。", "前款规定的情形除外。")
    )
    assert [c.article for c in chunks] == ["第一条", "第二条"]
    assert chunks[1].text == "第二条 本条例适用于全国。\n前款规定的情形除外。"
    assert chunks[0].chapter == "第一章 总则"


def test_long_article_is_split_at_sentence_ends_and_keeps_its_label() -> None:
    sentence = "申请人应当提交身份证明、居住证明和就业证明等材料。"
    chunks = chunk_document(_doc("第一条 " + sentence * 30, "第二条 短条。"), chunk_size=200, overlap=20)
    first = [c for c in chunks if c.article == "第一条"]
    assert len(first) > 1
    assert all(len(c.text) <= 200 + len("第一条（续）") for c in first)
    assert not any(c.text.lstrip("第一条（续）").startswith("。") for c in first[1:])  # keep_separator="end"
    assert first[1].text.startswith("第一条（续）")


def test_guides_are_chunked_by_section_heading() -> None:
    chunks = chunk_document(
        _doc("办理材料", "身份证原件。", "办理时限", "10个工作日。", heading_levels={0: 2, 2: 2})
    )
    assert [c.article for c in chunks] == ["办理材料", "办理时限"]


def test_embedding_text_carries_the_title() -> None:
    chunk = chunk_document(_doc("第一条 内容。", "第二条 内容。"))[0]
    assert chunk.embedding_text("居住证暂行条例").startswith("《居住证暂行条例》")


def test_tokenize_bigrams_and_whole_numbers() -> None:
    assert tokenize("居住证 第10条 APP") == ["居住", "住证", "第", "10", "条", "app"]


def test_lexical_index_finds_exact_terms() -> None:
    index = LexicalIndex(["a", "b"], ["居住证的签注", "护照的有效期"])
    assert index.search("居住证签注", 2)[0][0] == "a"
    assert index.search("", 2) == []


def test_rrf_prefers_items_ranked_by_both() -> None:
    fused = rrf([["x", "y", "z"], ["y", "x"]])
    assert max(fused, key=fused.__getitem__) in {"x", "y"}
    assert fused["z"] < fused["x"]
