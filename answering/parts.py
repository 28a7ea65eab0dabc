"""An utterance that asks more than one thing (孩子有点残疾 普通小学能不能不收 上学有没有补助): its separate questions.

Searched whole, such an utterance finds the article on its strongest part, and the rest of what was asked goes
unanswered. Each asking clause is searched again together with the statements that set the scene (孩子有点残疾,
我当了五年兵), so each part can find its own article. A clause that names nothing of its own (忘了签会咋样) leans on
the asking clause before it, as a follow-up leans on the question before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answering.manners import asked_manner, brought_documents
from core.models import Hit
from knowledge_base.question import (
    CLAUSE,
    FOLLOWUP_SEPARATOR,
    QuestionTerms,
    analyse,
    asks_something,
    is_place_or_people,
    names_topic,
    states_kind,
)
from knowledge_base.relevance import coverage, present
from knowledge_base.search_queries import followup_query

# The shortest clause that can be a question of its own; 行吗, 对吗 add nothing to search.
_MIN_CLAUSE_CHARS = 4
# A spoken question has a few clauses; a pasted page is read no further than this many (each one is analysed).
_MOST_CLAUSES = 12
# How much of a part's own subject an article already quoted must name to answer that part too
_ANSWERED_COVER = 0.5


@dataclass(frozen=True)
class Part:
    clause: str  # the asking clause, as said
    query: str  # what is searched for it: the scene, then the clause

    @property
    def focus(self) -> str:
        """What the spoken excerpt should be about."""
        return self.query.replace(FOLLOWUP_SEPARATOR, " ")


@dataclass(frozen=True)
class PartAnswer:
    """A part of the question, the article that answers it (None: none does) and the kind of fact it asks."""

    part: Part
    hit: Hit | None
    asks: str
    referral: str | None = None  # what to say when another department handles this part (驾驶证 → 车管所)


# a choice put over two clauses (利息是一年结一回 还是每个月都给算进去); 我失业半年了 还是没找到工作 says "still"
_CHOICE_ACROSS = re.compile(r"是[^，,。；;？?\s]{1,16}[\s，,]+还是")


def asks_anything(utterance: str) -> bool:
    """Whether any clause of the utterance asks something (我失业了 does not; 我失业了 能领多久 does), or it puts a
    choice."""
    return any(asks_something(c) for c in CLAUSE.split(utterance) if c) or bool(_CHOICE_ACROSS.search(utterance))


# 我想了解一下… / 请介绍一下… / 告诉我…: a request, though no clause asks
_REQUEST = re.compile(r"了解|介绍|告诉|咨询|想问|问一下|说说|讲讲|查一下|查查|帮我")


def states_a_situation(utterance: str, terms: QuestionTerms) -> bool:
    """我失业了, 我要结婚: nothing asked yet — no clause asks, no kind of fact is named, nothing is requested."""
    return not asks_anything(utterance) and terms.asks == "其他" and not _REQUEST.search(utterance)


def asks_nothing_of_it(turn: str) -> bool:
    """A turn after a question that asks nothing of its topic: no clause asks, no kind of fact, manner or document is
    named, no choice is put (只能去敬老院住 还是也能在自己家), nothing is requested (再拿盾, 嗯 那个)."""
    if "还是" in turn or asked_manner(turn) is not None or brought_documents(turn):
        return False
    return states_a_situation(turn, analyse(turn))


def question_parts(question: str) -> list[Part]:
    """The separate questions of an utterance that asks two or more, each with its search query; [] when it asks
    one thing (a question and the statements around it are one question)."""
    clauses = [c for c in CLAUSE.split(question) if c][:_MOST_CLAUSES]
    asking = [c for c in clauses if asks_something(c) and len(c) >= _MIN_CLAUSE_CHARS]
    if len(asking) < 2:
        return []
    terms = {c: analyse(c) for c in asking}
    named = {c: names_topic(t) for c, t in terms.items()}
    # 材料没带全的话 before 窗口能不能一次性告诉我缺啥: a clause naming nothing with nothing before it sets the scene;
    # after a statement that names the topic (我要把户口迁到别的城市 要办哪些手续) it asks about that topic
    said_before = " ".join(clauses[: clauses.index(asking[0])])
    first_named = next((i for i, c in enumerate(asking) if named[c]), len(asking))
    leading = 0 if names_topic(analyse(said_before)) else first_named
    scene = " ".join(c for c in clauses if not asks_something(c) or c in asking[:leading])
    # 残疾人自己开店… 办营业执照收不收费: the person asking is the scene of every part
    people = [w for c in asking for w in terms[c].subject_words if is_place_or_people(w) and w not in scene]
    scene = " ".join([scene, *dict.fromkeys(people)]).strip()
    parts: list[Part] = []
    topic = ""  # the last asking clause that named a topic of its own
    for clause in asking[leading:]:
        if named[clause]:
            topic = clause
            query = f"{scene} {clause}".strip()
        else:
            query = followup_query(f"{scene} {topic}".strip(), clause)
        parts.append(Part(clause, query))
    return parts if len(parts) >= 2 else []


def untouched_by(part: Part, passage: str) -> bool:
    """Whether the passage says nothing toward this part: the part names a topic of its own, the passage names none
    of its words and does not state the kind of fact it asks. Stricter than `not answered_by`: a part said to be
    unanswered right after an answer that covers it (多久之内 after 二十四小时内) contradicts the answer. 条件 and 其他
    are stated by almost any passage, so a part asking them is never taken for untouched."""
    terms = analyse(part.clause)
    if not names_topic(terms) or any(present(word, passage) for word in terms.subject_words):
        return False
    return terms.asks not in ("条件", "其他") and not states_kind(terms.asks, passage)


def answered_by(part: Part, passage: str) -> bool:
    """Whether the article already quoted answers this part too: it names the part's own subject words and states
    the kind of fact the part asks (丧葬费能领吗 养老保险那边也能再领一份吗: the article on a death while drawing
    unemployment benefit says the survivors choose one of the two). A part searched on its own finds the best article
    other than the quoted one, which is then a neighbour that answers nothing asked."""
    terms = analyse(part.clause)
    named = coverage(terms, passage) >= _ANSWERED_COVER if terms.subject else True
    return named and (terms.asks == "其他" or states_kind(terms.asks, passage))
