"""Numbers as citizens say them (and as speech recognition writes them), names, addresses and plates are masked
before logging and dropped before search (core/privacy.py)."""

from __future__ import annotations

import pytest

from core.privacy import drop_personal_data, mask_personal_data


@pytest.mark.parametrize(
    ("said", "masked", "searched"),
    [
        ("我的身份证号是110101 19900307 1234", "我的身份证号是110*** ******** ****", "我的身份证号是"),
        ("身份证110101-19900307-1234 丢了怎么办", "身份证110***-********-**** 丢了怎么办", "身份证 丢了怎么办"),
        ("我的身份证号是一一零一零一一九九零零三零七一二三四", "我的身份证号是一一零***************", "我的身份证号是"),
        ("电话是幺三九幺二三四五六七八 低保怎么申请", "电话是幺三九******** 低保怎么申请", "低保怎么申请"),
        ("我的银行卡6222 0212 3456 7890 能领失业金吗", "我的银行卡622* **** **** **** 能领失业金吗", "我的银行卡 能领失业金吗"),
        # a name the citizen gives, a home address, a plate
        ("我叫王建国 低保怎么申请", "我叫王** 低保怎么申请", "低保怎么申请"),
        ("本人名叫欧阳娜娜。身份证丢了怎么补", "本人名叫欧***。身份证丢了怎么补", "身份证丢了怎么补"),
        ("我的名字是李四，电话13812345678，失业金怎么领", "我的名字是李*，电话138********，失业金怎么领", "失业金怎么领"),
        ("我住在阳光花园小区3栋 低保怎么申请", "我住在阳光****** 低保怎么申请", "低保怎么申请"),
        ("地址：朝阳区建国路88号，社保卡怎么补", "地址：朝阳*******，社保卡怎么补", "社保卡怎么补"),
        ("沪A12345被扣了怎么处理", "沪A*****被扣了怎么处理", "被扣了怎么处理"),
        ("我叫李秀英 住在和平里小区5号楼", "我叫李** 住在和平******", ""),
    ],
)
def test_identifiers_names_addresses_and_plates_are_masked_and_dropped(said: str, masked: str, searched: str) -> None:
    assert mask_personal_data(said) == masked
    assert drop_personal_data(said) == searched


@pytest.mark.parametrize(
    "question",
    ["2024年的低保标准是多少", "失业金能领12个月吗 每月1000元够吗", "第一二三条说的是什么", "打12345能问吗", "一二三四五六七八九十"],
)
def test_figures_dates_and_short_numbers_stay(question: str) -> None:
    assert mask_personal_data(question) == question
    assert drop_personal_data(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "我是残疾人 能开店吗", "我叫不上来这个证的名字", "孩子叫什么名字都行吗", "我住在外地 能办居住证吗", "我住在上海 低保怎么申请",
        "我住在这里3年了 能落户吗", "居住在上海满6个月 能办居住证吗",
    ],
)
def test_who_and_where_the_asker_is_stays(question: str) -> None:
    """Who is asking and the place the rule applies in decide the answer: neither is taken for a name or an address."""
    assert mask_personal_data(question) == question
    assert drop_personal_data(question) == question

