"""The gate between retrieval and speech: which passages may answer a question, and whether the first one does.

A passage is left out when it is written for a group the question does not name, is not on applying for a how-to
question (whose first one states the applicant's part, where one was found: not what the office does once one has
applied), or states no duty or choice (for 必须办居住证吗), no period the office takes (for 要多久), no consequence (for
不送孩子上学会怎么样), no frequency (for 护理补贴是按月发吗), no office (for 临时救助找谁申请), no condition (for 办居住证需要什么条件), no way
to challenge a decision (for 工伤认定结论不服 能告吗), no deadline (for 多久之内要去变更登记), no length of validity (for
护照能用几年), no amount nor the rule for one (for 这种要罚多少), nothing on whether it goes on (for 找到工作了
失业金还能接着领吗) or no charge and no one bearing a cost (for 居住证丢了补办要钱吗); asked whether a case counts as
what the statutes define by cases (能算工伤吗), the articles saying which do are taken when one was found; asked which
documents to bring or where one goes, the candidates run from the first naming documents or whom one applies to. The
first one left is then refused for naming another certificate or scheme, for lacking what a difference asks, for a
low relevance, or for an answerability score under the threshold, unless not far under it with only the asker's own
story untold (邻居家, 腿脚); the reason is logged and the hall's refusal said instead. A question asking first who
qualifies, whether someone else may do it for one, whether something goes on, or how long the office takes for a
service it names first, is searched with the statutes' words for that named (`searched_as`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from answering.answerability import (
    Answerability,
    Vocabulary,
    assess,
    compared_apart,
    copy_for_correction,
    other_certificate,
    other_scheme,
    presupposed_unstated,
    threshold,
    uncovered_documents,
)
from answering.applying import from_the_first_stating, states_applicants_part, states_whom_one_applies_to
from answering.audience import addressed
from answering.conditions import TAKING_OUT_SAID, asks_conditions, asks_to_take_out, states_conditions
from answering.consequences import asks_consequence, states_consequence
from answering.counts_as import counted_as, defines
from answering.deadlines import asks_ahead, asks_deadline, names_who_must_act, states_deadline
from answering.enactment import ruling
from answering.faithfulness import asks_amount, states_amount
from answering.fees import asks_fee, states_fee
from answering.followups import unanswered_aspect
from answering.frequency import asks_frequency, states_frequency
from answering.manners import (
    IN_ANY_QUESTION,
    asked_of_service,
    asks_period_of_service,
    manner_stated,
    speaks_to_manner,
)
from answering.materials import asks_materials, states_materials
from answering.offices import asks_office, asks_where_to_apply, names_office, names_what_is_applied_for
from answering.parts import Part, question_parts
from answering.remedies import asks_remedy, states_remedy
from answering.stops import asks_stop, payment_named, searched_stop_words, states_stop
from answering.story import untold_but_story
from answering.validity import asks_validity, states_validity
from core.config import AnsweringConfig
from core.models import Hit
from knowledge_base.profiles import Profile
from knowledge_base.question import FOLLOWUP_SEPARATOR, QuestionTerms, analyse, own_line
from knowledge_base.search_queries import about_applying, is_application_query


@dataclass(frozen=True)
class Checked:
    candidates: list[Hit]  # the hits left once those written for another group (or not on applying) are out
    verdict: Answerability
    refusal: str | None  # why the first candidate may not be quoted, or None


class Gate:
    """Checks hits against a question with the answering configuration and the embedder's ranking profile.
    `vocabulary` is asked for the knowledge base's terms on each check, so a knowledge base changed by staff is read
    as it is now."""

    def __init__(self, cfg: AnsweringConfig, profile: Profile, vocabulary: Callable[[], Vocabulary]) -> None:
        self.cfg = cfg
        self.profile = profile
        self.vocabulary = vocabulary

    @property
    def threshold(self) -> float:
        """The answerability score below which the kiosk refuses: the config's, else the ranking profile's."""
        return threshold(self.cfg, self.profile)

    def check(self, query: str, terms: QuestionTerms, hits: list[Hit]) -> Checked:
        """The passages that may answer, the answerability verdict on the first, and why it is refused (or None)."""
        candidates = ruling(addressed(hits, query, self.cfg), query)
        if is_application_query(query):
            candidates = [h for h in candidates if about_applying(h.text)]
            candidates = with_the_laws_relevance(hits, from_the_first_stating(candidates, states_applicants_part))
        if manner := manner_stated(query):  # 必须办居住证吗: the article stating the duty, not the one on the materials
            candidates = [h for h in candidates if speaks_to_manner(h.text, manner)]
        candidates = stating_what_is_asked(own_line(query), candidates)
        candidates = speaking_to_the_aspect(own_line(query), candidates, FOLLOWUP_SEPARATOR in query)
        vocabulary = self.vocabulary()
        verdict = assess(terms, candidates, vocabulary, self.profile)
        return Checked(candidates, verdict, self._refusal(terms, candidates, verdict, vocabulary))

    def _refusal(
        self, terms: QuestionTerms, candidates: list[Hit], verdict: Answerability, vocabulary: Vocabulary
    ) -> str | None:
        if not candidates:
            return "no passage left"
        top = candidates[0]
        if uncovered := uncovered_documents(terms, vocabulary):
            return f"names {'、'.join(uncovered)}, which no document mentions"
        if other := other_certificate(terms, top):
            return f"the top passage's law is about the {other}, not the certificate asked about"
        if copy_for_correction(terms.text, top):
            return "asks to correct a certificate; the top passage is on replacing a lost or damaged one"
        if scheme := other_scheme(terms.text, top):
            return f"the top passage is about {scheme}, not the scheme asked about"
        if scheme := presupposed_unstated(terms.text, top):
            return f"the top passage's law presupposes {scheme}, which the question does not mention"
        if apart := compared_apart(terms.text, top):
            return f"asks how two things differ; the top passage does not name {apart}"
        if top.score < self.cfg.min_relevance:
            return f"the best passage left has relevance {top.score:.3f} < {self.cfg.min_relevance}"
        if verdict.score < self.threshold and not self._only_story_untold(terms, top, verdict):
            return verdict.reason()
        return None

    def _only_story_untold(self, terms: QuestionTerms, top: Hit, verdict: Answerability) -> bool:
        """Under the threshold, but not far, for words of the asker's own story the top passage does not name."""
        return verdict.score >= self.cfg.story_threshold and untold_but_story(terms, top.titled_text)

    def best_part(
        self, parts: list[Part], hits: list[Hit], referred: Callable[[str, Hit, QuestionTerms], bool]
    ) -> tuple[Part, QuestionTerms, Checked] | None:
        """For a question asking several things that is refused as a whole: the part (not `referred` elsewhere) whose
        check on the same hits passes best, with its terms and check; None when no part passes. Judged whole, the
        kind of fact asked is taken from one clause (要交钱吗 asks a fee), and an article answering another part fails
        for lacking it."""
        if not hits:
            return None
        best: tuple[Part, QuestionTerms, Checked] | None = None
        for part in parts:
            terms = analyse(part.query)
            if referred(part.query, hits[0], terms):
                continue
            checked = self.check(part.query, terms, hits)
            if checked.refusal is None and (best is None or checked.verdict.score > best[2].verdict.score):
                best = (part, terms, checked)
        return best


def with_the_laws_relevance(hits: list[Hit], candidates: list[Hit]) -> list[Hit]:
    """For a bare how-to question (结婚证怎么办), the first article stating the applicant's part judged with the
    relevance of the passage found first, when both are of one law: the search found the law, and which of its
    articles says what the applicant does is the filter's choice, not the relevance model's. Scored alone, 婚姻登记条例
    第五条 (0.12, after 第七条, on what the office examines, at 0.68) was refused. The same for where one goes, asked
    of something named (护照去哪里办: 护照法 第五条, whom one applies to, at 0.12 after 第四条, who issues it, at 0.71)."""
    if not hits or not candidates or candidates[0] is hits[0] or candidates[0].doc_id != hits[0].doc_id:
        return candidates
    first, found = candidates[0], hits[0]
    cosine = max(first.vector_score or 0.0, found.vector_score or 0.0)
    lent = replace(first, score=max(first.score, found.score), vector_score=cosine)
    return [lent, *candidates[1:]]


def stating_what_is_asked(line: str, candidates: list[Hit]) -> list[Hit]:
    """The candidates stating the kind of fact the turn's own line asks: what follows (不送孩子上学会怎么样: not the article on
    the duty), how often (护理补贴是按月发还是按季度发: an article stating it, or none); and, asked in the line's first part,
    which office (临时救助该找谁申请: not the article on who may have it), who qualifies (办居住证需要什么条件: not the one on the
    materials), how to challenge a decision (低保被驳回了 我不服 能去哪儿说理: not the article on who qualifies), what it
    costs (居住证丢了补办要钱吗: the article on the fee, not the one on where to replace it), by when one must act
    (单位应该在多少天内给新职工办社保登记: not the article on how long the office then takes), how long something stays
    valid (社保卡有效期是多久: an article stating a length of validity, or none), how much (失业金一个月能领多少: not the
    article on registering), whether something goes on
    (考上公务员了 退役金还接着发吗: an article stating when it stops or that it goes on), which cases count as what is
    asked of (能算工伤吗: the articles saying which do, when one was found) or which documents to bring
    (办营业执照要什么材料: from the first article naming them, when one was found, not the one on what the office does
    with them)."""
    if asks_consequence(line):
        candidates = [h for h in candidates if states_consequence(h.text)]
    if asks_frequency(line):
        candidates = [h for h in candidates if states_frequency(h.text)]
    first = first_part(line)
    if asks_office(first):
        candidates = [h for h in candidates if names_office(h.text)]
    if asks_where_to_apply(first):
        moved = from_the_first_stating(candidates, states_whom_one_applies_to, same_document=True)
        candidates = with_the_laws_relevance(candidates, moved) if names_what_is_applied_for(first) else moved
    if asks_conditions(first):
        candidates = [h for h in candidates if states_conditions(h.text)]
    if asks_remedy(first):
        candidates = [h for h in candidates if states_remedy(h.text)]
    if asks_fee(first):
        candidates = [h for h in candidates if states_fee(h.text)]
    if asks_amount(first):
        candidates = [h for h in candidates if states_amount(h.text)]
    if asks_deadline(first):
        ahead = asks_ahead(first)
        organisations = names_who_must_act(first)
        candidates = [h for h in candidates if states_deadline(h.text, ahead=ahead, organisations=organisations)]
    if asks_validity(first):
        candidates = [h for h in candidates if states_validity(h.text)]
    if asks_stop(first):
        candidates = [h for h in candidates if states_stop(h.text)]
        # 伤残津贴什么时候停: the article naming that payment (停发伤残津贴), not one stopping another (停发原待遇)
        if (payment := payment_named(first)) and (naming := [h for h in candidates if payment in h.text]):
            candidates = naming
    if (thing := counted_as(first)) and (defining := [h for h in candidates if defines(h.text, thing)]):
        candidates = defining
    if asks_materials(first):
        candidates = from_the_first_stating(candidates, states_materials)
    return candidates


def speaking_to_the_aspect(line: str, candidates: list[Hit], followup: bool) -> list[Hit]:
    """For a follow-up, the candidates from the first one speaking to what it asks of the service (`unanswered_aspect`:
    a manner, a document to bring, who qualifies, a fee), when the first found does not and a later one does; else as
    they are (the answerer then refuses for the aspect). Searched under the earlier question's topic, a follow-up
    finds that topic's best article first whatever it asks: 离婚登记要什么材料 / 要亲自去吗 had found 婚姻登记条例 第十三条
    (the office examines the documents) first and 第十条 (男女双方应当共同到…) second, and was refused. In a question of
    its own a manner's word may be the citizen's story, not what is asked (我在外地上班 社保上的事能在手机上弄吗 asks
    nothing of where one works), so there the first passage found stands or is refused."""
    if not followup or not candidates or unanswered_aspect(line, candidates[0].titled_text, followup) is None:
        return candidates
    speaking = [h for h in candidates[1:] if unanswered_aspect(line, h.titled_text, followup) is None]
    return speaking or candidates


def first_part(line: str) -> str:
    """What a line asking two things (住房救助有哪些方式 由哪个部门审核) asks first, which decides the first article; the
    others get their own. The whole line when it asks one thing."""
    parts = question_parts(line)
    return parts[0].clause if parts else line


def searched_as(query: str) -> str:
    """What is searched for a turn. A question of its own asking first who qualifies has 条件 added, so the article
    stating them comes up above those on applying (我在这边租房住了八个月了 能办居住证吗 had found 第十条 and 第九条 first
    and 第二条, the conditions, at relevance 0.08); one asking whether someone else may do it for one has the statutes'
    words for that added (俺能替她去办居住证吗 found 第九条, whose 可以由其…近亲属代为申领 answers it, too weakly to be
    quoted); one asking whether something goes on has 停止 added (上礼拜有个厂子要我了 那失业金还能接着领吗 had found
    第十六条, on registering, and not 第十五条, when payment stops), or 合并计算 where it asks what is left of an earlier
    spell (上回没领完的还能接着领不 had found 社会保险法 第五十一条, when payment stops); one asking how long the office
    takes has the words such a period is counted from added (办居住证要用多长时间 had found 第十条, the yearly renewal,
    and 第九条's 15 days at relevance 0.14); not one telling more first (身份证丢了能在这边补吗 多久能拿到 finds its
    article as it is). The gate still reads the turn as it was asked."""
    if FOLLOWUP_SEPARATOR in query:  # a follow-up is searched under the question it leans on, as it was
        return f"{query} {searched_stop_words(own_line(query))}" if asks_stop(own_line(query)) else query
    first = first_part(query)
    if asks_conditions(first):
        return f"{query} {TAKING_OUT_SAID if asks_to_take_out(first) else '条件'}"
    if asks_stop(first):
        return f"{query} {searched_stop_words(first)}"
    if asked_of_service(query, False, IN_ANY_QUESTION) == "代办":
        return f"{query} 代为申请 委托"
    if asks_period_of_service(query):
        return f"{query} 自受理之日起"
    return query
