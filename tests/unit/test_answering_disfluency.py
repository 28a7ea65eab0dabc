"""Hesitations out of a spoken question (answering/disfluency.py)."""

from __future__ import annotations

from answering.disfluency import without_fillers
from knowledge_base.search_queries import application_query


def test_hesitation_sounds_and_filler_words_go() -> None:
    assert without_fillers("嗯那个我想问一下就是办居住证要带啥").startswith("我想问一下")
    assert without_fillers("那个啥 结婚登记要带啥材料来着") == "结婚登记要带啥材料来着"
    assert without_fillers("哦哦 那护照呢") == "那护照呢"


def test_a_word_said_twice_is_said_once_and_the_question_keeps_its_shape() -> None:
    assert without_fillers("呃 护照 护照怎么办啊") == "护照怎么办啊"
    assert application_query(without_fillers("嗯嗯低保")) == "怎么申请办理最低生活保障"


def test_words_of_the_question_stay() -> None:
    for question in ("那个证怎么办", "这个证要多久", "居住证怎么办啊", "我那个身份证掉了怎么补"):
        assert without_fillers(question) == question, question
    # nothing but a hesitation is a courtesy, answered as one: left as it was
    assert without_fillers("嗯") == "嗯"
    assert without_fillers("啊？") == "啊？"


def test_an_a_not_a_question_is_not_a_word_said_twice() -> None:
    # 能不能不收 is 能不 twice, and 能不收 asks something else
    assert without_fillers("普通小学能不能不收") == "普通小学能不能不收"
    assert without_fillers("要不要不要交钱") == "要不要不要交钱"
    assert without_fillers("低保低保 能领多少") == "低保 能领多少"
