"""How a question becomes a search query when it is not searched as said.

A bare "<thing>怎么办", a service's name typed alone (低保, 营业执照) or an intent to get it (我想申请低保) asks how to
apply for it, and is searched as 怎么申请办理<thing>; a certificate lost (护照丢了怎么办) asks how to replace it. A
follow-up is searched under the topic of the question it refers to.
"""

from __future__ import annotations

import re

import cn2an

from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import FOLLOWUP_SEPARATOR, analyse, is_noun, is_place_or_people, without_asking, words

# An earlier question this short is searched whole with its follow-up, not cut down to its subject words.
_SHORT_PREVIOUS_CHARS = 8

# "<a certificate or service>怎么办" asks how to get it (居住证怎么办, 护照咋办); "<something that happened>怎么办" asks
# what to do about it and is searched as said, except a certificate lost (护照丢了怎么办), which asks how to replace it:
# searched as said, the passport lost abroad article came first, and 补办 finds the one on replacing it.
_OPENING = r"^(?:请问|你好|您好|想问一下|想问下|问一下)?[，,\s]*"
_HOW = r"(?:要|该|应该)?(?:怎么办|咋办|怎么弄|咋弄|怎么整|咋整)(?:啊|呀|呢)?[？?。！!\s]*$"
_HOW_TO_DO = re.compile(_OPENING + r"(?P<thing>[\u4e00-\u9fff]{1,8}?)" + _HOW)
_LOST_HOW = re.compile(
    _OPENING + r"(?P<thing>[\u4e00-\u9fff]{0,8}?(?:证|照|本|簿|卡|证件|证书|证明))(?P<lost>弄丢了|搞丢了|丢失了|遗失了|丢了|掉了|不见了|被偷了|被盗了)[，,\s]*" + _HOW
)

# 丧葬费怎么领, 低保如何申请: how to claim a benefit named first
_HOW_TO_CLAIM = re.compile(
    _OPENING + r"(?P<thing>[\u4e00-\u9fff]{2,8}?)(?:要|该|应该)?(?:怎么|咋|如何|怎样)(?:申请|领取|领)(?:啊|呀|呢)?[？?。！!\s]*$"
)
# a fund one withdraws from (提取), not a benefit applied for: 公积金怎么领 searched as applying found the loan article
_WITHDRAWN = frozenset({"住房公积金"})
_APPLYING = "怎么申请办理"
_CERTIFICATE_NAME = re.compile(r"(?!那|这|该|它)[\u4e00-\u9fff]+(?:证|证件|证书|证明|执照)")  # not 那个证: a pronoun
# an article on ending, revoking or punishing (简易注销, 吊销营业执照, 伪造…的罚款) says nothing on how to apply
_NOT_APPLYING = re.compile(r"注销|吊销|撤销|伪造|变造|罚款|追究")


def is_application_query(query: str) -> bool:
    """A bare "<thing>怎么办" as searched; not a follow-up under one (营业执照怎么办 / 不干了怎么注销)."""
    return _APPLYING in query and FOLLOWUP_SEPARATOR not in query  # 孩子怎么申请办理身份证: for whom, then the query


def about_applying(passage: str) -> bool:
    """Whether a passage can answer an application query: 个体户营业执照怎么办 found the article on simplified
    deregistration, which names 个体工商户 and 营业执照 and says nothing on getting one."""
    return not _NOT_APPLYING.search(passage)


def application_query(question: str) -> str | None:
    """The search query for a bare "<thing>怎么办", a service's name alone, an intent to get it or how someone gets
    it, or None: 居住证怎么办 → 怎么申请办理居住证; 低保 and 我想申请低保 → 怎么申请办理最低生活保障, 我想申请低保 去哪申请 →
    最低生活保障去哪申请; 老人怎么申请低保 →
    老人怎么申请办理最低生活保障; 护照丢了怎么办 → 护照丢了怎么补办. Searched as said, such a question finds whichever
    article shares the most words with 办 (居住证's 签注 article, the passport article on 扣押 for 办理案件) rather
    than the one on applying."""
    text = question.strip()
    lost = _LOST_HOW.match(text)
    if lost:
        return f"{lost.group('thing')}{lost.group('lost')}怎么补办"
    where = _INTENT_WHERE.match(text)
    if where and (thing := _service_named(where.group("verb") or "", where.group("thing"))):
        return f"{_service_term(thing)}{where.group('where')}"
    intent = _INTENT.match(text)
    query = _getting(intent.group("verb") or "", intent.group("thing"), "") if intent else None
    if query:  # before the bare "<thing>怎么办": 我要办居住证怎么办 is about 居住证, not 我要办居住证
        return query
    claim = _HOW_TO_CLAIM.match(text)
    if claim and _is_service_name(claim.group("thing")):
        term = _service_term(claim.group("thing"))
        if term not in _WITHDRAWN:
            return f"{_APPLYING}{term}"
    match = _HOW_TO_DO.match(text)
    if match:
        thing = match.group("thing")
        # jieba does not tag 不动产 (of 不动产证) a noun; a certificate's name is one whatever its first words are
        is_thing = (
            _CERTIFICATE_NAME.fullmatch(thing) or _is_service_name(thing)
            or all(is_noun(w) or _names_service(w) for w in words(thing))
        )  # fmt: skip
        return f"{_APPLYING}{_service_term(thing)}" if is_thing else None
    how = _HOW_TO_GET.match(text)
    if how and (not how.group("who") or how.group("who") in _SELF or is_place_or_people(how.group("who"))):
        who = "" if how.group("who") in _SELF else how.group("who")
        return _getting(how.group("verb"), how.group("thing"), who)
    bare = _BARE_NAME.match(text)
    if bare and _is_service_name(bare.group("thing")):
        return f"{_APPLYING}{_service_term(bare.group('thing'))}"
    return None


def _service_named(verb: str, said: str) -> str | None:
    """The service named after the verb, which may belong to its everyday name (想给孩子上户口), or None."""
    return next((t for t in (said, verb + said) if _is_service_name(t)), None)


def _getting(verb: str, said: str, who: str) -> str | None:
    """The query for getting (or, with 补办, replacing) the service named after the verb, for whom it is asked."""
    thing = _service_named(verb, said)
    if thing is None:
        return None
    if verb in ("补办", "补") and not thing.startswith("补"):
        return f"{who}{thing}怎么补办"
    return f"{who}{_APPLYING}{_service_term(thing)}"


# A certificate, benefit or service by its name alone, typed as a search term (营业执照, 失业金, 工伤认定, 低保)
_SERVICE_NAME = re.compile(r"(?:证|证件|证书|证明|执照|护照|社保卡|保险|保障|救助|补贴|补助|补助金|登记|认定|保险金|公积金|失业金)$")
_BARE_NAME = re.compile(_OPENING + r"(?P<thing>[\u4e00-\u9fff]{2,8})[？?。！!\s]*$")
# 我要办居住证, 工伤怎么认定, 驾驶证换证: a sentence or an action on a thing, not its name
_NOT_A_NAME = re.compile(r"[我你他她它要想办去在了吗呢丢掉过那这怎咋啥么哪谁几多能换]|补(?![贴助])")


# 怎么办居住证, 孩子怎么办身份证, 老人怎么申请低保: how someone gets a service; the person is kept (a child's ID card
# is applied for by a guardian), a pronoun is not
# what follows the verb in the forms below: a measure word, the thing, a particle
_GOT_THING = r"(?:个|一个|一张|一本|一下)?(?P<thing>[\u4e00-\u9fff]{2,8}?)(?:啊|呀|吧|呢)?[？?。！!\s]*$"
# 我要结婚怎么办, 我想申请低保该怎么弄: the intent, then how to go about it
_GOT_THING_HOW = _GOT_THING.replace("(?:啊|呀|吧|呢)", "(?:(?:要|该|应该)?(?:怎么办|咋办|怎么弄|咋弄|怎么整|咋整))?(?:啊|呀|吧|呢)")
# 我想申请低保 去哪申请: the intent, then where one goes for it
_WHERE_ASKED = r"(?:要|该|应该|得)?(?:去|到|上|在)哪(?:儿|里)?(?:申请|办理|办|领)"
_GOT_THING_WHERE = _GOT_THING.replace("(?:啊|呀|吧|呢)", rf"[，,\s]+(?P<where>{_WHERE_ASKED})(?:啊|呀|吧|呢)")
# for whom an intent is (想给孩子上户口)
_FOR_WHOM = r"(?:给(?:孩子|小孩|老人|家里人|父母|我[爸妈])?)?"
_HOW_TO_GET = re.compile(
    _OPENING + r"(?P<who>[\u4e00-\u9fff]{0,5}?)(?:要|该|应该|得|可以)?(?:怎么|咋|如何|怎样)(?:才能|能|去)?"
    r"(?P<verb>申请办理|申请|办理|补办|补|办|领取|领|开|上|报)" + _GOT_THING
)
_SELF = frozenset({"我", "我们", "俺", "咱", "咱们", "自己"})
# 我想申请低保 去哪申请, 我要办护照 去哪里办: an intent, then where one goes for it; searched as the service's name and
# the question where (最低生活保障去哪申请), since 怎么申请办理护照 finds the article on how long issuing takes
_INTENT_WHERE = re.compile(
    _OPENING + r"(?:我|俺|我们)?(?:想|要|准备|打算|需要)" + _FOR_WHOM
    + r"(?P<verb>申请办理|申请|办理|办|领取|领|开|上)" + _GOT_THING_WHERE
)
# 我想申请低保, 想给孩子上户口, 我要补办身份证: an intent stated, asking how to go about it
_INTENT = re.compile(
    _OPENING + r"(?:我|俺|我们)?(?:想|要|准备|打算|需要|得)" + _FOR_WHOM
    + r"(?P<verb>申请办理|申请|办理|补办|补|办|领取|领|开|上)?" + _GOT_THING_HOW
)


def _service_term(thing: str) -> str:
    """The statutes' name for an everyday service (低保 → 最低生活保障, 上户口 → 出生登记), else the thing as said. A
    certificate keeps its name: 房产证 searched as 不动产登记 found the article on which office registers."""
    if _CERTIFICATE_NAME.fullmatch(thing):
        return thing
    return next((term for term in statute_terms(thing, whole=True) if _SERVICE_NAME.search(term)), thing)


def _is_service_name(text: str) -> bool:
    return not _NOT_A_NAME.search(text) and bool(_SERVICE_NAME.search(text) or _names_service(text))


def _names_service(word: str) -> bool:
    """An everyday name the statutes spell out as a service (低保 → 最低生活保障, 医保 → 基本医疗保险), though jieba
    tags some of them verbs; not 走了 → 死亡 or 老人 → 老年人."""
    return any(_SERVICE_NAME.search(term) for term in statute_terms(word, whole=True))


def followup_query(previous: str, question: str, applying: bool = True, awaiting: bool = False) -> str:
    """A follow-up's search query: the subject words of the question it refers to (工伤认定要交哪些材料 → 工伤 认定),
    which name the topic, then the follow-up, which says what is asked. The earlier question's own ask (要交哪些材料)
    would pull its answer back to the top. A short earlier question is kept whole: 低保怎么申请 is little more than
    its topic and the service (申请) a following 要多久 is about; 低保 alone lets 要多久 find any period. Not
    `applying`: the follow-up asks whether someone qualifies (失业金怎么领 → 我是农民工 能领吗), so the earlier
    question's topic leads, not how to apply for it. `awaiting`: the follow-up asks how long the office takes (要多久),
    which is the application's time, so a longer earlier question's topic is searched as applying for it too
    (办居住证要带什么材料 → 怎么申请办理居住证; 居住证 alone found the yearly renewal's period)."""
    previous = previous.strip()
    if len(previous) <= _SHORT_PREVIOUS_CHARS:
        topic = (application_query(previous) if applying else None) or without_asking(previous) or previous
    else:
        subject = " ".join(analyse(previous).subject_words)
        topic = (application_query(subject) if awaiting and subject else None) or subject or previous
    return f"{topic}{FOLLOWUP_SEPARATOR}{question}"


# the citizen's own age in Chinese numerals (我今年三十二, 孩子才十岁): searched as 32岁, the way an age reads. Said bare,
# 三十二 was a subject word of its own and the search found the article on how fast a card is issued, not the one
# on how long it is valid at that age; 今年十一月 and 已经三年 are no ages
_NUMERALS = "零一二三四五六七八九十两百"
_AGE_SAID = re.compile(rf"(今年|才|已经|都)([{_NUMERALS}]{{1,4}})(周岁|岁)?(?![{_NUMERALS}年月日号天届个次回点])")
_AGE_IN_YEARS = re.compile(rf"([{_NUMERALS}]{{1,4}})(周岁|岁)")


def ages_in_digits(question: str) -> str:
    """The question with an age said in Chinese numerals written as digits and 岁: 我今年三十二 → 我今年32岁."""

    def said(match: re.Match[str]) -> str:
        number = _number(match.group(2))
        return match.group(0) if number is None else f"{match.group(1)}{number}{match.group(3) or '岁'}"

    def in_years(match: re.Match[str]) -> str:
        number = _number(match.group(1))
        return match.group(0) if number is None else f"{number}{match.group(2)}"

    return _AGE_IN_YEARS.sub(in_years, _AGE_SAID.sub(said, question))


def _number(numerals: str) -> int | None:
    try:
        value = cn2an.cn2an(numerals, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if 0 < value < 130 else None
