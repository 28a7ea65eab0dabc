"""Does the best passage answer this question? One calibrated score between retrieval and speech.

Signals: the relevance model's probability for the top passage and its margin over the next; how much of the
question's subject the top passage and its title cover (身份证 ≠ 驾驶证); whether the question names things the
knowledge base never mentions (产假天数, 港澳通行证); whether the passage states the kind of fact asked for; whether
an asked-for figure (an amount, a rate, opening hours) is missing. A logistic model fitted on the fit half of
bench/data (bench/fit_answerability.py) combines them; the model and its threshold belong to the embedder's
ranking profile (knowledge_base/profiles.py), and `answering.answerable_threshold`, when set, overrides the cut-off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from answering.faithfulness import asks_amount, missing_figure
from core.config import AnsweringConfig
from core.models import Hit
from knowledge_base.profiles import Profile
from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import (
    CERTIFICATE_TAILS,
    NAMED_DOCUMENTS,
    QuestionTerms,
    is_noun,
    own_line,
    states_kind,
    words,
)
from knowledge_base.relevance import coverage, present

SIGNALS = (
    "bias", "top", "margin", "cover", "title_cover", "unknown", "kb_cover", "kind", "missing", "cosine",
    "unknown_noun", "rare_missing",
)


class Vocabulary(Protocol):
    """What the knowledge base says at all (knowledge_base.terms.TermStats)."""

    def occurs(self, text: str) -> bool: ...

    def idf(self, word: str) -> float: ...

    @property
    def max_idf(self) -> float: ...


@dataclass(frozen=True)
class Answerability:
    score: float
    signals: dict[str, float]
    weights: Mapping[str, float] = field(default_factory=dict)  # the profile's model that scored them

    def reason(self) -> str:
        """The strongest signal against answering, for logs. A signal is named only where the profile's model counts
        it against answering: EmbeddingGemma's fit gives words the knowledge base never uses a positive weight."""
        if not self.signals:
            return "no passage"
        if self.signals.get("missing") and self.weights.get("missing", -1.0) < 0:
            return "asked-for figure not in the passage"
        if self.signals.get("unknown", 0.0) > 0.5 and self.weights.get("unknown", -1.0) < 0:
            return "question names things the knowledge base does not cover"
        if self.signals.get("cover", 1.0) < 0.5 and self.weights.get("cover", 1.0) > 0:
            return "top passage is about something else"
        return f"low relevance (top {self.signals.get('top', 0.0):.3f}, cosine {self.signals.get('cosine', 0.0):.2f})"


def _is_known(word: str, vocabulary: Vocabulary) -> bool:
    """The knowledge base uses the word, or a statute's name for it (户口本 → 户口簿)."""
    return vocabulary.occurs(word) or any(map(vocabulary.occurs, statute_terms(word)))


def signals(terms: QuestionTerms, hits: Sequence[Hit], vocabulary: Vocabulary, profile: Profile) -> dict[str, float]:
    top = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    passage = top.titled_text
    weights = dict(terms.subject)
    unknown = [w for w in weights if not _is_known(w, vocabulary)]
    total = sum(weights.values())
    known = [w for w in weights if w not in unknown]
    # a word the knowledge base uses rarely (驾驶证 once) that the top passage does not mention: it is about
    # something the question is not
    rare_missing = max(
        (min(1.0, vocabulary.idf(w) / vocabulary.max_idf) for w in known if not present(w, passage)),
        default=0.0,
    )
    return {
        "bias": 1.0,
        "top": top.score,
        "margin": top.score - second,
        "cover": coverage(terms, passage),
        "title_cover": coverage(terms, top.title),
        "unknown": max((weights[w] for w in unknown), default=0.0),
        "kb_cover": 1.0 - (sum(weights[w] for w in unknown) / total if total else 0.0),
        "kind": 1.0 if states_kind(terms.asks, top.text) else 0.0,
        # the figure asked in this turn: a follow-up is searched under the question it leans on (护照有效期是几年 /
        # 那它快到期了 去哪儿换新的), whose figure the answer to this turn need not state
        "missing": 1.0 if missing_figure(own_line(terms.text), top.text) else 0.0,
        "cosine": profile.scaled_cosine(top.vector_score),
        "unknown_noun": max((weights[w] for w in unknown if is_noun(w)), default=0.0),
        "rare_missing": rare_missing,
    }


# A certificate, card or licence by name (残疾证, 健康证, 行驶证); two-character words (拍照, 一本) are too loose.
_DOCUMENT = re.compile(rf"^..+(?:{'|'.join(CERTIFICATE_TAILS)})$")
# …a number by name (手机号, 门牌号; 身份证号 is known as 公民身份号码)
_NUMBER = re.compile(r"^..+号$")
# …an examination by name (婚检, 孕检)
_EXAMINATION = re.compile(r"^.+检$")
# …and a benefit, tax or fee by name (年终奖, 增值税, 登记费); known when its tail is (交学费: 学费, 高温补贴: 补贴)
_PAYMENT = re.compile(r"^..+(?:奖|津贴|补贴|税|费|券)$")


def uncovered_documents(terms: QuestionTerms, vocabulary: Vocabulary) -> list[str]:
    """Certificates, numbers, examinations, benefits, taxes and fees the question names that the knowledge base never
    mentions, under that name or a statute's name for it (户口本 → 户口簿). No article can be about such a thing: 残疾证
    matched a 残疾人 article on social insurance, and 年终奖单独计税是咋算的 the income tax law's article on withholding, since the
    fitted score leans on closeness and a question of one unknown word has little else."""
    return [
        word
        for word, _ in terms.subject
        if (any(p.match(word) for p in (_DOCUMENT, _NUMBER, _EXAMINATION)) and not _is_known(word, vocabulary))
        or (
            _PAYMENT.match(word) and not any(_is_known(word[i:], vocabulary) for i in range(len(word) - 1))
            # a fee one was charged, asked whether it may be or who bears it (学校让每人交三百块资料费 交了的还能退吗), is
            # answered by the article on charging under any name; asked how much (加急费多少钱), the fee is what is asked
            and (not word.endswith("费") or asks_amount(terms.text))
        )
    ]


# Laws every article of which is about one certificate; a question about another certificate is not answered by
# them (户口本丢了怎么补 matched 居住证暂行条例's article on a lost 居住证, which says nothing of the 户口簿).
_CERTIFICATE_LAW = re.compile(r"^(?:中华人民共和国)?(居住证|居民身份证|护照|户口(?=登记))")
# An article on a lost certificate names it in the clause that says so (结婚证、离婚证遗失或者损毁的).
_LOSS = re.compile(r"遗失|丢失|损毁|损坏|被盗")
_CLAUSE = re.compile(r"[，。；,;\n]")
_CERTIFICATE_WORD = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:证书|证|执照|簿|护照)")


def lost_certificates(passage: str) -> list[str]:
    """The certificates a passage says what to do about when lost or damaged: 结婚证、离婚证遗失或者损毁的 → both."""
    return [w for clause in _CLAUSE.split(passage) if _LOSS.search(clause) for w in _CERTIFICATE_WORD.findall(clause)]


def other_certificate(terms: QuestionTerms, top: Hit) -> str | None:
    """The certificate the top passage is about — its law's (居住证暂行条例) or the one it says what to do about when
    lost — when the question names certificates, that is none of them, and the passage mentions none of them; else
    None. 出生证明丢了怎么补 is not answered with the article on a lost 结婚证."""
    asked = [w for w, _ in terms.subject if _DOCUMENT.match(w) or w in NAMED_DOCUMENTS or w.endswith("证明")]
    if not asked:
        return None
    law = _CERTIFICATE_LAW.match(top.title)
    lost = lost_certificates(top.text)
    if law is None and not lost:
        return None
    certificates = [law.group(1)] if law else lost
    # a law's article may name the asked certificate anywhere (办居住证要带户口本吗); an article on lost ones, in
    # the list of those it covers — the 户口簿 it asks to bring does not make it the rule for a lost 户口本
    named_in = top.titled_text if law else "、".join(lost)
    if any(w in c or c in w for w in asked for c in certificates) or any(present(w, named_in) for w in asked):
        return None
    return certificates[0]


# A certificate written wrongly (名字写错了, 出生日期登错了), asked without saying it was lost or damaged.
_WRONG_ENTRY = re.compile(r"[写登填打印弄记搞]错|错了|有误")
_LOST_OR_DAMAGED = re.compile(r"丢|遗失|坏|损|破|被盗|找不到")
_CORRECTS = re.compile(r"更正|变更|更改|改正|错误|有误")


def copy_for_correction(question: str, top: Hit) -> bool:
    """The question asks to correct a certificate and the top passage only says how to replace a lost or damaged
    one: 结婚证上名字写错了 is not answered by 结婚证、离婚证遗失或者损毁的…申请补领."""
    return (
        bool(_WRONG_ENTRY.search(question)) and not _LOST_OR_DAMAGED.search(question)
        and bool(lost_certificates(top.text)) and not _CORRECTS.search(top.text)
    )  # fmt: skip


# Benefits and schemes, by the names citizens and statutes give them.
_SCHEMES: dict[str, re.Pattern[str]] = {
    "最低生活保障": re.compile(r"低保|最低生活保障"),
    "失业保险": re.compile(r"失业金|失业费|失业保险"),
    "养老保险": re.compile(r"养老金|退休金|退休费|养老保险"),
    "住房公积金": re.compile(r"公积金"),
    "医疗保险": re.compile(r"医保|医疗保险|医疗保障"),
    "工伤保险": re.compile(r"工伤"),
    "生育保险": re.compile(r"生育保险|生育津贴|生育医疗"),
    "社会保险": re.compile(r"社会保险|社保"),
    # 退役金还用交个人所得税不 is not answered by a veteran's article on 社会保险
    "个人所得税": re.compile(r"个税|所得税"),
}
# 社会保险 (社保) is each of the insurances: a question on 养老金 may be answered by an article on 社会保险待遇, a question
# on 低保 or 公积金 may not (我的低保会不会给停了 had quoted 社会保险经办条例's 停止享受社会保险待遇)
_ALL_INSURANCES = "社会保险"
_INSURANCES = frozenset({"失业保险", "养老保险", "医疗保险", "工伤保险", "生育保险", _ALL_INSURANCES})


def _covered(schemes: list[str]) -> set[str]:
    return set(schemes) | (_INSURANCES if _ALL_INSURANCES in schemes else set())


def other_scheme(question: str, top: Hit) -> str | None:
    """The scheme the top passage is about, when the question names schemes and the passage (with its title) names
    another one and none of them; else None. 低保申请要多久能批下来 is not answered by the ten working days for
    失业保险金."""
    asked = schemes_in(question)
    if not asked:
        return None
    # a law named after its scheme (工伤保险条例) is about that scheme, whatever else its articles mention: 第三十条's
    # 按照基本医疗保险办法处理 does not make it an answer to 医药费能走医保报销吗
    named = schemes_in(top.title)
    if named in ([], [_ALL_INSURANCES]):
        # a title naming all insurances (社会保险经办条例): the insurance its article names, else all of them
        found = schemes_in(top.titled_text)
        named = [scheme for scheme in found if scheme != _ALL_INSURANCES] or found
    return named[0] if named and _covered(asked).isdisjoint(_covered(named)) else None


# What the articles of a law named after its scheme presuppose: 工伤保险's, work (职工因工死亡's 丧葬补助金 does not answer
# 家里老人去世 丧葬费能领多少); 住房公积金's, the fund (its loans do not answer 找银行贷款做抵押 办抵押登记)
_PRESUPPOSED: dict[str, re.Pattern[str]] = {
    "工伤保险": re.compile(r"工|职|伤|班|单位|公司|厂|老板|劳动|干活|病"),
    "住房公积金": re.compile(r"公积金"),
}


def presupposed_unstated(question: str, top: Hit) -> str | None:
    """The scheme the top passage's law is named after, when the question says nothing of what that law's articles
    presuppose (work or an injury for 工伤保险, the fund for 住房公积金); else None."""
    named = (scheme for scheme in schemes_in(top.title) if scheme in _PRESUPPOSED)
    return next((scheme for scheme in named if not _PRESUPPOSED[scheme].search(question)), None)


# How two things differ (居住证和暂住证有什么区别, 暂住证跟居住证是一回事吗, 工伤和职业病有啥不一样): the things are the
# words either side of 和/与/跟/同, up to the asking words; 跟别人干一样的活 tells what one does, it asks no difference
_COMPARED = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{2,10}?)(?:和|与|跟|同)([\u4e00-\u9fffA-Za-z]{2,10}?)"
    r"(?:之间)?(?:到底)?(?:有什么|有啥|有哪些|有没有|是不是|是)?(?:区别|不同|不一样|差别|两样|一回事|一样)(?!的|地)"
)


def compared_apart(question: str, top: Hit) -> str | None:
    """Of two things whose difference is asked, the one the top passage does not name; else None. An article on one
    of them (居住证暂行条例 第三条, what a residence permit is) says nothing of how it differs from the other."""
    match = _COMPARED.search(question)
    if match is None:
        return None
    passage = top.titled_text
    things = [_last_word(match.group(1)), match.group(2)]
    names = [{thing, *statute_terms(thing)} for thing in things]
    # a statute's name both are read as (暂住证 and 居住证 both read 居住证) tells them apart no more than silence does
    shared = names[0] & names[1]
    unnamed = (thing for thing, own in zip(things, names) if not any(n in passage for n in own - shared or {thing}))
    return next(unnamed, None)


def _last_word(text: str) -> str:
    """请问居住证 → 居住证: the thing compared is what ends the text before 和."""
    cut = words(text)
    return cut[-1] if cut else text


def schemes_in(text: str) -> list[str]:
    return [name for name, pattern in _SCHEMES.items() if pattern.search(text)]


def threshold(config: AnsweringConfig, profile: Profile) -> float:
    """The answerability score below which the kiosk refuses: the configured one, else the profile's fitted one."""
    return profile.threshold if config.answerable_threshold is None else config.answerable_threshold


def assess(terms: QuestionTerms, hits: Sequence[Hit], vocabulary: Vocabulary, profile: Profile) -> Answerability:
    if not hits:
        return Answerability(0.0, {})
    found = signals(terms, hits, vocabulary, profile)
    return Answerability(round(profile.answerability.probability(found), 4), found, profile.answerability.weights)


__all__ = ["Answerability", "SIGNALS", "assess", "compared_apart", "copy_for_correction", "lost_certificates",
    "other_certificate", "other_scheme", "presupposed_unstated", "schemes_in", "signals", "threshold",
    "uncovered_documents"]
