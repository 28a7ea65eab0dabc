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

# "my phone is" before a phone number is contact detail, not the question
_PHONE_LABEL = r"(?:我的?|本人的?)?(?:手机号?码?|电话号?码?|座机号?码?|联系电话|联系方式)(?:是|为|[:：])?\s*"
# "my ID number is" before an ID number: contact detail too, unless the ID card is what is asked about (我身份证号是…
# 丢了怎么办), which only the caller can tell (`id_label`)
_ID_LABEL = r"(?:我的?|本人的?)?身份证号码?(?:是|为|[:：])?\s*"


def drop_personal_data(text: str, *, id_label: bool = False) -> str:
    """The text without ID-card and phone numbers or the citizen's name: what is searched and sent to any model or
    shared server. They say nothing about which rule applies (a long digit run, or a name no document uses, only pulls
    retrieval astray). A phone number's label goes with it; an ID number's label too when `id_label`."""
    if id_label:
        text = re.sub(_ID_LABEL + _ID_CARD.pattern, " ", text)
    text = _SELF_NAME.sub(" ", text)
    text = _ID_CARD.sub(" ", text)
    for number in _NUMBERS:
        text = re.sub(_PHONE_LABEL + number.pattern, " ", text)  # the number with its label, or alone
        text = number.sub(" ", text)
    text = re.sub(r"\s+(?=[，,。；;、？?！!])", "", text)  # no gap left before punctuation
    text = re.sub(r"([，,；;、])(?:\s*[，,；;、])+", r"\1", text)  # nor a run of commas where numbers were
    return re.sub(r"\s{2,}", " ", text).strip(" ，,；;、").lstrip("。 ")


def mask_personal_data(text: str) -> str:
    """Replace ID-card and phone numbers with masked forms that keep only a short prefix, and a name the citizen
    gave with its first character (我叫王**)."""
    text = _SELF_NAME.sub(_masked_name, text)
    text = _ID_CARD.sub(lambda m: m.group(1)[:3] + "*" * (len(m.group(0)) - 3), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "*" * 8, text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "-" + "*" * len(m.group(2)), text)
    for number in (_LONG_NUMBER, _CN_NUMBER):  # the first three characters stay, as for an ID card
        text = number.sub(lambda m: m.group(0)[:3] + re.sub(r"[^ -]", "*", m.group(0)[3:]), text)
    return text


def _masked_name(match: re.Match[str]) -> str:
    name = match["name"]
    return match.group(0)[: match.start("name") - match.start()] + name[0] + "*" * (len(name) - 1)
