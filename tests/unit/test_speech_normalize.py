"""Text normalisation before synthesis: what the voice must say for what the assistant wrote."""

from __future__ import annotations

import pytest

from speech.normalize import normalize_for_speech, split_clauses

CASES = [
    ("请拨打12345热线", "请拨打一二三四五热线"),
    ("电话13812345678", "电话一三八一二三四五六七八"),
    ("座机0571-88888888", "座机零五七一八八八八八八八八"),
    ("办理时间9:00-17:00", "办理时间九点至十七点"),
    ("中午12:30休息", "中午十二点三十分休息"),
    ("8:05开门", "八点零五分开门"),
    ("2024年1月5日起施行", "二零二四年一月五日起施行"),
    ("2024-03-01", "二零二四年三月一日"),
    ("需要2张照片", "需要两张照片"),
    ("第2条规定", "第二条规定"),
    ("12张表", "十二张表"),
    ("收费20元", "收费二十元"),
    ("约¥1,500", "约一千五百元"),
    ("补助3.5万元", "补助三点五万元"),
    ("占50%", "占百分之五十"),
    ("3-5个工作日", "三至五个工作日"),
    ("下载APP", "下载诶批批"),
    ("办ETC", "办伊提西"),
    ("详见《居住证暂行条例》第十条[1]【2】", "详见居住证暂行条例第十条"),
    ("**材料**：身份证", "材料：身份证"),
    ("编号00123", "编号零零一二三"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_normalisation_table(written: str, spoken: str) -> None:
    assert normalize_for_speech(written) == spoken


def test_edge_keeps_latin_words_but_still_spells_numbers() -> None:
    assert normalize_for_speech("下载APP，拨打12345", spell_letters=False) == "下载APP，拨打一二三四五"


def test_a_space_between_chinese_words_becomes_a_pause() -> None:
    assert normalize_for_speech("三十二 换的新身份证") == "三十二，换的新身份证"


def test_nothing_but_markers_becomes_empty() -> None:
    assert normalize_for_speech("[1]【2】") == ""


def test_clauses_split_at_punctuation_but_not_inside_times() -> None:
    clauses = split_clauses("您好，请问您想办理什么业务？时间是9:00-17:00，欢迎您前来办理。")
    assert clauses == ["您好，请问您想办理什么业务？", "时间是9:00-17:00，", "欢迎您前来办理。"]


def test_tiny_clauses_are_merged() -> None:
    assert split_clauses("好，的，请稍等片刻。") == ["好，的，请稍等片刻。"]
