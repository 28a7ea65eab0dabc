"""Citizens' words are personal data: mask identifiers before anything is logged or stored."""

from __future__ import annotations

import re

# 18-digit resident ID (last char may be X) and legacy 15-digit IDs.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})(\d{8}|\d{6})(\d{3}[0-9Xx]|\d{1})(?![0-9A-Za-z])")
# Mainland mobile numbers (optionally +86 / spaced / dashed) and landlines like 021-12345678.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")


# Any other long number, digits grouped or not (an ID read out 6-8-4, a bank card's 4-4-4-4): eleven digits or more
# in a citizen's question are an identifier, never a fee or a date.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){10,}(?:[ -]?[Xx])?(?![0-9A-Za-z])")
# The same read out in Chinese digits, as speech recognition may write it (一三九…, 幺三九…)
_CN_NUMBER = re.compile(r"[零〇一二三四五六七八九幺两](?:[ -]?[零〇一二三四五六七八九幺两]){10,}")
_NUMBERS = (_MOBILE, _LANDLINE, _LONG_NUMBER, _CN_NUMBER)
# A citizen's own name as they introduce themselves (我叫王建国 / 我姓王，…), up to a pause. Not 我是…: 我是残疾人 and
# 我是外地户口 say who is asking, which decides the rule.
_SELF_NAME = re.compile(
    r"(?:我|本人)(?:的名字[叫是]|名字[叫是]|名叫|叫|姓)(?P<name>[\u4e00-\u9fff]{1,4})(?=[\s，,。；;！!？?]|$)"
)

# A vehicle plate (沪A12345, 京A·D12345), with the label that introduces it
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·\s-]?[A-HJ-NP-Z0-9]{5,6}"
    r"(?![A-Za-z0-9])"
)
_PLATE_LABEL = r"(?:我的?|本人的?)?(?:车牌号?码?|车号)(?:是|为|[:：])?\s*"
# A home address (我住在阳光花园小区3栋, 家住幸福路12号), up to a pause; only one with a house number or a housing
# estate's word is taken for an address: 我住在外地, 我住在上海 and 我住在这里3年了 say where and how long, which the
# rule may turn on, and the 住在 of 居住在本市 introduces no one's address
_ADDRESS = re.compile(
    r"(?P<label>(?:(?:我家|我们家|我)?(?<!居)住在|家住|(?:我的?|家庭)?(?:住址|地址)是?)[:：]?\s*)(?P<place>[^\s，,。；;！!？?]{2,30})"
)
_ADDRESS_LIKE = re.compile(r"\d+\s*(?:号|栋|幢|单元|室|弄|楼|层)|小区|花园|公寓|新村|大厦|家园|苑")
# "my phone is" before a phone number is contact detail, not the question
_PHONE_LABEL = r"(?:我的?|本人的?)?(?:手机号?码?|电话号?码?|座机号?码?|联系电话|联系方式)(?:是|为|[:：])?\s*"
# "my ID number is" before an ID number: contact detail too, unless the ID card is what is asked about (我身份证号是…
# 丢了怎么办), which only the caller can tell (`labels`); likewise 车牌 before a plate (…被扣了怎么处理)
_ID_LABEL = r"(?:我的?|本人的?)?身份证(?:号码?)?(?:是|为|[:：])?\s*"  # 身份证110…: said without 号 too


def drop_personal_data(text: str, *, labels: bool = False) -> str:
    """The text without ID-card and phone numbers, plates, a home address or the citizen's name: what is searched and
    sent to any model or shared server. They say nothing about which rule applies (a long digit run, or a name no
    document uses, only pulls retrieval astray). A phone number's label goes with it; an ID number's and a plate's
    too when `labels`."""
    if labels:
        text = re.sub(_ID_LABEL + _ID_CARD.pattern, " ", text)
        text = re.sub(_PLATE_LABEL + _PLATE.pattern, " ", text)
    text = _SELF_NAME.sub(" ", text)
    text = _ADDRESS.sub(lambda m: " " if _is_address(m) else m.group(0), text)
    text = _PLATE.sub(" ", text)
    text = _ID_CARD.sub(" ", text)
    for number in _NUMBERS:
        text = re.sub(_PHONE_LABEL + number.pattern, " ", text)  # the number with its label, or alone
        text = number.sub(" ", text)
    text = re.sub(r"\s+(?=[，,。；;、？?！!])", "", text)  # no gap left before punctuation
    text = re.sub(r"([，,；;、])(?:\s*[，,；;、])+", r"\1", text)  # nor a run of commas where numbers were
    return re.sub(r"\s{2,}", " ", text).strip(" ，,；;、").lstrip("。 ")


def mask_personal_data(text: str) -> str:
    """Replace ID-card and phone numbers, plates and a home address with masked forms that keep only a short prefix,
    and a name the citizen gave with its first character (我叫王**)."""
    text = _SELF_NAME.sub(_masked_name, text)
    text = _ADDRESS.sub(_masked_address, text)
    text = _PLATE.sub(lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)
    text = _ID_CARD.sub(lambda m: m.group(1)[:3] + "*" * (len(m.group(0)) - 3), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "*" * 8, text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "-" + "*" * len(m.group(2)), text)
    for number in (_LONG_NUMBER, _CN_NUMBER):  # the first three characters stay, as for an ID card
        text = number.sub(lambda m: m.group(0)[:3] + re.sub(r"[^ -]", "*", m.group(0)[3:]), text)
    return text


def _masked_name(match: re.Match[str]) -> str:
    name = match["name"]
    return match.group(0)[: match.start("name") - match.start()] + name[0] + "*" * (len(name) - 1)


def _is_address(match: re.Match[str]) -> bool:
    return bool(_ADDRESS_LIKE.search(match["place"]))


def _masked_address(match: re.Match[str]) -> str:
    if not _is_address(match):
        return match.group(0)
    place = match["place"]
    return match["label"] + place[:2] + "*" * (len(place) - 2)
