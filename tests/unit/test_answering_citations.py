from __future__ import annotations

from answering.citations import (
    article_number,
    citation_phrase,
    normalise_title,
    parse_citations,
)
from core.models import Citation
from tests.unit.answering_fakes import ID_CARD_5, RESIDENCE_9, RESIDENCE_12


def test_article_numbers_in_chinese_and_arabic_numerals() -> None:
    assert article_number("第九条") == 9
    assert article_number("第二十一条") == 21
    assert article_number("第 21 条") == 21
    assert article_number("第一百零三条") == 103
    assert article_number(None) is None


def test_titles_are_compared_without_dates_prefix_or_extension() -> None:
    assert normalise_title("中华人民共和国居民身份证法(2011-10-29).md") == "居民身份证法"
    assert normalise_title("《居住证暂行条例》") == "居住证暂行条例"


def test_parses_the_articles_an_answer_cites_and_only_those_supported_by_passages() -> None:
    answer = "需要身份证和相片。依据《居住证暂行条例》第九条、第十二条，以及《中华人民共和国居民身份证法》第5条。"
    cited = parse_citations(answer, [RESIDENCE_9, RESIDENCE_12, ID_CARD_5])
    assert [(c.title, c.article) for c in cited] == [
        ("居住证暂行条例", "第九条"),
        ("居住证暂行条例", "第十二条"),
        ("居民身份证法", "第五条"),
    ]
    assert cited[0].source == "居住证暂行条例(2015-11-26).md"


def test_invented_titles_and_articles_are_not_cited() -> None:
    answer = "依据《护照法》第三条和《居住证暂行条例》第四十条。"
    assert parse_citations(answer, [RESIDENCE_9, RESIDENCE_12]) == []


def test_article_inside_a_passage_text_counts_as_supported() -> None:
    merged = RESIDENCE_9.__class__(**{**RESIDENCE_9.to_dict(), "text": RESIDENCE_9.text + "第十条 每年签注1次。"})
    cited = parse_citations("依据《居住证暂行条例》第十条。", [merged])
    assert cited == [Citation(merged.source, "居住证暂行条例", "第十条")]


def test_numbered_passage_references_map_to_passages() -> None:
    assert parse_citations("见资料[2]。", [RESIDENCE_9, ID_CARD_5]) == [Citation(ID_CARD_5.source, "居民身份证法", "第五条")]


def test_citation_phrase_names_title_and_article() -> None:
    assert citation_phrase([Citation("s", "居住证暂行条例", "第九条")]) == "依据《居住证暂行条例》第九条"


def test_quantities_must_match_number_and_unit() -> None:
    from answering.faithfulness import unsupported_numbers

    sources = ["二十六周岁至四十五周岁的，居民身份证有效期二十年。", "自受理之日起15日内制作发放居住证。", "我今年三十二"]
    assert unsupported_numbers("工本费是20元。", sources) == ["20元"]
    assert unsupported_numbers("有效期二十年，十五天内发放。", sources) == []
    assert unsupported_numbers("您三十二岁，统一办理，一次告知。", sources) == []
    assert unsupported_numbers("3个工作日内办结。", sources) == ["3个"]


def test_missing_figure_kinds() -> None:
    from answering.faithfulness import missing_figure

    assert missing_figure("办港澳通行证要多少钱", "工本费标准由国务院价格主管部门核定。") == "金额"
    assert missing_figure("办港澳通行证要多少钱", "工本费为二十元。") is None
    assert missing_figure("公积金贷款利率是多少", "贷款利率按国家规定执行。") == "利率"
    assert missing_figure("大厅下午几点关门", "办公时间为9:00-17:00。") is None
    assert missing_figure("积分落户要多少分", "建立完善积分落户制度。") == "分数"
    assert missing_figure("办居住证要带什么材料", "提交本人居民身份证。") is None
