"""Everyday words and service intents gain the statutes' wording before retrieval; the citizen's words stay."""

from __future__ import annotations

from knowledge_base.query_expansion import expand_query


def test_everyday_names_gain_the_statute_terms() -> None:
    expanded = expand_query("我失业了 失业金一个月能领多少")
    assert expanded.startswith("我失业了 失业金一个月能领多少") and "失业保险金" in expanded
    assert "个人所得税" in expand_query("退休金还要交个税吗") and "基本养老金" in expand_query("退休金还要交个税吗")
    assert "社会保障卡" in expand_query("社保卡丢了") and "社会保险" not in expand_query("社保卡丢了")


def test_intents_add_the_wording_of_deadlines_and_materials() -> None:
    assert "期限" in expand_query("多久能拿到")
    assert "材料" in expand_query("要带啥")


def test_a_question_with_nothing_to_expand_is_unchanged() -> None:
    assert expand_query("居民身份证有效期") == "居民身份证有效期"
