"""Quote strategy (the default): the fact asked for, in the statute's own words, spoken at once; no model waits.

Retrieval and the answerability check have already chosen the passage. The spoken form is the clause that states
the fact (answering/extract.py); the screen shows it with the whole article, and the next article too when
the relevance model cannot tell the two apart. A question after a figure the article does not state (an amount,
a rate, opening hours) is told that the knowledge base has no such figure; no article is quoted. Asked for two
figures of which the article states one, the kiosk says that one and names the one the documents lack.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from answering.citations import citation_for
from answering.conditions import asks_conditions
from answering.extract import screen_text, spoken_fact
from answering.faithfulness import answers_who_sets, asked_figures, asks_beyond
from answering.frequency import asks_only_how_often
from answering.manners import asked_of_service
from answering.parts import PartAnswer, answered_by, untouched_by
from answering.reply import Question, Wording
from core.config import AnsweringConfig
from core.models import AnswerDone, AnswerMode, AnswerSpoken, Hit
from core.sentences import article_statements, items_to_choose
from knowledge_base.question import analyse, states_kind


class QuoteStrategy:
    name = "quote"

    def __init__(self, config: AnsweringConfig) -> None:
        self.config = config
        self.wording = Wording(config)

    def quoted(self, hits: list[Hit]) -> list[Hit]:
        """The top passage, and the next one of another article when their scores are a near tie."""
        top = hits[0]
        rest = [h for h in hits[1 : self.config.screen_articles] if (h.source, h.article) != (top.source, top.article)]
        margin = self.config.quote_tie_margin
        return [top] + [h for h in rest if top.score - h.score < margin]

    async def reply(self, q: Question, lead: str = "", mode: AnswerMode = AnswerMode.QUOTE) -> AsyncIterator[AnswerSpoken | AnswerDone]:
        quoted = self.quoted(q.hits)
        passage = "".join(h.text for h in quoted)
        figures = asked_figures(q.text, passage)
        missing = [kind for kind, stated in figures.items() if not stated]
        answers_the_rest = (
            asks_beyond(q.terms.asks, missing) and states_kind(q.terms.asks, passage)
        ) or answers_who_sets(q.text, passage)
        if missing and len(missing) == len(figures) and not answers_the_rest:
            # said and shown without the rule: an article that lacks the figure may be about something else
            yield q.draft.say(self.wording.missing_figure(missing[0]) + self.wording.guidance())
            yield q.draft.finish(AnswerMode.REFUSAL, [], q.hits, refused=True)
            return
        manner = asked_of_service(q.text, q.followup)
        # 能让家里人代办吗 after 办居住证要带什么材料 asks who may apply, not the earlier question's kind of fact
        asks = analyse(q.text).asks if manner is not None and q.followup else q.terms.asks
        # how often and who qualifies are read in the turn's own words: 在哪办 after 居住证多久签注一次 asks where, not how
        # often, and 多久签一次 after 居住证忘了签注会怎么样 asks how often, not what follows
        fact = await self.fact(
            q, quoted[0], asks, q.focus, manner=manner, frequency=asks_only_how_often(q.text),
            conditions=asks_conditions(q.text),
        )
        # asked for two figures and the rule states one (多少钱 … 多长时间), or for a figure and something else the rule
        # states (要不要交工本费 … 多久能拿到): what it states, and which figure is not written down
        yield q.draft.say(lead + fact + (self.wording.partly_missing(missing) if missing else ""), [citation_for(quoted[0])])
        # asked by a name the current version dropped: said, since the citizen will meet the new one at the window
        for rename in q.asked_by_old_name:
            yield q.draft.say(self.wording.renamed(rename))
        # another part of the question (…普通小学能不能不收 上学有没有补助) answered by an article not yet quoted
        answers = await q.part_answers()
        for part in self.other_parts(quoted, answers):
            said = await self.fact(q, part.hit, part.asks, part.part.focus)
            yield q.draft.say(self.config.part_lead + said, [citation_for(part.hit)])
            quoted.append(part.hit)
        # …one another department handles is referred there (驾驶证到期了怎么换 身份证到期了怎么换)
        for answer in answers:
            if answer.referral is not None:
                yield q.draft.say(answer.referral)
        # …and one no article answers is said to be unanswered, not passed over (残疾人就业有什么扶持 残疾证怎么办)
        unanswered = self.unanswered_parts(quoted, answers, missing, q.focus)
        if unanswered:
            q.draft.unanswered = tuple(a.part.clause for a in unanswered)  # for the staff's unanswered queue
            yield q.draft.say(self.wording.part_unanswered(list(q.draft.unanswered)))
        citations = list(dict.fromkeys(citation_for(h) for h in quoted))
        # a quoted article that uses a new name: the old one under it, for a citizen who knows only that
        shown = [r for r in q.renames if r not in q.asked_by_old_name and any(r.new in h.text for h in quoted)]
        notes = "".join("\n\n" + self.wording.renamed(r) for r in shown)
        yield q.draft.finish(mode, citations, q.hits, refused=False, screen=screen_text(q.draft.spoken, quoted) + notes)

    async def fact(
        self, q: Question, hit: Hit, asks: str, focus: str, manner: str | None = None, frequency: bool | None = None,
        conditions: bool | None = None,
    ) -> str:
        """The clause of the article that states the fact asked (or speaks to the `manner` asked, how often, or who
        qualifies), within the configured spoken budgets."""
        statements = article_statements(hit.text)
        closeness = await q.closeness(focus, statements)
        items = items_to_choose(statements)
        near_items = await q.closeness(focus, items) if items else None
        return spoken_fact(
            hit, asks, focus, self.config.spoken_chars, manner=manner, frequency=frequency, conditions=conditions,
            list_budget=self.config.spoken_list_chars, rest_note=self.config.list_rest_note,
            audiences=self.config.article_audiences, opening_chars=self.config.article_opening_chars,
            closeness=closeness, item_closeness=dict(zip(items, near_items, strict=True)) if near_items else None,
        )

    @staticmethod
    def unanswered_parts(quoted: list[Hit], answers: list[PartAnswer], missing: list[str], focus: str) -> list[PartAnswer]:
        """The parts no article answers that the quoted articles say nothing toward either; not the part the first
        fact was chosen for (`focus`), nor one asking a figure already said to be missing."""
        said = "".join(h.text for h in quoted)
        return [
            a for a in answers
            if a.hit is None and a.referral is None and a.part.focus != focus and untouched_by(a.part, said)
            and not any(kind in missing for kind in asked_figures(a.part.clause, ""))
        ]

    @staticmethod
    def other_parts(quoted: list[Hit], answers: list[PartAnswer]) -> list[PartAnswer]:
        """The part answers whose article is not quoted already, and whose part the quoted articles do not answer."""
        seen = {(h.source, h.article) for h in quoted}
        said = "".join(h.text for h in quoted)
        kept = []
        for answer in answers:
            if answer.hit is None:
                continue
            key = (answer.hit.source, answer.hit.article)
            if key not in seen and not answered_by(answer.part, said):
                seen.add(key)
                said += answer.hit.text
                kept.append(answer)
        return kept
