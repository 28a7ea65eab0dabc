"""What a citizen's question is about and what kind of fact it asks for, read without any model.

`subject_words` are the question's content words (居住证, 驾驶证, 失业保险金) weighted by how specific they are in
general Chinese (jieba's bundled word frequencies): the answerability check asks whether a passage is about them.
`asks` is the kind of fact wanted (材料/期限/费用/地点/条件/流程/对象), which decides both whether a passage can
answer and which clause of it is spoken.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import jieba

from knowledge_base.query_expansion import everyday_names

jieba.setLogLevel(logging.WARNING)
_jieba_lock = threading.Lock()

# kind of fact → how a question asks for it
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("费用", re.compile(r"多少钱|几块钱|多少元|收费|收钱|收不收|要钱|花钱|交钱|交多少|费用|工本费|免费|贵不贵|价格|补贴多少|给多少钱")),
    # 材料 handed in already (材料交上去了, 几天能办下来) is not a question about which materials
    ("材料", re.compile(r"材料(?!(?:都|已经)?(?:交上|交了|递上|交到))|带什么|带啥|带哪些|准备什么|准备啥|准备哪些|什么证件|啥证件|哪些证件|什么手续|要什么东西|啥东西|哪些东西|提交什么|提供什么|需要什么|要啥")),
    ("期限", re.compile(r"多久|多长时间|多长期限|几天|多少天|几个月|多少个月|几年|多少年|期限|有效期|什么时候|啥时候|何时|哪天|哪一天|截止|之前|以内|来得及|过期|到期|逾期|时限")),
    ("地点", re.compile(r"去哪|到哪|在哪|哪里|哪儿|哪个部门|哪个单位|哪个机关|找谁|找哪|向谁|什么地方|什么部门|哪个窗口|归谁管|谁管")),
    ("对象", re.compile(r"谁可以|谁能|哪些人|什么人|什么样的人|对象|范围|哪些情况|什么情况")),
    ("金额", re.compile(r"领多少|拿多少|发多少|给多少|标准是|多少钱一个月|补多少|赔多少|报销多少|比例")),
    ("条件", re.compile(r"条件|能不能|可不可以|可以吗|能否|能吗|符合|有资格|算不算|行不行|是否|要不要|需不需要|需要吗|会不会|是不是")),
    ("流程", re.compile(r"怎么办|怎么弄|咋办|咋弄|咋整|流程|步骤|程序|如何|怎样|怎么|咋")),
)

# Clauses of an utterance; one asks when it holds a question word: 签证快到期了, 公司改了经营范围 and 当兵那几年交的公积金
# name a deadline, a scope or a span of years, and ask nothing.
CLAUSE = re.compile(r"[\s，,。；;？?！!]+")
# 有没有, 是不是, 能不能: a question asked by saying a verb and its negation
A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
# 八几年结的婚, 二十几岁, 十几次: a numeral before 几 makes a rough number, not a question (as 了 and 过 do: 交了几年)
APPROXIMATE = "一二三四五六七八九十百两\\d"
_QUESTION_WORD = re.compile(
    rf"吗|呢|么|啥|咋|谁|哪|(?<![那这好了过{APPROXIMATE}])几|多少|多久|多长|多大|是否|能否|可否|如何|怎样|" + A_NOT_A.pattern
    + r"|[不没][？?]?$"
    r"|到底|是[^，,。；;？?\s]{1,10}还是"  # 到底是六十还是六十三: a choice asked
)

# Words that carry no subject: question words, politeness, generic service verbs and pronouns.
_FILLER = frozenset(
    """请问 你好 您好 我想 我要 想问 问问 问一下 一下 咨询 请教 知道 告诉 帮我 帮忙 麻烦 谢谢 可以 能够 需要 应该 应当
    什么 怎么 怎么办 怎样 如何 哪些 哪个 哪里 多少 多久 几天 是不是 是否 能不能 可不可以 要不要 有没有 会不会 还是 或者
    这个 那个 这些 那些 这样 那样 现在 已经 还有 然后 如果 要是 的话 就是 但是 因为 所以 一般 一直 一共 一些 情况 时候
    我们 你们 他们 自己 家里 这儿 那儿 这里 那里 办理 办个 去办 申请 需要 问题 东西 事情 规定 政策 手续 一样 一定 具体
    了解 以及 还要 得去 能办 要求 必须""".split()
    # everyday time words, degree words and directions (交上去以后, 一下子, 接着领): they narrow nothing a passage says
    + """以后 以前 之后 当时 最近 平常 平时 每天 每个 每次 每年 每月 去年 今年 明年 上个月 下个月 这个月 上回 下回 上次
    下次 礼拜 下礼拜 一阵子 段时间 这段 那段 到底 特别 一点 一点儿 一下子 非常 比较 只能 接着 开始 不了 下去 下来 上去
    进去 过来 过去 回去 起来 出来 交上去 我家 你家 他家 别的 其他 除了 有人 这种 那种 这边 那边 这么 那么 人家 咱们
    大家 碰上 不好""".split()
    # …days and parts of a day said of one's own case (前阵子, 明天都别来了, 晚上上班), and 马上, 万一, 一块 (together),
    # 不用: a passage never names them
    + """这阵子 那阵子 前阵子 前一阵子 前些天 这些天 这几天 前几天 那几天 前段时间 这段时间 今天 明天 后天 昨天 前天
    早上 晚上 上午 下午 刚才 马上 万一 一块 不用""".split()
    # superlatives that qualify the fact asked (最长能领多久 asks a period, as 能领多久 does)
    + """最长 最短 最多 最少 最快 最慢 最晚 最早 最迟 最久""".split()
)
# Between the previous question and a follow-up in a search query.
FOLLOWUP_SEPARATOR = "\n"
_CJK_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


@lru_cache(maxsize=1)
def _general_frequencies() -> tuple[dict[str, int], int]:
    with _jieba_lock:
        jieba.initialize()
    return jieba.dt.FREQ, jieba.dt.total


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    import jieba.posseg

    with _jieba_lock:
        return jieba.posseg.dt.word_tag_tab


def is_noun(word: str) -> bool:
    """A noun or a name of a thing (驾驶证, 产假, 港澳), by jieba's bundled part-of-speech tags."""
    tag = _word_tags().get(word, "")
    return tag.startswith("n") or tag in ("j", "vn")


_PEOPLE = re.compile(r"(?:人|者|员|户|们|孩子|小孩|老人|子女|父母|家属|学生|职工|农民工|临时工|合同工)$")
_PLACES = frozenset("农村 城市 城镇 城里 乡下 外地 本地 外省 本市 外市".split())


def is_place_or_people(word: str) -> bool:
    """A place (上海, 农村) or a group of people (外地人, 残疾人, 孩子): words that narrow a topic, not name one.
    jieba's person-name tag is not used: it tags 养老金 as one."""
    return _word_tags().get(word, "") == "ns" or word in _PLACES or bool(_PEOPLE.search(word))


def specificity(word: str) -> float:
    """How specific a word is in general Chinese, in [0, 1]: 的 → 0, 驾驶证 → ~0.8, an unknown word → 1."""
    freq, total = _general_frequencies()
    count = freq.get(word, 0)
    if count <= 0:
        return 1.0
    return min(1.0, math.log(total / count) / math.log(total))


def is_general_word(text: str) -> bool:
    """Whether jieba's dictionary of general Chinese holds the string as a word."""
    freq, _ = _general_frequencies()
    return freq.get(text, 0) > 0


# Words jieba's dictionary has that a citizen at the hall says as two: 骗领会怎么样 and 还接着领会怎么样 are 领 (a
# benefit drawn) and 会 (will), not 领会 (to grasp)
_SAID_APART = {"领会": ("领", "会")}


def words(text: str) -> list[str]:
    _general_frequencies()  # initialise under the lock first: jieba is not safe to initialise from several threads
    return [part for w in jieba.cut(text, HMM=False) if w for part in _SAID_APART.get(w, (w,))]


def _offsets(cut: list[str]) -> list[int]:
    """Where each word of a cut begins, then where the last one ends."""
    return list(accumulate(map(len, cut), initial=0))


def word_boundaries(text: str) -> set[int]:
    """Character offsets where general Chinese words of the text begin or end."""
    return set(_offsets(words(text)))


@dataclass(frozen=True)
class QuestionTerms:
    text: str
    asks: str  # one of the _ASKS kinds, or "其他"
    subject: tuple[tuple[str, float], ...]  # (word, weight) — content words, most specific first

    @property
    def subject_words(self) -> list[str]:
        return [w for w, _ in self.subject]


# Aspects every service has (本人到场, 代办, 网上办, 加急): a question naming only these names no service, and no
# article can be chosen for it (需要本人到场吗 found a business-registration article on identity checks).
_PROCESS_WORDS = frozenset(
    """本人 到场 亲自 代办 代理 委托 他人 别人 家人 网上 线上 现场 预约 邮寄 快递 加急 当天 当场 材料 时间 费用 证件
    窗口 拿到 办好 领取 流程 条件 资格 多长 结果 批下来 审批 审核 批准 登记""".split()  # 手续, 下来: never subject words (_FILLER)
)


def names_topic(terms: QuestionTerms) -> bool:
    """Whether the question names a service, a thing or a situation, not only an aspect every service has."""
    return any(word not in _PROCESS_WORDS for word in terms.subject_words)


def own_line(query: str) -> str:
    """A search query's last line: a follow-up's own words, under the question it refers to (`FOLLOWUP_SEPARATOR`)."""
    return query.split(FOLLOWUP_SEPARATOR)[-1]


# 我在领失业金呢, 领着退休金呢: a 呢 after an ongoing act tells, it does not ask
_TELLING_NE = re.compile(r"(?:在|着)[^，,。；;？?\s]{0,10}呢$")


def asks_something(clause: str) -> bool:
    if _TELLING_NE.search(clause):
        clause = clause[:-1]
    return bool(_QUESTION_WORD.search(clause))


def _kind_in(text: str) -> str | None:
    return next((kind for kind, pattern in _ASKS if pattern.search(text)), None)


def asks_kind(question: str) -> str:
    """The kind of fact asked. A follow-up is searched on the line after the question it refers to
    (`FOLLOWUP_SEPARATOR`): its own kind wins (工伤认定要交哪些材料 / 那交上去多久能出结果 asks a duration). Within
    a line the clauses that ask decide: 合同到期不续了 … 一次性生活补助能拿多少 asks an amount, not a deadline."""
    for line in reversed(question.split(FOLLOWUP_SEPARATOR)):
        asking = " ".join(c for c in CLAUSE.split(line) if asks_something(c))
        kind = _kind_in(asking) or _kind_in(line)
        if kind is not None:
            return kind
    return "其他"


# 我能领失业金吗 asks whether one may have it, not an amount; 能领 carries no subject all the same (失业金能领多久)
_MAY_HAVE = re.compile("能领")


def _cue_free(question: str) -> str:
    text = _MAY_HAVE.sub(" ", question)
    for _, pattern in _ASKS:
        text = pattern.sub(" ", text)
    return text


def without_asking(question: str) -> str:
    """The question without the words that ask the kind of fact (失业金能领多久 → 失业金)."""
    return " ".join(_CJK_RUN.findall(_cue_free(question)))


# Everyday names of a sum, a tax or a certificate (失业金, 个税, 房本) that jieba cuts into pieces: cut apart, the
# piece left is one character and no subject word, so 交个税吗 asked about nothing and 工资到多少才开始扣个税 about 工资.
_THING_ENDINGS = "金费税本证卡"


@lru_cache(maxsize=1)
def _whole_names() -> re.Pattern[str]:
    names = [n for n in everyday_names() if n[-1] in _THING_ENDINGS and len(words(n)) > 1]
    return re.compile("|".join(sorted(names, key=len, reverse=True)))


# What is done with a sum or a card, which jieba may fuse with the name's last character (失业金领多久 → 失业/金领/多久)
_DONE_WITH = "领发交取补退扣缴办"


def subject_cut(run: str) -> list[str]:
    """jieba's words of a run of text, with the everyday names above kept whole where they start and end on jieba's
    word boundaries (交个税 → 交/个税; 哪个税务局 is left as cut). A name may also end inside a two-character word
    that pairs its last character with what is done with it (失业/金领 → 失业金/领)."""
    cut = _unfused(words(run))
    starts = _offsets(cut)
    bounds = set(starts)
    whole = {m.start(): m.end() for m in _whole_names().finditer(run) if m.start() in bounds and m.end() in bounds}
    merged: list[str] = []
    covered = 0  # where the last name kept whole ends
    for word, start in zip(cut, starts):
        if start in whole:
            merged.append(run[start : whole[start]])
            covered = whole[start]
        elif start >= covered:
            merged.append(word)
    return _certificates_whole(merged)


def _unfused(cut: list[str]) -> list[str]:
    """失业/金领 → 失业/金/领 where 失业金 is an everyday name: the name can then be kept whole."""
    out: list[str] = []
    for word in cut:
        fused = len(word) == 2 and word[0] in _THING_ENDINGS and word[1] in _DONE_WITH and out
        if fused and _whole_names().fullmatch(out[-1] + word[0]):
            out += [word[0], word[1]]
        else:
            out.append(word)
    return out


# What names a certificate or card after the thing it is for (残疾人 证, 不动产 权 证书, 乘车 卡)
CERTIFICATE_TAILS = ("证", "卡", "证书", "证件", "执照")
# certificates whose names CERTIFICATE_TAILS does not catch
NAMED_DOCUMENTS = ("护照", "户口簿", "户口本", "房本")


def _certificates_whole(cut: list[str]) -> list[str]:
    """A certificate's name that jieba cut after the thing it is for, joined again (不动产/权/证书 → 不动产权证书,
    残疾人/证 → 残疾人证): apart, 证书 is no certificate in particular and 证 no word at all, so 不动产权证书丢了怎么补办 was
    answered with the article on a lost 居住证."""
    joined: list[str] = []
    for word in cut:
        if word in CERTIFICATE_TAILS and joined and _names_a_thing(joined[-1]):
            joined[-1] += word
        elif word in CERTIFICATE_TAILS and len(joined) >= 2 and joined[-1] == "权" and _names_a_thing(joined[-2]):
            joined[-2:] = [joined[-2] + "权" + word]
        else:
            joined.append(word)
    return joined


def _names_a_thing(word: str) -> bool:
    """A word a certificate can be named after: not a verb (拿到证 is no certificate), pronoun, numeral or particle."""
    tag = _word_tags().get(word, "")
    verb = tag.startswith("v") and tag != "vn"
    function_word = tag[:1] in ("r", "m", "q", "d", "p", "c", "u")
    return len(word) >= 2 and bool(_CJK_RUN.fullmatch(word)) and not verb and not function_word


# A verb with its direction or result (翻出来, 救过来, 看不清, 请不起): how something went, never what it is about.
_VERB_COMPLEMENT = re.compile(
    r"^.{1,2}(?:过来|过去|出来|出去|起来|下来|下去|上来|上去|回来|回去|进来|进去)$|^.[不得](?:清|着|起|了|到|动|见|懂|完|下|上|开|住)$"
)


def analyse(question: str) -> QuestionTerms:
    """The question's kind of fact and its subject words with their weights."""
    subject: dict[str, float] = {}
    for run in _CJK_RUN.findall(_cue_free(question)):
        for word in subject_cut(run):
            if len(word) < 2 or word in _FILLER or word.isdigit() or _VERB_COMPLEMENT.match(word):
                continue
            weight = specificity(word)
            if weight >= 0.35:
                subject[word] = max(subject.get(word, 0.0), weight)
    ordered = tuple(sorted(subject.items(), key=lambda kv: -kv[1]))
    return QuestionTerms(question, asks_kind(question), ordered)


# What a passage that states each kind of fact looks like.
_NUM = r"[\d零〇一二三四五六七八九十百千两半]+"
_DURATION = rf"{_NUM}\s*(?:个)?(?:工作日|日|天|月|年|周岁|小时)"  # 15日, 三个月, 十年
_AMOUNT = rf"{_NUM}\s*(?:万|千)?元"
ANSWER_CUES: dict[str, re.Pattern[str]] = {
    "费用": re.compile(rf"{_AMOUNT}|免费|免收|不收取|不得收取|收取|缴纳|工本费|费用"),
    "材料": re.compile(r"材料|证明|证件|提交|提供|出具|照片|相片|身份证|户口簿|下列"),
    "期限": re.compile(rf"{_DURATION}|之日起|届满|期限|有效期|及时|立即"),
    "地点": re.compile(r"机关|部门|机构|所在地|办事处|人民政府|窗口|场所|派出所"),
    "对象": re.compile(r"对象|人员|公民|居民|家庭|个人|职工|的，"),
    "金额": re.compile(rf"{_AMOUNT}|标准|比例|%|百分之|倍|按照"),
    "条件": re.compile(r"条件|符合|具备|应当|可以|不得|的，|方可|有下列|提倡|允许|禁止|准许"),
    "流程": re.compile(r"申请|办理|审核|受理|程序|提交|登记|核准|审批|决定"),
    "其他": re.compile(r"."),
}


# The figure itself, for the kinds asked as a number: 有效期 names the field, 十年 states it.
# An age (16周岁) bounds who may apply; it is not the period asked for by 多久.
FIGURE_CUES: dict[str, re.Pattern[str]] = {
    "期限": re.compile(rf"{_NUM}\s*(?:个)?(?:工作日|日|天|月|年|小时|分钟)"),
    "费用": re.compile(rf"{_AMOUNT}|免费|免收|不收取|不得收取"),
    "金额": re.compile(rf"{_AMOUNT}|{_NUM}\s*%|百分之"),
}


def states_figure(kind: str, passage: str) -> bool:
    """Whether the passage states the figure itself for a kind asked as a number (期限, 费用, 金额)."""
    cue = FIGURE_CUES.get(kind)
    return bool(cue and cue.search(passage))


def states_kind(kind: str, passage: str) -> bool:
    """Whether the passage states the kind of fact asked for (a duration for 期限, an amount or 免费 for 费用, …)."""
    return bool(ANSWER_CUES.get(kind, ANSWER_CUES["其他"]).search(passage))
