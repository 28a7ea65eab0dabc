"""Each statement's closeness to the question, its vectors embedded at ingest (knowledge_base/statements.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.sentences import article_statements, list_items
from kiosk.commands.serve import ingest_seed_paths
from knowledge_base import open_knowledge_base
from knowledge_base.embeddings import CachedEmbedder
from knowledge_base.statements import RecentQueries, StatementCloseness, statement_texts
from tests.conftest import REPO, make_config
from tests.fakes import HashEmbedder

ARTICLE = (
    "第十二条 居住证持有人在居住地享有下列权利：\n（一）义务教育；\n（二）基本公共就业服务。\n"
    "居住证持有人可以申请换领。"
)


def test_an_article_of_one_statement_has_nothing_to_embed_and_a_list_stays_one_statement_with_its_items() -> None:
    assert statement_texts("第三条 居住证免收工本费。") == []
    texts = statement_texts(ARTICLE)
    assert texts == [
        "居住证持有人在居住地享有下列权利：\n（一）义务教育；\n（二）基本公共就业服务。", "居住证持有人可以申请换领。",
        "义务教育", "基本公共就业服务",
    ]
    # one statement holding a list: which case is asked is still to choose
    assert statement_texts("第十五条 有下列情形之一的，停止领取：\n（一）重新就业的；\n（二）移居境外的。") == ["重新就业的", "移居境外的"]


def test_a_case_that_escalates_the_rule_before_it_stays_in_that_rules_statement() -> None:
    text = "第八十条 外国人非法就业的，处五千元以上二万元以下罚款；情节严重的，处五日以上十五日以下拘留。介绍外国人非法就业的，处罚款；" \
        "有违法所得的，没收违法所得。"
    assert article_statements(text) == [
        "外国人非法就业的，处五千元以上二万元以下罚款；情节严重的，处五日以上十五日以下拘留。",
        "介绍外国人非法就业的，处罚款；有违法所得的，没收违法所得。",
    ]
    # a rule that only follows a semicolon is a statement of its own
    assert article_statements("第九条 居住证由公安机关签发；公安机关应当自受理之日起15日内发放。") == [
        "居住证由公安机关签发；", "公安机关应当自受理之日起15日内发放。"]


def test_a_text_is_embedded_once_while_it_is_among_the_recent_ones() -> None:
    asked: list[str] = []
    recent = RecentQueries(lambda text: asked.append(text) or [1.0, 0.0], size=2)
    for text in ("甲", "乙", "甲", "丙", "乙"):
        recent(text)
    assert asked == ["甲", "乙", "丙", "乙"]  # 乙 was the oldest when 丙 came


def test_closeness_is_the_weighted_cosine_and_the_closest_statement_scores_highest() -> None:
    embedder = HashEmbedder()
    embedded: list[str] = []

    def passages(texts: list[str]) -> list[list[float]]:
        embedded.extend(texts)
        return embedder.embed_documents(texts)

    closeness = StatementCloseness(embedder.embed_query, passages, weight=10.0)
    statements = ["居住证持有人可以申请换领。", "公民申请护照应当提交照片。"]
    near = closeness.closeness("居住证能不能换领", statements)
    assert near[0] > near[1] and 0.0 < near[0] <= 10.0
    assert closeness.prepare([ARTICLE, "第三条 居住证免收工本费。"], batch=1) == 4  # two statements, two items
    assert embedded[-4:] == statement_texts(ARTICLE)


class PassageHashEmbedder(HashEmbedder):
    """HashEmbedder with the batch method the embedding cache calls, counting what it embeds."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_passages(self, texts: list[str], progress: object = None) -> np.ndarray:
        self.embedded.extend(texts)
        return np.asarray(self.embed_documents(texts), dtype=np.float32)


def _kb(tmp_path: Path, weight: float | None, **sections: dict):  # noqa: ANN202
    profile = json.loads((REPO / "knowledge_base" / "profiles" / "e5-small.json").read_text(encoding="utf-8"))
    profile["statement_weight"] = weight
    (tmp_path / "profile.json").write_text(json.dumps(profile), encoding="utf-8")
    config = make_config(tmp_path, retrieval={"profile": str(tmp_path / "profile.json")}, **sections)
    return open_knowledge_base(config, embedder=CachedEmbedder(PassageHashEmbedder(), tmp_path / "cache.sqlite"))


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "居住证暂行条例.md").write_text("# 居住证暂行条例\n\n" + ARTICLE + "\n\n第十三条 居住证免收工本费。\n", encoding="utf-8")
    return docs


def test_ingest_embeds_the_statements_so_a_turn_and_a_start_only_look_them_up(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    kb = _kb(tmp_path, 10.0)
    try:
        kb.ingest([docs])
        inner = kb.embedder.inner  # type: ignore[attr-defined]
        assert set(statement_texts(ARTICLE)) <= set(inner.embedded)  # embedded by the ingest
        inner.embedded.clear()
        assert kb.prepare_statements() == len(statement_texts(ARTICLE)) == 4
        near = kb.closeness("居住证能不能换领", article_statements(ARTICLE))
        assert near is not None and near[1] > near[0]
        assert inner.embedded == []  # the query goes through embed_query; every statement came from the cache
    finally:
        kb.close()


def test_a_first_starts_seed_documents_leave_their_statements_to_the_background(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = _docs(tmp_path)
    kb = _kb(tmp_path, 10.0, kb={"seed_paths": [str(docs)]})
    try:
        ingest_seed_paths(kb.config, kb)
        assert "embedded in the background" in capsys.readouterr().out
        inner = kb.embedder.inner  # type: ignore[attr-defined]
        assert [d.source for d in kb.list_documents()] == ["居住证暂行条例.md"]
        assert not set(statement_texts(ARTICLE)) & set(inner.embedded)  # the kiosk served without waiting for them
        near = kb.closeness("居住证能不能换领", article_statements(ARTICLE))  # a turn before the background is done
        assert near is not None and near[1] > near[0]
        assert kb.closeness("居住证能不能换领", list_items(article_statements(ARTICLE)[0])) is not None  # …and its list
        inner.embedded.clear()
        assert kb.prepare_statements() == 4 and inner.embedded == []  # the turn's statements were kept in the cache
    finally:
        kb.close()


def test_without_a_profile_weight_no_statement_is_embedded_or_weighed(tmp_path: Path) -> None:
    kb = _kb(tmp_path, None)
    try:
        assert kb.statements is None and kb.closeness("居住证能不能换领", ["甲。", "乙。"]) is None
        assert kb.prepare_statements() == 0
    finally:
        kb.close()
