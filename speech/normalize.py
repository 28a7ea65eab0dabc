"""Text normalisation before synthesis: what a hall assistant writes → what a Mandarin voice should say.

Offline voices drop anything that is not a Chinese character (digits, Latin letters) and read 2张 as 二张,
so numbers, phone numbers, dates, times, amounts and abbreviations are spelled out here; citation markers
and markdown are removed because they are for the screen, not the ear.
"""

from __future__ import annotations

import re

import cn2an

DIGITS = "零一二三四五六七八九"
LETTERS = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批", "Q": "丘", "R": "阿尔",
    "S": "艾斯", "T": "提", "U": "优", "V": "维", "W": "达布溜", "X": "艾克斯", "Y": "外", "Z": "贼",
}  # fmt: skip
# Words better said as words than spelled (lower-cased keys).
LATIN_WORDS = {"wifi": "歪飞"}
MEASURE_WORDS = "张个份次天名位项件本种类条户人岁年月周小时分钟页栋套辆元块万千百亿"

_CITATION = re.compile(r"\[\^?\d+(?:[,，\-–]\s*\d+)*\]|【\d+(?:[,，]\d+)*】|〔\d+〕")
_MARKDOWN = re.compile(r"\*\*|__|`+|^#{1,6}\s*|^\s*[-*+]\s+|^\s*>\s*", re.MULTILINE)
_URL = re.compile(r"https?://\S+|www\.\S+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DATE_YMD = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*[日号]?")
_YEAR = re.compile(r"(\d{4})\s*年")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*([日号])")
_TIME = r"(\d{1,2})[:：](\d{2})"
_TIME_RANGE = re.compile(_TIME + r"\s*[-–—~～至到]\s*" + _TIME)
_TIME_ONE = re.compile(_TIME)
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:400-?\d{3}-?\d{4}|0\d{2,3}-\d{7,8}|1[3-9]\d{9}|0\d{9,11})(?!\d)")
_LONG_DIGITS = re.compile(r"(?<![\d.])\d{5,}(?![\d.])(?!\s*(?:元|块|万|亿|人|户|平方|米|公里|千克|%|％))")
_CURRENCY = re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_NUMBER_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*[-~～–]\s*(\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"[ \t]+")


def digits_one_by_one(text: str) -> str:
    return "".join(DIGITS[int(c)] if c.isdigit() else ("叉" if c in "Xx" else "") for c in text)


def number_words(number: str) -> str:
    """'120' → 一百二十, '3.50' → 三点五零, '007' → 零零七."""
    if len(number) > 1 and number.startswith("0") and "." not in number:
        return digits_one_by_one(number)
    if "." in number:
        whole, frac = number.split(".", 1)
        return f"{cn2an.an2cn(whole)}点{digits_one_by_one(frac)}"
    return cn2an.an2cn(number)


def _clock(hour: str, minute: str) -> str:
    spoken = f"{number_words(str(int(hour)))}点"
    if int(minute) == 0:
        return spoken
    if minute.startswith("0"):
        return f"{spoken}零{DIGITS[int(minute[1])]}分"
    return f"{spoken}{number_words(minute)}分"


def _plain_number(match: re.Match[str]) -> str:
    number = match.group(0)
    text = match.string
    after = text[match.end() : match.end() + 1]
    before = text[match.start() - 1 : match.start()] if match.start() else ""
    if number == "2" and after and after in MEASURE_WORDS and before != "第":
        return "两"
    return number_words(number)


def spell_latin(text: str) -> str:
    def spell(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in LATIN_WORDS:
            return LATIN_WORDS[word.lower()]
        return "".join(LETTERS[c] for c in word.upper())

    return _LATIN.sub(spell, text)


def normalize_for_speech(text: str, *, spell_letters: bool = True) -> str:
    """Spell out everything a voice would skip or misread. `spell_letters=False` keeps Latin words (edge-tts reads them)."""
    text = _CITATION.sub("", text)
    text = _URL.sub("", text)
    text = _MARKDOWN.sub("", text)
    text = text.replace("《", "").replace("》", "")
    text = _THOUSANDS.sub("", text)
    text = _DATE_YMD.sub(
        lambda m: f"{digits_one_by_one(m.group(1))}年{number_words(str(int(m.group(2))))}月{number_words(str(int(m.group(3))))}日",
        text,
    )
    text = _YEAR.sub(lambda m: f"{digits_one_by_one(m.group(1))}年", text)
    text = _MONTH_DAY.sub(
        lambda m: f"{number_words(str(int(m.group(1))))}月{number_words(str(int(m.group(2))))}{m.group(3)}", text
    )
    text = _TIME_RANGE.sub(lambda m: f"{_clock(m.group(1), m.group(2))}至{_clock(m.group(3), m.group(4))}", text)
    text = _TIME_ONE.sub(lambda m: _clock(m.group(1), m.group(2)), text)
    text = _ID_CARD.sub(lambda m: digits_one_by_one(m.group(0)), text)
    text = _PHONE.sub(lambda m: digits_one_by_one(m.group(0)), text)
    text = _LONG_DIGITS.sub(lambda m: digits_one_by_one(m.group(0)), text)
    text = _CURRENCY.sub(lambda m: f"{number_words(m.group(1))}元", text)
    text = _PERCENT.sub(lambda m: f"百分之{number_words(m.group(1))}", text)
    text = _NUMBER_RANGE.sub(lambda m: f"{number_words(m.group(1))}至{number_words(m.group(2))}", text)
    text = _NUMBER.sub(_plain_number, text)
    if spell_letters:
        text = spell_latin(text)
    text = re.sub(r"\s*\n+\s*", "。", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "，", text)  # a space between words is a pause
    return _SPACES.sub(" ", text).strip()


_CLAUSE_END = re.compile(r"(?<=[。！？；!?;，、：])|(?<=[,:])(?!\d)")  # 9:00 is not a clause end


def split_clauses(text: str, min_chars: int = 6, first_min_chars: int | None = None) -> list[str]:
    """Split at punctuation for streaming synthesis; tiny pieces are merged into the next one.

    `first_min_chars` lets a short opening ("您好，") go out alone, so the first audio is ready sooner.
    """
    pieces = [p.strip() for p in _CLAUSE_END.split(text) if p and p.strip()]
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        carry += piece
        needed = min_chars if merged or first_min_chars is None else first_min_chars
        if len(re.sub(r"\W", "", carry)) >= needed:
            merged.append(carry)
            carry = ""
    if carry:
        if merged and len(re.sub(r"\W", "", carry)) < min_chars:
            merged[-1] += carry
        else:
            merged.append(carry)
    return merged
