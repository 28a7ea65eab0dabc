"""Which earlier question a turn leans on: follow-ups (要多久), a follow-up of a follow-up (收费吗), the previous
question asked of another thing (护照呢), and a correction (不是，我问的是护照).

A follow-up is searched together with the question that named its topic; a turn that names a topic of its own is
a new question, however short (退休年龄). Read without any model, from jieba's word weights and tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from answering.consequences import asks_consequence
from answering.manners import (
    asked_manner,
    asks_only_a_manner,
    brought_documents,
    manner_in,
    names_documents,
    speaks_to_manner,
)
from answering.parts import question_parts
from answering.stops import asks_stop, names_what_goes_on
from core.models import ChatMessage
from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import (
    CLAUSE,
    QuestionTerms,
    analyse,
    asks_something,
    is_noun,
    is_place_or_people,
    names_topic,
    states_kind,
)
from knowledge_base.relevance import present
from knowledge_base.search_queries import ages_in_digits, application_query, followup_query

# Pronouns and openers of a turn that only makes sense with the previous question (那要多久能拿到？).
_FOLLOWUP = re.compile(r"^(那|那么|那个|这个|它|还有|然后|如果|要是|另外)|它|这个|那个|这种|该证|上述|刚才")
_FOLLOWUP_MAX_CHARS = 6
_OF_ANOTHER = re.compile(r"^(?:那么|那个|那)?(?P<thing>.+)呢$")
# 不是，我问的是护照 / 我说的是护照: the previous question was heard about the wrong thing
_CORRECTION = re.compile(r"^(?:不是|不对)?[，,\s]*我?(?:问的|说的|想问的|要问的|指的)是(?P<thing>.+)$")
# …and a correction that is a whole question of its own (不是，我问的是护照要多久) is that question
_WHOLE_QUESTION_CHARS = 8
# how one does the earlier question's service, with its verb: 提取 (公积金), 报销 (医保) or 上 (户口) belong to that
# topic, while 办, 申请 or 补办 fit any certificate or benefit
_HOW_VERB = re.compile(r"怎么(?:样)?(?P<verb>[^，,。？?\s]{1,3})$")
_ANY_SERVICE_VERBS = frozenset({"办", "办理", "申请", "申领", "补办", "补", "补领", "换", "换领", "领", "领取"})
_OPENING = re.compile(r"^(?:我想知道|我想问一下|我想问|想问一下|想问|请问|问一下|那么|那)+")
_YES_NO = re.compile(r"(能|可以|行)[^，。？?]{0,3}吗$|能不能|可不可以")
# How specific a word must be to name a topic (低保 0.79, 护照 0.69) rather than a person or place (孩子 0.45, 老人 0.53)
_TOPIC_WEIGHT = 0.6


def previous_questions(history: Sequence[ChatMessage], turns: int) -> list[str]:
    if turns <= 0:
        return []
    return [m.content for m in history if m.role == "user"][-turns:]


def is_followup(question: str, history: Sequence[ChatMessage]) -> bool:
    previous = previous_questions(history, 1)
    if not previous:
        return False
    text = question.strip()
    terms = analyse(text)
    if _refers_back(text, terms):
        return True
    if not names_topic(terms):  # 每个月能领多少: longer than a short follow-up, and no service of its own
        return True
    if who_qualifies(text) or asks_only_a_manner(text) or brought_documents(text) or _consequence_of_an_act(terms):
        return True
    if _goes_on_unnamed(text):
        return True
    return len(text) <= _FOLLOWUP_MAX_CHARS and not names_new_topic(text, previous[0])


def _refers_back(text: str, terms: QuestionTerms) -> bool:
    """Whether a word pointing back (那个, 这种, 它) points to an earlier turn. After the case the turn itself tells, in
    a turn that names its own topic, it points to that case (家里前两天着火了 这种能申请临时救助不, 喝多了摔伤了 这个还能算
    工伤吗): read as a follow-up, such a turn had been searched under the previous question's topic."""
    pointing = _FOLLOWUP.search(text)
    if pointing is None:
        return False
    told = CLAUSE.search(text[: pointing.start()])  # a clause before the word
    # …unless it asks how the earlier turn's service is done (我妈腿脚不好 这种能代办吗); what follows is asked of the act
    # the turn tells (拿别人医保卡去药店刷药 这种要罚多少); and 它 after the manner asked is that act's object, which the
    # turn has named (单位一直不给我交社保 我能去哪告它), where 能代办这个吗 asks it of the earlier turn's service
    asked = text[pointing.start():] if pointing.group() == "它" else text
    return told is None or not names_topic(terms) or asked_manner(asked) not in (None, "不办的后果")


# where one's 户口 is (外地户口, 农村户口) says who asks, not what about
_HOUSEHOLD_OF = re.compile(r"(?:外地|本地|农村|城镇|城市|城里|外省|本市|外市|非农业|农业)户口")


# what else such a question says: who (我们是), where (在这里), and the service's verb (上, 领, 办)
_QUALIFY_CHARS = frozenset("我你他她们家是的也还都能可以行吗呢啊呀吧么在这那里边儿上办领交取用去来，,？? ")


def who_qualifies(text: str) -> tuple[str, ...]:
    """Who a turn asks about when it asks whether they qualify for the previous question's service and says nothing
    else (外地户口能在这上吗 → 外地户口, 外地人在这里也能领吗 → 外地人); empty for any other turn. Such a turn may be longer
    than a short follow-up. 我家老人走了 能领吗 says what happened, and is a question of its own."""
    if not _YES_NO.search(text):
        return ()
    who = analyse(_HOUSEHOLD_OF.sub("，", text)).subject_words
    if not all(is_place_or_people(word) for word in who):
        return ()
    rest = _HOUSEHOLD_OF.sub("", text)
    for word in who:
        rest = rest.replace(word, "")
    return (*_HOUSEHOLD_OF.findall(text), *who) if set(rest) <= _QUALIFY_CHARS else ()


# where one is registered or lives, which decides where a service is had (户籍所在地, 常住户口所在地, 居住地)
_REGISTRATION = re.compile(r"户籍|户口|常住|居住")


def speaks_to(passage: str, who: Sequence[str]) -> bool:
    """Whether a passage answers for the people a turn asks about: it names them (外地人 → 非户籍, 残疾人) or says
    where one is registered or lives. 失业保险条例 第十五条 (when benefits stop) does not answer 外地人在这里也能领吗."""
    return any(present(word, passage) for word in who) or bool(_REGISTRATION.search(passage))


# A fee asked (knowledge_base.question's kind 费用) is answered by a passage that states one, or that none is charged
_STATED_KINDS = frozenset({"费用"})


def unanswered_aspect(question: str, passage: str, followup: bool = True) -> str | None:
    """What a follow-up asks that the passage found under the earlier question's topic does not speak to, or None.

    Searched under that topic, the turn finds the topic's best article whatever it asks: 孩子出生了怎么上户口 / 要交钱吗
    quoted the birth registration article, which names no fee. Four things are checked: whether someone qualifies
    (`who_qualifies`: the passage must name them or where one is registered), whether to bring a document (the
    passage must name it: 要带户口本吗 had quoted 户口登记条例 第四条 after any question), a manner (`asked_manner`: the passage
    must say who may apply, in person or online, where, or what follows if one does not), and a fee asked (the
    passage must state one or that none is charged). A question that names its own topic (`followup` false) is
    checked for the manners `IN_ANY_QUESTION` only: 身份证丢了可以找人代办吗 found the same article."""
    # a manner asked is what the turn is about (jieba tags 上门 a place: 能上门办吗 names no one who qualifies)
    who = who_qualifies(question) if followup and asked_manner(question) is None else ()
    if who and not speaks_to(passage, who):
        return f"whether {'、'.join(who)} qualify"
    documents = brought_documents(question) if followup else ()
    if documents and not names_documents(passage, documents):
        return f"whether to bring {'、'.join(documents)}"
    # a turn asking two things (那最长能歇多久 到期了不管它会咋样) is answered when the passage answers one of them
    asking = [clause for clause in CLAUSE.split(question) if asks_something(clause)] or [question]
    unanswered = [_unanswered_in(clause, passage, followup) for clause in asking]
    return None if None in unanswered else unanswered[0]


def _unanswered_in(clause: str, passage: str, followup: bool) -> str | None:
    manner = manner_in(clause, followup)
    if manner is not None and not speaks_to_manner(passage, manner):
        return manner
    if not followup:
        return None
    kind = analyse(clause).asks
    if kind in _STATED_KINDS and not states_kind(kind, passage):
        return kind
    return None


def _consequence_of_an_act(terms: QuestionTerms) -> bool:
    """借给别人会被罚吗, 弄虚作假会被罚吗 after a question on a service: what follows an act, done to no thing the turn
    names (no noun among its words), is asked of the previous question's certificate or benefit."""
    return asks_consequence(terms.text) and not any(is_noun(word) for word in terms.subject_words)


def _goes_on_unnamed(text: str) -> bool:
    """找到工作了还能接着领吗 after 失业金怎么领, 考上公务员了还发吗 after 退役金怎么领: whether something goes on, asked of
    no benefit, payment, certificate or status the turn names, is asked of the previous question's (searched alone, the
    first had found 低保's article on refusing work offered)."""
    return asks_stop(text) and not names_what_goes_on(text)


def names_new_topic(question: str, previous: str) -> bool:
    """A short question that names a topic of its own (低保怎么申请, 户口怎么迁, 退休年龄) is a new question; one that
    names only a person, an action or the kind of fact (孩子能办吗, 怎么补交, 要多久), asks whether a case qualifies
    (租房能取吗) or asks the previous question of another thing (居住证呢) leans on the previous one. A topic is a
    specific noun or a name the statutes spell out (低保 → 最低生活保障), which jieba tags as a verb."""
    text = question.strip().rstrip("？?。.！! ")
    if _OF_ANOTHER.match(text):  # 居住证呢: the previous question, asked of another thing
        return False
    terms = analyse(text)
    # 外地户口能办吗, 租房能取吗: whether a case qualifies for the previous question's service
    if terms.asks == "条件" or _YES_NO.search(text):
        return False
    return bool(_topic_words(terms, previous))


def _topic_words(terms: QuestionTerms, earlier: str) -> list[str]:
    return [
        word
        for word, weight in terms.subject
        if weight >= _TOPIC_WEIGHT and (is_noun(word) or statute_terms(word)) and word not in earlier
    ]


# One character asked after an earlier question that still asks that question's fact: 那钱呢 is its fee.
_SAME_TOPIC_CHARS = frozenset("钱")


def _one_character_thing(thing: str, earlier: str) -> list[str]:
    """A thing named by one character (那税呢 after 居住证在哪办), which jieba's weights never make a topic word; without
    it the turn is searched as the earlier question and answered with that topic's article (the 居住证 fee)."""
    if len(thing) == 1 and is_noun(thing) and thing not in earlier and thing not in _SAME_TOPIC_CHARS:
        return [thing]
    return []


@dataclass(frozen=True)
class AskedOfAnother:
    """The previous question asked of another thing, as a question of its own (港澳通行证呢 after 办护照要什么材料 →
    多久能拿到: 港澳通行证多久能拿到), and the words for that thing, which an answering passage must name."""

    question: str
    things: tuple[str, ...]


def _thread(previous: Sequence[str]) -> str:
    """The last question and those it leans on, back to the one that named the topic: 护照 asked about earlier in the
    conversation (那护照呢 … 公积金怎么提取) is new again once another topic was named."""
    thread = []
    for asked in reversed(previous):
        thread.append(asked)
        if names_topic(analyse(asked)) and not asks_only_a_manner(asked):
            break
    return "".join(thread)


def asked_of_another(question: str, history: Sequence[ChatMessage], turns: int) -> AskedOfAnother | None:
    """An "X呢" turn or a correction (不是，我问的是X) that names a thing no earlier question named; None for any
    other turn (孩子户口呢 after 户口迁移怎么办 names 户口 already, 领完了呢 names no thing). Searched under the
    earlier topic, such a turn finds that topic's article, which says nothing of X.

    A thing takes the place of the earlier question's topic (办居住证要带什么材料 → 办护照要带什么材料) and must be named
    by the answer. Put in front instead: X before a follow-up with no topic of its own, or with several (港澳通行证
    多久能拿到); a place or a group of people, which narrows the topic rather than replacing it, so the answer must
    name the earlier topic (外地人 居住证怎么办, 上海的 低保怎么申请); and a correction naming no thing (不是，我问的是
    再婚 → 再婚 结婚登记要带什么)."""
    previous = previous_questions(history, turns)
    text = question.strip().rstrip("？?。.！! ")
    match = _OF_ANOTHER.match(text) or _CORRECTION.match(text)
    if not previous or not match:
        return None
    thing = _OPENING.sub("", match.group("thing").strip("，, "))
    correction = match.re is _CORRECTION
    thing_terms = analyse(thing)
    if len(thing) > _WHOLE_QUESTION_CHARS or thing_terms.asks != "其他":
        # 不是，我问的是护照要多久: that question, as said; 那办居住证要带什么材料呢: a question of its own
        return AskedOfAnother(thing, ()) if correction else None
    last = previous[-1]
    earlier = _thread(previous)
    things = _topic_words(thing_terms, earlier) or _one_character_thing(thing, earlier)
    last_terms = analyse(last)
    # 能加急吗 asks a manner of the earlier topic; it names none of its own to put X in place of
    topic = [] if asks_only_a_manner(last) else _topic_words(last_terms, "")
    if any(is_place_or_people(w) and w not in earlier for w in thing_terms.subject_words):
        return AskedOfAnother(f"{thing} {last}", tuple(topic))  # 外地人 居住证怎么办: still about the earlier topic
    if not things:
        return AskedOfAnother(f"{thing} {last}", ()) if correction and thing_terms.subject else None
    start = last.find(topic[0]) if len(topic) == 1 else -1
    if start >= 0:
        rest = last[start + len(topic[0]) :]
        how = _HOW_VERB.search(rest)
        own_verb = how is not None and how.group("verb") not in _ANY_SERVICE_VERBS
        if last_terms.asks == "流程" and (start > 0 or own_verb):
            # 公积金怎么提取 / 那护照呢 asks how to get a passport (护照怎么提取 had quoted 扣押护照); 退休了 or 孩子出生了
            # said before the topic belongs to it
            return AskedOfAnother(f"{thing}怎么办理", tuple(things))
        if rest[:1] and thing.endswith(rest[0]):  # 失业|金怎么领 with 养老金: not 养老金金
            rest = rest[1:]
        return AskedOfAnother(last[:start] + thing + rest, tuple(things))
    return AskedOfAnother(f"{thing} {last}", tuple(things))


def referred_question(question: str, history: Sequence[ChatMessage], turns: int) -> str | None:
    """The earlier question a follow-up refers to, or None when the question stands on its own. A follow-up of a
    follow-up refers to the question that named the topic (身份证丢了怎么补 → 那要多久能拿到 → 收费吗 asks the fee
    of replacing an ID card), not to the one before it, which names no topic of its own."""
    previous = previous_questions(history, turns)
    if not previous or not is_followup(question, history):
        return None
    index = len(previous) - 1
    while index > 0 and (
        is_followup(previous[index], [ChatMessage("user", previous[index - 1])])
        # 一个人每月能领多少: longer, and still no topic; 我要结婚怎么办 names one by asking for a service (结婚登记)
        or not (_names_something(previous[index]) or application_query(previous[index]))
    ):
        index -= 1
    return previous[index]


def _names_something(question: str) -> bool:
    """Whether an earlier question names a topic of its own by a specific word, noun or not (殡葬 0.64, 填表 0.80),
    rather than only a person or a situation (孩子 0.45, 我眼睛不好看不清: 眼睛 0.48): a follow-up after it leans on it."""
    terms = analyse(question)
    named = tuple(w for w in terms.subject if w[1] >= _TOPIC_WEIGHT and not is_place_or_people(w[0]))
    return names_topic(replace(terms, subject=named))


def _leading_part(question: str) -> str:
    """What a follow-up leans on in an earlier question: its first part when it asked several things
    (办居住证要带什么材料 以后每年还得签注吗 / 多久能拿到 asks about getting the 居住证, not the 签注), else all of it."""
    parts = question_parts(question)
    return parts[0].focus if parts else question


def retrieval_query(question: str, history: Sequence[ChatMessage], turns: int) -> str:
    """A follow-up is searched together with the question it refers to, which names the topic; a bare
    "<thing>怎么办" as a question about applying for it."""
    asked = ages_in_digits(application_query(question) or question)
    referred = referred_question(question, history, turns)
    if referred is None:
        return asked
    awaiting = asked_manner(question) == "办理时限"
    # what follows an act (隐瞒收入会怎么样 after 低保怎么申请) or whether it goes on (找到工作了还能接着领吗) is asked of the
    # benefit, not of applying for it
    applying = not who_qualifies(question) and not asks_consequence(question) and not asks_stop(question)
    return followup_query(_leading_part(referred), asked, applying=applying, awaiting=awaiting)


def question_focus(question: str, history: Sequence[ChatMessage], turns: int) -> str:
    """What a passage excerpt should be about: a follow-up together with the question it refers to. A bare
    "<thing>怎么办" names its thing and asks how to apply: the earlier question's words (我的居住证办好了没) would
    only pull the excerpt toward what that one asked."""
    referred = None if application_query(question) else referred_question(question, history, turns)
    return f"{_leading_part(referred)}{question}" if referred else question
