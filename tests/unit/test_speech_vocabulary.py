"""Domain vocabulary, simplified output, number normalisation and hallucination filtering (no model)."""

from __future__ import annotations

from core.script import to_simplified
from speech.transcriber import choose_device, is_hallucination, normalize_numbers_for_retrieval
from speech.vocabulary import DEFAULT_SERVICE_TERMS, build_prompt, merge_terms, terms_from_titles


def test_titles_become_service_terms() -> None:
    titles = ["居住证暂行条例(2015-11-26).md", "《住房公积金管理条例》", "工伤保险条例", "不动产登记暂行条例实施细则"]
    assert terms_from_titles(titles) == ["居住证", "住房公积金管理", "工伤保险", "不动产登记暂行条例"]


def test_prompt_lists_terms_within_its_budget() -> None:
    prompt = build_prompt("以下是普通话的句子。", DEFAULT_SERVICE_TERMS, max_chars=60)
    assert prompt.startswith("以下是普通话的句子。涉及居住证、")
    assert len(prompt) <= 60
    assert build_prompt("以下是普通话的句子。", []) == "以下是普通话的句子。"


def test_terms_are_deduplicated_in_order() -> None:
    assert merge_terms(["社保", "低保"], ["低保", "签注"], limit=3) == ["社保", "低保", "签注"]


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("辦理居住證需要帶什麼材料") == "办理居住证需要带什么材料"


def test_article_numbers_match_the_documents() -> None:
    assert normalize_numbers_for_retrieval("第10条说了什么，第3章呢") == "第十条说了什么，第三章呢"
    assert normalize_numbers_for_retrieval("拨打12345") == "拨打12345"
    assert normalize_numbers_for_retrieval("我今年32，孩子16周岁") == "我今年三十二，孩子十六周岁"
    assert normalize_numbers_for_retrieval("9:30开门，2024年，利率3.5%") == "9:30开门，2024年，利率3.5%"


def test_subtitle_credits_and_prompt_echoes_are_hallucinations() -> None:
    prompt = "以下是普通话的句子。涉及居住证、公积金等业务。"
    assert is_hallucination("字幕由Amara.org社区提供", prompt)
    assert is_hallucination("请不吝点赞 订阅 转发", prompt)
    assert is_hallucination("以下是普通话的句子", prompt)
    assert is_hallucination("。。", prompt)
    assert not is_hallucination("办居住证要带什么材料", prompt)


def test_device_choice_respects_explicit_settings() -> None:
    assert choose_device("cpu", "auto").compute_type == "int8"
    assert choose_device("cuda", "auto").compute_type == "float16"
    assert choose_device("cpu", "int8_float32").compute_type == "int8_float32"
    assert choose_device("auto", "auto").device in ("cpu", "cuda")


def test_a_looping_decode_is_recognised() -> None:
    from speech.transcriber import _DEGENERATE

    assert _DEGENERATE.search("首先我们上场上门严严严严严严")
    assert _DEGENERATE.search("好的好的好的好的")
    assert not _DEGENERATE.search("我有的时候说不清楚你们知道吗")
    assert not _DEGENERATE.search("哈哈哈，好的")
