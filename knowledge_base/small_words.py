"""Small words of a question that a recogniser (or a pinyin keyboard) gives as others of the same sound.

A question's particles carry what it asks: 吗 and 不 at the end of a clause make it a yes/no question, 啥 asks which
thing, 办 names the service. Whisper hears them as whatever syllable fits best (要交忙, 能拿失业金部, 带傻材料,
半居住证), and the question then asks nothing, or asks about being busy. Each is read back only where the heard
character cannot be what was meant: it ends no word of general Chinese (帮忙, 密码, 小卖部 and 一半 stay), and the
character before it leaves no other reading (在哪买 stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge_base.terms import Correction

# 吗 heard at the end of a clause: ma, mai, mang (men is left: 出不了门)
_MA = "忙码马嘛骂卖买"
# …buying is asked for after these (在哪买, 能买, 去买, 在他们那买), and being busy or a favour after these (帮个忙, 很忙)
_BUYING_AFTER = "能要去来哪那这得再会想我可还都就"
_BUSY_AFTER = "个很太挺真好在不点先别正都也白瞎"
# 不 heard at the end of a clause (被辞退了能拿失业金部); not 补 (怎么补, 去哪补 ask how to replace) nor 布 (买块布)
_BU = "部步"
# 啥 heard as sha of another tone, after a verb that asks for a thing (带傻材料, 办傻手续, 有杀后果)
_SHA = "傻杀沙撒煞"
_ASKING_VERBS = "带交办有是干要受备供开做弄搞"
# what 办 is said of: a certificate, card or booklet, or a service by name (半居住证, 半户口, 半傻手续)
_THING_TAILS = "证照卡本"
_SERVICES = ("户口", "手续", "低保", "社保", "医保", "结婚", "离婚", "登记", "执照", "啥", "什么", "哪些")
_CLAUSE_END = re.compile(r"[\s，,。．.；;？?！!、]|$")


def _ends_clause(text: str, i: int) -> bool:
    return bool(_CLAUSE_END.match(text, i + 1))


def read_small_words(
    question: str, is_word: Callable[[str], bool], first_word: Callable[[str], str]
) -> tuple[str, list[Correction]]:
    """The question with misheard particles, 啥 and 办 read back; `is_word` tells general Chinese's words,
    `first_word(text)` the first word of a text as cut."""
    chars = list(question)
    corrections: list[Correction] = []
    for i, ch in enumerate(chars):
        prev = question[i - 1] if i else ""
        after_word = "\u4e00" <= prev <= "\u9fff"
        meant = None
        particle = (ch in _MA or ch in _BU) and after_word and _ends_clause(question, i)
        if particle and not _ends_a_word(question, i, is_word):
            bought_or_busy = (ch in "买卖" and prev in _BUYING_AFTER) or (ch == "忙" and prev in _BUSY_AFTER)
            meant = "不" if ch in _BU else (None if bought_or_busy else "吗")
        elif ch in _SHA and prev and prev in _ASKING_VERBS and not _makes_a_word(ch, question[i + 1 : i + 2], is_word):
            meant = "啥"
        elif ch == "半" and _said_of_a_service(question, i, is_word, first_word):
            meant = "办"
        if meant is not None:
            corrections.append(Correction(prev + ch, prev + meant))
            chars[i] = meant
    return "".join(chars), corrections


def _ends_a_word(text: str, i: int, is_word: Callable[[str], bool]) -> bool:
    """帮忙, 密码, 小卖部: the character at i ends a word of two to four characters."""
    return any(is_word(text[j : i + 1]) for j in range(max(0, i - 3), i))


def _makes_a_word(ch: str, after: str, is_word: Callable[[str], bool]) -> bool:
    """沙发, 杀人: the heard character begins a word with the next one."""
    return bool(after) and is_word(ch + after)


def _said_of_a_service(
    question: str, i: int, is_word: Callable[[str], bool], first_word: Callable[[str], str]
) -> bool:
    """半 where 办 is meant: before a certificate or service (半身份证, 半户口), or ending a clause after a verb
    phrase (去哪半, 怎么半) where no 一半, 多半 is said."""
    prev = question[i - 1 : i]
    if prev and is_word(prev + "半"):
        return False
    if _ends_clause(question, i):
        return "\u4e00" <= prev <= "\u9fff"
    after = first_word(question[i + 1 :])
    return after.endswith(tuple(_THING_TAILS)) or after in _SERVICES
