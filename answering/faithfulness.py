"""Numbers are where a wrong answer hurts (fees, deadlines, ages): every number said must be in the sources."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import cn2an

from answering.deadlines import asks_deadline_without_a_unit, states_deadline
from knowledge_base.question import APPROXIMATE

_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(周岁|岁|元|年|个月|月|日|天|小时|分钟|次|人|%|倍|个|项|张|份)?")
_UNIT_SYNONYMS = {"天": "日", "周岁": "岁", "个月": "月", "": ""}
_ARTICLE_REF = re.compile(r"第\s*[零〇一二三四五六七八九十百千两\d]+\s*条")
# cn2an turns every 一 into 1 (统一 → 统1); "1" in an answer proves nothing either way.
_ALWAYS_ALLOWED = {"1", "12345"}


def arabic_numerals(text: str) -> str:
    """Chinese numerals as digits (三十二 → 32); the text as written where cn2an rejects it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.transform(text, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return text


def numbers_in(text: str) -> set[str]:
    """Numbers a text states, Chinese numerals included; article references (第九条) are citations, not facts."""
    return {number for number, _ in quantities_in(text)}


def quantities_in(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs: 十五日 → ("15", "日"); 15天 → ("15", "日"); a bare number has unit ""."""
    text = arabic_numerals(_ARTICLE_REF.sub(" ", text))
    return {(m.group(1), _UNIT_SYNONYMS.get(m.group(2) or "", m.group(2) or "")) for m in _QUANTITY.finditer(text)}


def unsupported_numbers(sentence: str, sources: Iterable[str]) -> list[str]:
    """Quantities in the sentence that no source states: 20元 is unsupported by a source that only says 20年."""
    allowed = {(n, "") for n in _ALWAYS_ALLOWED}
    for source in sources:
        allowed |= quantities_in(source)
    allowed_numbers = {n for n, _ in allowed}
    invented = []
    for number, unit in quantities_in(sentence):
        if number in _ALWAYS_ALLOWED:
            continue
        if number not in allowed_numbers or unit and (number, unit) not in allowed and (number, "") not in allowed:
            invented.append(number + unit)
    return sorted(invented)


# A question after a specific figure, and what stating that figure looks like in a passage. A quoted rule that
# only says who sets the figure ("工本费标准由…核定") answers the question in principle but not the figure itself.
_FIGURES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    # 工本费多少, 手续费要多少: a fee named, then how much
    (
        "金额",
        re.compile(r"多少钱|几块钱|多少元|费用?(?:是|要|得|大概|一般)?多少(?![天年月次人岁分日个小时])|标准是多少"),
        re.compile(r"\d+(?:\.\d+)?\s*(?:万|千)?元|\d+\s*倍"),  # a fine as a multiple: 处骗取金额2倍以上5倍以下的罚款
    ),
    # paid in or paid out without naming money (交多少, 能领多少), or a benefit or a month's pay asked after without a
    # verb (高龄津贴每月多少, 生育补贴有多少, 一个月大概多少): a share of a wage or a base states it too
    (
        "金额",
        re.compile(
            r"(?:收|交|给|拿|领|发|补|赔|扣|取|提|退|减|免|罚|(?:涨|增|加|调|提高)了?)多少(?![钱元天年月次人岁分日个小])"
            r"|(?:补贴|津贴|补助金?|救助金|抚恤金|奖励金?|奖金|退休金|养老金|失业金|低保金?|每月|每个月|一个月|每年)"
            r"(?:能|能有|有|是|大概|一般|大概有|一般有)?多少(?![钱元天年月次人岁分日个小])"
        ),
        re.compile(
            r"\d+(?:\.\d+)?\s*(?:万|千)?元|\d+(?:\.\d+)?\s*%|百分之[零一二三四五六七八九十\d]+|\d+\s*个月的.{0,12}工资|\d+\s*倍"
        ),
    ),
    # 算不算利息 asks whether, not how much: 按国家规定的利率计息 answers it
    # …, and a bare 公积金利率 (the rate named and nothing else asked)
    ("利率", re.compile(r"(?:利率|利息).{0,4}(?:多少|几)|多少利息|几个点|利率(?:是|呢|啊|呀)?[？?。\s]*$"), re.compile(r"\d+(?:\.\d+)?\s*%")),
    ("办公时间", re.compile(r"几点|上不上班|办公时间"), re.compile(r"\d{1,2}\s*(?:[:：]\d{2}|点|时)")),
    ("分数", re.compile(r"多少分|几分(?![钟之])"), re.compile(r"\d+\s*分(?!之|钟)")),
    # an age: 退休年龄是多少岁 is not answered by 达到法定退休年龄时…按月领取
    ("年龄", re.compile(rf"多少岁|(?<![{APPROXIMATE}])几岁|多大岁数|多大年纪|多大年龄"), re.compile(r"\d+\s*周?岁")),
    # a discount is a share too: 能打几折 is not answered by 享受优待
    (
        "比例",
        re.compile(r"百分之多少|百分之几|几成|比例是多少|多少比例|比例多少|报销多少|报多少|能报几|几折|多少折"),
        re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九\d]\s*折"),
    ),
    ("额度", re.compile(r"最多能贷|能贷多少|贷多少|额度是多少|额度多少|多少万"), re.compile(r"\d+(?:\.\d+)?\s*万?元")),
    # …in months or years too (按几个月除, 计发月数是多少): 按月领取 states no count; 交了好几年, 当兵那几年, 前几天走了, 休了几天假
    # ask nothing (以后几天之内 does);
    # kept for good is a length too (档案会保存多少年: 婚姻登记档案应当长期保管; 登记簿由…永久保存)
    (
        "时长",
        re.compile(
            rf"多少天|(?<![好了过这那前头{APPROXIMATE}])几天|多少个?工作日|几个工作日|多长时间|多久"
            rf"|(?<![好了过这那前后头{APPROXIMATE}])(?:几个月|几年(?!级))|多少个月|多少年(?!龄|纪)"
            r"|(?:月数|天数|年数|年限)(?:是|为|有)?多少"
        ),
        re.compile(
            r"[\d零〇一二三四五六七八九十百千两半]+\s*(?:个)?(?:工作日|日|天|月|年|小时|分钟)|当场|当日|即时|立即"
            r"|(?:长期|永久)(?:保管|保存|有效)"
        ),
    ),
    # …and 月数 by name is a count of months: 计发月数是多少 is not answered by 累计缴费满十五年
    ("时长", re.compile(r"月数"), re.compile(r"[\d零〇一二三四五六七八九十百千两]+\s*个?月")),
    # …and a day of the month (失业金每个月几号发): 按月发放 states no day; 几号窗口 asks the hall, not a date
    (
        "日期",
        re.compile(r"几月份|几号开始|什么日子|几月几号|几号(?:发|打|到|给|交|扣|缴|截止|之前|以前|前)"),
        re.compile(r"\d+\s*月\s*\d*\s*日?|\d+\s*日(?:前|之前|以前)"),
    ),
    # what a photo or form must look like (护照照片要什么背景): 近期免冠照片 names the photo, not its background
    ("规格", re.compile(r"(?:什么|啥|哪种)(?:颜色的?)?(?:背景|底色)|背景色|底色|(?:什么|啥)颜色"), re.compile(r"背景|底色|颜色|[白蓝红]底")),
    # how many photos, copies or inches: 几张 is not answered by a list of documents that names no count
    ("数量", re.compile(r"几张|几寸|几份|多少张|多少份"), re.compile(r"[\d一二两三四五六七八九十]+\s*(?:张|寸|份)")),
    # how many times (一年能提几次): 好几次, 介绍了几次 say it happened, they do not ask
    ("次数", re.compile(rf"(?<![好了过{APPROXIMATE}])(?:几次|多少次|几回|多少回)"), re.compile(r"[\d一二两三四五六七八九十]+\s*(?:次|回)(?!性)")),
    # a grade (护理补贴几级才能领, 伤残评到几级): 对生活不能自理的残疾人…给予护理补贴 names no grade; 哪级政府 asks an office
    ("等级", re.compile(r"几级|多少级|什么等级|哪个等级"), re.compile(r"[\d一二两三四五六七八九十]+\s*级")),
    # from when a period runs: 自办理失业登记之日起计算 answers 从哪天开始算 without a calendar date
    ("日期", re.compile(r"哪天开始|哪天起|从哪天|什么时候开始算|从什么时候(?:开始|起)?算"), re.compile(r"\d+\s*月\s*\d*\s*日?|之日起|之日|次日|当日|起计算|起算")),
    # a bound asked for: 缴存比例最高能到多少 (最高能交到工资的百分之几) is not answered by 不得低于5%, nor 最少交几年 by
    # 最长为二十四个月
    ("上限", re.compile(r"(?:最高|最多|上限|封顶)(?:.{0,6}|[^，。？?\s]{0,10})(?:多少|几|多久|多长)"), re.compile(r"最高|最多|最长|上限|至多|不得?(?:超过|高于|多于)|以内|之内|\d+\s*个?(?:工作日|日|天|月|年)内")),
    ("下限", re.compile(r"(?:最低|最少|至少)(?:.{0,6}|[^，。？?\s]{0,10})(?:多少|几)"), re.compile(r"最低|最少|至少|不得?(?:低于|少于)|以上")),
)


FIGURE_KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for kind, _, _ in _FIGURES))
_BOUNDS = ("上限", "下限")

# The kinds of fact (knowledge_base.question's `asks`) each figure is an instance of; a bound (最多/最少) is the
# point of whatever it bounds.
_FIGURE_ASKS: dict[str, frozenset[str]] = {
    "金额": frozenset({"费用", "金额"}), "利率": frozenset({"费用", "金额"}), "比例": frozenset({"费用", "金额"}),
    "额度": frozenset({"费用", "金额"}), "分数": frozenset({"金额"}), "时长": frozenset({"期限"}),
    "日期": frozenset({"期限"}), "办公时间": frozenset({"期限", "地点"}), "数量": frozenset({"材料"}),
}
# 条件 (能不能, 是不是) and 其他 match almost any passage: they are no evidence that the rest of a question is answered.
_LOOSE_ASKS = frozenset({"条件", "其他"})


# who sets a figure (补多少是谁定的, 标准怎么定) is answered by a rule that names who sets it, though it states no figure
WHO_SETS_ASKED = re.compile(r"谁定|谁规定|谁说了算|谁来定|由谁定|怎么定|咋定|按什么定|根据什么定|谁确定|谁制定")
SET_BY = re.compile(r"由[^，。；]{1,40}?(?:规定|确定|制定|核定|决定)")


def answers_who_sets(question: str, passage: str) -> bool:
    """Whether the question asks who sets a figure and the passage names who does (标准由省…人民政府规定)."""
    return bool(WHO_SETS_ASKED.search(question) and SET_BY.search(passage))


def asks_beyond(asks: str, missing: list[str]) -> bool:
    """Whether the question's kind of fact is something other than the missing figures: 要不要交工本费 … 多久能拿到
    asks about a fee, and a rule that states the fee answers that part though it names no duration."""
    if asks in _LOOSE_ASKS or any(kind not in _FIGURE_ASKS for kind in missing):
        return False
    return all(asks not in _FIGURE_ASKS[kind] for kind in missing)


def asked_figures(question: str, passage: str) -> dict[str, bool]:
    """Each kind of figure ("金额", "时长", …) the question asks for, in the order of `_FIGURES`, and whether the
    passage states it."""
    text = arabic_numerals(passage)
    asked: dict[str, bool] = {}
    for kind, asks, states in _FIGURES:
        if asks.search(question):
            asked[kind] = asked.get(kind, True) and bool(states.search(text))
    # by when one must act, asked without a unit, is stated without a number too (多久之内要去变更登记: 应当在迁入新住所前
    # 申请变更登记); 几天之内 asks a count of days
    if asked.get("时长") is False and asks_deadline_without_a_unit(question) and states_deadline(text):
        asked["时长"] = True
    # a bound asked and not stated leaves the figure it bounds unanswered: 不得低于5% is a share, but no answer to
    # 最高能交到工资的百分之几, whose reply names the bound as what is missing
    unstated_bounds = [kind for kind in _BOUNDS if asked.get(kind) is False]
    if unstated_bounds:
        bounded_stated = any(stated for kind, stated in asked.items() if kind not in _BOUNDS)
        asked = dict.fromkeys([*unstated_bounds, *asked] if bounded_stated else asked, False)
    return asked


# how an amount is worked out or who sets it, which an article stating no figure may still say (失业保险金的标准，按照低于
# 当地最低工资标准…的水平，由…确定)
_AMOUNT_RULE = re.compile(r"标准|计发|基数")


def asks_amount(question: str) -> bool:
    """Whether the question asks how much money is paid, paid in or fined (失业金一个月能领多少, 这种要罚多少)."""
    return any(kind == "金额" and asks.search(question) for kind, asks, _ in _FIGURES)


def states_amount(passage: str) -> bool:
    """Whether the passage states an amount, a share or multiple, how an amount is worked out, or who sets it."""
    text = arabic_numerals(passage)
    return (
        any(kind == "金额" and states.search(text) for kind, _, states in _FIGURES)
        or bool(_AMOUNT_RULE.search(passage) or SET_BY.search(passage))
    )


def missing_figure(question: str, passage: str) -> str | None:
    """The first kind of figure the question asks for and the passage does not state, else None."""
    return next((kind for kind, stated in asked_figures(question, passage).items() if not stated), None)
