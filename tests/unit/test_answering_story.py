from __future__ import annotations

import pytest

from answering.gate import Gate
from answering.story import is_story_word, untold_but_story
from core.config import KioskConfig
from knowledge_base.profiles import profile_for
from knowledge_base.question import analyse
from knowledge_base.relevance import present
from tests.unit.answering_fakes import FakeVocabulary, hit

_LOW_INCOME_14 = hit(
    "城市居民最低生活保障条例",
    "第十四条",
    "第十四条 享受城市居民最低生活保障待遇的城市居民有下列行为之一的，由县级人民政府民政部门给予批评教育或者警告，"
    "追回其冒领的城市居民最低生活保障款物：（一）采取虚报、隐瞒、伪造等手段，骗取享受城市居民最低生活保障待遇的；"
    "（二）在享受城市居民最低生活保障待遇期间家庭收入情况好转，不按照规定告知管理审批机关，继续享受的。",
    score=0.4,
)


@pytest.mark.parametrize("word", ["邻居家", "儿子", "我爸", "俺娘", "家里人", "老板", "厂里", "外面", "腿脚", "不方便"])
def test_people_places_and_the_body_of_the_askers_life_are_story_words(word: str) -> None:
    assert is_story_word(word)


@pytest.mark.parametrize("word", ["低保", "医保卡", "驾驶证", "辆车", "部门", "用人单位", "残疾人", "儿子们的房子"])
def test_what_is_asked_about_is_not_a_story_word(word: str) -> None:
    assert not is_story_word(word)


def test_a_passage_leaving_untold_only_the_askers_story_is_told_apart_from_one_leaving_out_a_thing() -> None:
    story = analyse("邻居家一直吃低保 儿子在外面挣大钱了也不报 查出来会咋样")
    thing = analyse("邻居家一直吃低保 儿子买了辆车也不报 查出来会咋样")
    # 挣大钱 is the statutes' 收入: the passage names everything asked but the neighbour, the son and 外面
    assert untold_but_story(story, _LOW_INCOME_14.titled_text)
    assert not untold_but_story(thing, _LOW_INCOME_14.titled_text)  # 辆车 is not in it


def test_a_passage_naming_every_word_or_only_general_ones_is_not_let_through() -> None:
    everything = analyse("吃低保的收入好转了不报会怎么样")
    assert everything.subject and all(present(w, _LOW_INCOME_14.titled_text) for w, _ in everything.subject)
    assert not untold_but_story(everything, _LOW_INCOME_14.titled_text)
    general = analyse("邻居家的事归哪个部门管")  # 部门 is named, but nothing specific
    assert not untold_but_story(general, _LOW_INCOME_14.titled_text + " 部门")


def _gate(story_threshold: float) -> Gate:
    config = KioskConfig()
    config.answering.answerable_threshold = 0.99
    config.answering.story_threshold = story_threshold
    vocabulary = FakeVocabulary([_LOW_INCOME_14.titled_text])
    return Gate(config.answering, profile_for(config), lambda: vocabulary)


def test_under_the_threshold_only_a_passage_leaving_untold_the_askers_story_is_quoted_and_not_far_under() -> None:
    question = "邻居家一直吃低保 儿子在外面挣大钱了也不报 查出来会咋样"
    passes = _gate(0.0).check(question, analyse(question), [_LOW_INCOME_14])
    assert passes.verdict.score < 0.99 and passes.refusal is None
    far_under = _gate(0.99).check(question, analyse(question), [_LOW_INCOME_14])
    assert far_under.refusal == far_under.verdict.reason()
    thing = "邻居家一直吃低保 儿子买了辆车也不报 查出来会咋样"
    assert _gate(0.0).check(thing, analyse(thing), [_LOW_INCOME_14]).refusal is not None
