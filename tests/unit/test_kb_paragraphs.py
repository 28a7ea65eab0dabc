"""A long article is also found by its paragraphs (knowledge_base/paragraphs.py)."""

from __future__ import annotations

import numpy as np

from core.models import Hit
from knowledge_base.paragraphs import closest_first, paragraph_texts

FREE_SCHOOLING = "第二条 国家实行九年义务教育制度。\n义务教育是国家统一实施的所有适龄儿童、少年必须接受的教育。\n实施义务教育，不收学费、杂费。"
FEE_STEPS = "第六十一条 对接受义务教育的适龄儿童、少年不收杂费的实施步骤，由国务院规定。"


def hit(article: str, text: str, score: float, cosine: float) -> Hit:
    return Hit(text, score, "义务教育法.md", "义务教育法", article, "d", None, vector_score=cosine)


def embedder(vectors: dict[str, list[float]]):  # noqa: ANN201
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [vectors.get(t, [0.0, -1.0]) for t in texts]  # other paragraphs: far from every query here

    return embed, calls


def test_only_a_passage_of_several_paragraphs_has_paragraph_texts() -> None:
    texts = paragraph_texts("义务教育法", "第二条", FREE_SCHOOLING)
    assert texts == [
        "《义务教育法》第二条 国家实行九年义务教育制度。",
        "《义务教育法》第二条 义务教育是国家统一实施的所有适龄儿童、少年必须接受的教育。",
        "《义务教育法》第二条 实施义务教育，不收学费、杂费。",
    ]
    assert paragraph_texts("义务教育法", "第六十一条", FEE_STEPS) == []


def test_the_passage_with_the_closest_paragraph_comes_first_and_the_scores_stay_in_place() -> None:
    steps, schooling = hit("第六十一条", FEE_STEPS, 0.8, 0.60), hit("第二条", FREE_SCHOOLING, 0.1, 0.50)
    embed, _ = embedder({"《义务教育法》第二条 实施义务教育，不收学费、杂费。": [1.0, 0.0]})
    query = [0.7, np.sqrt(1 - 0.49)]  # cosine 0.7 with the 学费 paragraph
    ordered = closest_first([steps, schooling], query, embed, top=5, margin=0.02)
    assert [h.article for h in ordered] == ["第二条", "第六十一条"]
    assert [h.score for h in ordered] == [0.8, 0.1]  # the answerability check reads the first place's relevance
    assert ordered[0].vector_score == 0.50  # each passage keeps its own cosine


def test_a_paragraph_must_beat_the_whole_passage_by_the_margin() -> None:
    steps, schooling = hit("第六十一条", FEE_STEPS, 0.8, 0.60), hit("第二条", FREE_SCHOOLING, 0.1, 0.50)
    embed, _ = embedder({"《义务教育法》第二条 实施义务教育，不收学费、杂费。": [1.0, 0.0]})
    query = [0.61, np.sqrt(1 - 0.61**2)]  # the paragraph is 0.61, only 0.01 over the rival's whole text
    assert [h.article for h in closest_first([steps, schooling], query, embed, top=5, margin=0.02)] == ["第六十一条", "第二条"]


def test_only_the_first_hits_are_reordered_and_nothing_is_embedded_without_paragraphs() -> None:
    steps, schooling = hit("第六十一条", FEE_STEPS, 0.8, 0.60), hit("第二条", FREE_SCHOOLING, 0.1, 0.50)
    embed, calls = embedder({"《义务教育法》第二条 实施义务教育，不收学费、杂费。": [1.0, 0.0]})
    assert closest_first([steps, schooling], [1.0, 0.0], embed, top=1, margin=0.02) == [steps, schooling]
    assert closest_first([steps, steps], [1.0, 0.0], embed, top=5, margin=0.02) == [steps, steps]
    assert calls == []


def test_a_lists_items_stay_with_the_sentence_that_opens_it() -> None:
    text = "第五条 办理结婚登记的内地居民应当出具下列证件和证明材料：\n（一）本人的户口簿、身份证；\n（二）本人无配偶的签字声明。\n办理结婚登记的香港居民应当出具下列证件：\n（一）有效通行证；"
    texts = paragraph_texts("婚姻登记条例", "第五条", text)
    assert texts == [
        "《婚姻登记条例》第五条 办理结婚登记的内地居民应当出具下列证件和证明材料：（一）本人的户口簿、身份证；（二）本人无配偶的签字声明。",
        "《婚姻登记条例》第五条 办理结婚登记的香港居民应当出具下列证件：（一）有效通行证；",
    ]
