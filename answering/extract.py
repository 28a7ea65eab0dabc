"""The two forms of a quoted answer: the fact in one breath (spoken), and the rule it comes from (screen).

`spoken_fact` picks, from a passage, the sentence that states the kind of fact asked for (the list of materials
for 带什么, the duration for 多久, the fee or 免费 for 收费, …) and closest in wording to the question, trimmed to
whole clauses within a budget. It only cuts: the words are the statute's own, so no number or condition changes.
`screen_text` is the spoken fact followed by the full article(s), one list item per line, each with its citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from answering.audience import named_groups
from answering.brackets import Figure, fit_share, own_figure
from answering.citations import citation_for
from answering.conditions import asks_conditions, states_conditions
from answering.consequences import asks_consequence, states_consequence
from answering.deadlines import asks_deadline, states_deadline
from answering.faithfulness import SET_BY, WHO_SETS_ASKED, asks_amount, states_amount
from answering.fees import asks_fee, states_fee
from answering.frequency import asks_only_how_often, states_frequency
from answering.manners import speaks_to_manner
from answering.remedies import asks_remedy, states_remedy
from answering.stops import asks_stop, states_stop
from core.models import Hit
from core.sentences import CONNECTIVE, ESCALATION, ITEM_BOUNDARY, article_statements, clauses, list_items
from core.text_lines import ARTICLE_LABEL
from knowledge_base.query_expansion import statute_terms
from knowledge_base.question import A_NOT_A, analyse, states_figure, states_kind

_PAREN = re.compile(r"[(（][^()（）]{1,40}[)）]")
# a clause that only sets up the next one: a time or condition (…之后, …时, …以前), a time limit whose action comes
# next (应当在婴儿出生六十日内，持…办理…登记), a subject named by its 的 phrase (…居住的适龄儿童、少年，) or an opening
# 对/为/按照 phrase
_DANGLING = re.compile(
    r"(?:后|之后|以后|时|之时|以前|之前|期间|日内|天内|月内|年内|之内|以内|的|的[\u4e00-\u9fff]{1,6}(?:、[\u4e00-\u9fff]{1,6})?)[，,：:]?$"
    r"|^(?:由[^，,]*?)?(?:对|为|按照|依照|根据)[^，,]*[，,]$"  # 由社会保险经办机构根据其工作时间长短，
)
_LIST_KINDS = ("材料", "条件", "对象", "流程", "其他")
_ONE_FACT_KINDS = ("地点", "期限", "费用", "金额")  # asked for one fact, not for a list
_ITEM_MATCH = 2  # character bigrams a list item must share with the question to be said on its own
_NEAR_BEST = 0.6  # …and at least this share of the best item's
_ENUMERATION = re.compile(r"哪些|哪几|都有|都包括|包括什么|有什么|有啥|什么情况")  # the whole list is the answer
# …or, sharing too few words with any, the item nearest the question in meaning by this much more than the next
# (closeness as the ranking profile weighs it: 找到新工作了 → 重新就业的 4.6, the next 2.9); 喝多了…摔下来了 is near
# every case that counts as a work injury alike, and the list is said whole
_ITEM_NEARER = 0.3
# asked what there is (能给残疾人免费提供啥服务, 有什么待遇), the items are what is asked, not one case of them
_WHAT_THINGS = re.compile(r"什么(?!时候)|啥(?!时候)")
# 在未达到法定退休年龄时 is about someone not retired: it shares 退休 with 退休老人去世了 but not its meaning
_NOT_YET = re.compile(r"未[^，。；、\s]{1,8}")
_NOT_YET_ASKED = re.compile(r"未|没|不到|不满|还不")
# asking words that statutes use for other things: 几周岁可以上小学 does not ask about 可以推迟到七周岁
_ASKING_BIGRAMS = frozenset("可以 应当 是不 不是 什么 怎么 能不 要不 的话 这个 那个 还是 需要 有没 没有 是否 哪些".split())
# a sentence that opens with the exception to a rule (需要延长…的, 因特殊情况不能按期…的) does not state the rule a
# plain question asks for; one that states the rule and then its exception (60日内…，必要时…可以延长30日) does
_EXCEPTION = re.compile(r"延长|特殊情况|不能按期|逾期")
_EXCEPTION_PENALTY = 2.0
_KIND_CUE = 1.5  # a sentence that states what was asked: the kind of fact, a consequence, who sets a figure
_HOLDING = re.compile(r"(?<!支)持(?!有人|续)|凭|携带|提交|提供|出示|交验")
_HOLDING_CUE = 0.5
_START_OF_PERIOD = re.compile(r"自[^，。；]*?之日起")
_GROUP = re.compile(r"^对[^，。；]{2,40}?的[^，。；]{0,8}?(?:居民|人员|家庭|职工|学生|儿童|老年人|残疾人|军人|个人|公民|单位)")
_GROUP_PENALTY = 2.0
# a statement naming items of the article's list by number (无需提交第二项、第三项材料) means nothing said without it
_ITEM_REFERENCE = re.compile(r"第[一二三四五六七八九十]+项")
_BRACKET_WEIGHT = 2.0  # the bracket the citizen's own age or years fall in, over the others (我今年32岁 → 26至45周岁)


def article_body(hit: Hit) -> str:
    """The passage without its article label (the citation names it)."""
    return ARTICLE_LABEL.sub("", hit.text.strip())


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\W_]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _for_unnamed_group(unit: str, named: list[str]) -> bool:
    """A sentence that opens by limiting itself to a group (对城市中领取最低生活保障金的居民…，免收工本费) the question
    does not name: it states an exception, not the rule a plain 收费吗 asks for. 低保户 names that group (最低生活保障)."""
    match = _GROUP.match(unit)
    return bool(match) and not any(word in match.group(0) for word in named)


def _score(
    unit: str, asks: str, wanted: set[str], first: bool, exception_asked: bool, figure: Figure | None,
    consequence: bool = False, who_sets: bool = False, affirmed_only: bool = False, manner: str | None = None,
    frequency: bool = False, conditions: bool = False, states_asked: Callable[[str], bool] | None = None,
) -> float:
    share = fit_share(unit, figure) if figure else None
    bracket = 0.0 if share is None else _BRACKET_WEIGHT * (2 * share - 1)
    said = _NOT_YET.sub("，", unit) if affirmed_only else unit
    overlap = len(_bigrams(said) & wanted) / max(1, len(wanted))
    # 自办理失业登记之日起计算 says when a period starts, not how to do something
    cue = _KIND_CUE if asks != "其他" and states_kind(asks, _START_OF_PERIOD.sub("", unit) if asks == "流程" else unit) else 0.0
    cue += 0.5 if states_figure(asks, unit) else 0.0  # 十年 over a list of fields that names 有效期
    if consequence:  # what happens is the fact asked; 到期了没续签 names a period without asking one
        cue = _KIND_CUE if states_consequence(unit) else 0.0
    if frequency:  # 多久签注一次 asks how often (每年签注1次), not the period before which it is done
        cue = _KIND_CUE if states_frequency(unit) else 0.0
    if conditions:  # 办居住证需要什么条件 asks who qualifies, not what to hand in
        cue = _KIND_CUE if states_conditions(unit) else 0.0
    # 护照不给签发 有什么办法 asks what one may do about it (十五日内签发普通护照 shares its words, not that); 这证还管用不
    # whether it still holds (逾期未办理签注的，居住证使用功能中止, not when to renew it)
    if states_asked is not None:
        cue = 2 * _KIND_CUE if states_asked(unit) else 0.0
    if manner is not None and speaks_to_manner(unit, manner):  # 能加急吗: 因合理紧急事由请求加急办理的…
        cue += _KIND_CUE
    cue += _KIND_CUE if who_sets and SET_BY.search(unit) else 0.0  # 补多少是谁定的 → 标准由省…规定
    # asked what to bring, the sentence on what the applicant hands in or holds (持…证明…办理失业登记), not the one
    # on what an employer issues (单位应当…为失业人员出具…证明)
    cue += _HOLDING_CUE if asks == "材料" and _HOLDING.search(unit) else 0.0
    is_list = ITEM_BOUNDARY in unit
    opens_with_exception = not exception_asked and bool(_EXCEPTION.search(clauses(unit)[0] if unit else ""))
    exception = _EXCEPTION_PENALTY if opens_with_exception else 0.0
    listed = 0.8 if is_list and asks in _LIST_KINDS else 0.0
    return cue + 3.0 * overlap + (0.3 if first else 0.0) + listed - exception + bracket


def _speakable_list(
    unit: str, budget: int, asks: str, wanted: set[str], focus: str, list_budget: int | None, rest_note: str,
    states_asked: Callable[[str], bool] | None = None, nearness: Mapping[str, float] | None = None,
) -> str:
    """The list as one sentence. Over budget, and asked about one case (在火车站警察要看身份证 他们有权查吗), the
    opening with the items that match the question, or with the one clearly nearest it in meaning (`nearness`, an
    item's closeness to the question: 找到新工作了还接着领失业金 → 重新就业的); a list of materials, a list asked for as
    such (家属能领哪些钱), or one no item of which the question names, is said whole — up to `list_budget` characters,
    then 等 and `rest_note` (the screen shows every item), since a list of ten conditions read out is a minute and a
    half."""
    opening = unit.split(ITEM_BOUNDARY)[0]
    items = list_items(unit)
    if states_asked is not None and not states_asked(opening):  # 伤残津贴什么时候停: the item that says when it stops
        items = [i for i in items if states_asked(i)] or items
    text = opening + "；".join(items) + "。"
    if len(text) > budget and asks != "材料" and not _ENUMERATION.search(focus):
        # words the opening or most items share (公司, 法人 in a list of who may not be one) pick out no item
        shared = _bigrams(opening) | {b for b in wanted if sum(b in i for i in items) * 2 > len(items)}
        overlap = [len(_bigrams(item) & (wanted - shared)) for item in items]
        best = max(overlap, default=0)
        if best >= _ITEM_MATCH:
            items = [item for item, n in zip(items, overlap, strict=True) if n >= max(_ITEM_MATCH, best * _NEAR_BEST)]
            text = opening + "；".join(items) + "。"
        elif not _WHAT_THINGS.search(focus) and (nearest := _clearly_nearest(items, nearness or {})):
            items = [nearest]
            text = opening + nearest + "。"
    if len(text) > budget and asks in _ONE_FACT_KINDS and len(items) > 1 and not _ENUMERATION.search(focus):
        # 找谁申请 of a three-step procedure: the first step that states a place (a period, a fee) is the answer
        stating = next((item for item in items if states_kind(asks, item)), None)
        if stating is not None:
            return opening + stating.rstrip("，,；;") + "等。" + rest_note
    if len(text) > budget:  # drop parenthetical asides before giving up on the whole list
        opening, items = _PAREN.sub("", opening), [_PAREN.sub("", i) for i in items]
        text = opening + "；".join(items) + "。"
    if list_budget is not None and len(text) > list_budget and len(items) > 1:
        said = items[:1]
        for item in items[1:]:
            if len(opening) + len("；".join([*said, item])) + 2 > list_budget:
                break
            said.append(item)
        if len(said) < len(items):
            text = opening + "；".join(said) + "等。" + rest_note
    return text


def _clearly_nearest(items: list[str], nearness: Mapping[str, float]) -> str | None:
    """The item nearest the question in meaning, when it is nearer than every other by `_ITEM_NEARER`."""
    ranked = sorted((nearness[item], item) for item in items if item in nearness)
    if len(ranked) < 2 or len(ranked) < len(items) or ranked[-1][0] - ranked[-2][0] < _ITEM_NEARER:
        return None
    return ranked[-1][1]


# asked whom a rule is for, a trimmed run this much shorter than the budget is a fragment, and a sentence up to
# this much over it is said whole instead
_FRAGMENT_SHARE = 3
_OVER_BUDGET = 1.5
# a clause naming one case a rule applies to (…结婚的，)
_CASE = re.compile(r"的[，,]$")
# a rule is said with the case it holds in, up to this many times the budget: 可以按照简易程序办理注销登记 said without
# 市场主体未发生债权债务…承担法律责任的， told a company it may deregister simply whatever it owes
_WITH_CASE = 2


def _trim(
    sentence: str, asks: str, wanted: set[str], budget: int, exception_asked: bool, figure: Figure | None,
    affirmed_only: bool = False, manner: str | None = None, conditions: bool = False,
    states_asked: Callable[[str], bool] | None = None,
) -> str:
    """The best run of whole clauses within the budget (a clause holding the fact asked for, near the question)."""
    parts = clauses(sentence)
    share = fit_share(sentence, figure) if figure else None
    mixed = share is not None and 0 < share < 1  # 未满十六周岁的五年，十六周岁以上的十年: say the citizen's bracket
    if (len(sentence) <= budget and not mixed) or len(parts) <= 1:
        return sentence if len(sentence) <= budget * 2 else _PAREN.sub("", sentence)

    def rated(run: str, first: bool) -> float:  # a little more for a longer run, all else equal
        score = _score(
            run, asks, wanted, first, exception_asked, figure, affirmed_only=affirmed_only, manner=manner,
            conditions=conditions, states_asked=states_asked,
        )
        return score + 0.01 * len(run) / budget

    best, best_score = parts[0], -1.0
    for start in range(len(parts)):
        if start and (CONNECTIVE.match(parts[start]) or ESCALATION.match(parts[start])):
            continue  # said first, 并可以申请…, 但是… or 拒不改正的… leans on a clause the citizen never heard
        run = ""
        for end in range(start, len(parts)):
            if len(run) + len(parts[end]) > budget and run:
                break
            run += parts[end]
            if end < len(parts) - 1 and _DANGLING.search(parts[end]):
                continue  # 按照…扣除…支出后， leads into the main clause; said alone it means nothing
            score = rated(run, start == 0)
            if score > best_score:
                best, best_score = run, score
    # 中国公民同外国人…结婚的，内地居民同香港居民…结婚的，男女双方应当…: one of the cases the rule lists, with what it says
    # of them all, is a whole statement; the case asked about may be the first, and the consequence comes last
    cases = next((i for i, part in enumerate(parts) if not _CASE.search(part)), 0)
    if cases >= 2:
        outcome = "".join(parts[cases:])
        for case in parts[:cases]:
            run = case + outcome
            if len(run) <= budget and (score := rated(run, True)) > best_score:
                best, best_score = run, score
    whom = asks == "对象" or conditions
    if whom and len(best) * _FRAGMENT_SHARE < budget and len(sentence) <= budget * _OVER_BUDGET and not mixed:
        # 什么样的人能算特困人员 → 国家对…的老年人、残疾人以及未满16周岁的未成年人，给予特困人员供养: what is left within the
        # budget is the bare outcome (给予特困人员供养), which does not say whom it is for; this little over, said whole
        return sentence
    if (
        manner is not None and speaks_to_manner(sentence, manner) and not speaks_to_manner(best, manner)
        and len(sentence) <= budget * _OVER_BUDGET and not mixed
    ):
        # 能开证明吗 → 单位应当及时为失业人员出具…的证明，告知其…: the clause that says so leads into the next one
        return sentence
    if best.endswith(("，", ",")) and parts[-1] not in best and len(sentence) <= budget * _OVER_BUDGET and not mixed:
        # 应当通过入户调查…等方式， stops before what the sentence says is done: a little over the budget, said whole
        return sentence
    start = sentence.find(best)
    said_without_case = start > 0 and _CASE.search(sentence[:start]) and not _CASE.search(clauses(best)[0])
    if said_without_case and start + len(best) <= budget * _WITH_CASE and not mixed:
        return sentence[: start + len(best)]  # from the case the rule holds in, not one case of several
    return best


def spoken_fact(
    hit: Hit, asks: str, focus: str, budget: int = 60, *, list_budget: int | None = None, rest_note: str = "",
    audiences: Mapping[str, Sequence[str]] | None = None, opening_chars: int = 20,
    closeness: Sequence[float] | None = None, manner: str | None = None, frequency: bool | None = None,
    conditions: bool | None = None, item_closeness: Mapping[str, float] | None = None,
) -> str:
    """The passage's own words that state the fact asked for, at most about `budget` characters.

    The best sentence first (trimmed to whole clauses if it is too long); then other sentences that also bear on
    the question while they fit, in the article's order (首次免收…。换领、补领应当缴纳…). A list said whole stops at
    `list_budget` characters with `rest_note`. A sentence opening with one of `audiences` (a group or place → the
    words that name it in a question) that the question does not name is passed over like one for an unnamed group.
    `closeness`, one figure per statement of the article (core.sentences.statements), weighs how near each is to the
    question in meaning: 老婆没上班 shares no words with 未就业配偶, and only its sentence answers it. A `manner`
    asked (能让家里人代办吗 after 办居住证要带什么材料) is stated by the sentences that speak to it (…可以由其监护人、近亲属
    代为申领), not by the one on materials the earlier question's words are nearest. `item_closeness` does the same
    for the items of a list (core.sentences.list_items): which case the question is about.
    """
    units = article_statements(hit.text)
    if not units:
        return ""
    nearness = [0.0] * len(units)
    if closeness is not None and len(closeness) == len(units):
        nearness = [c - max(closeness) for c in closeness]  # the closest statement loses nothing
    # only the question's words that this article uses: words no sentence has would shrink every sentence's overlap
    # alike and let the kind cue and the first-sentence bonus outvote the wording
    wanted = (_bigrams(focus) - _ASKING_BIGRAMS) & set().union(*map(_bigrams, units))
    # asked what happens (忘了签会咋样), the sentence on a rule not kept (逾期未办理签注的，居住证使用功能中止) answers,
    # though it may open with the exception a plain question passes over
    consequence = asks_consequence(focus)
    who_sets = bool(WHO_SETS_ASKED.search(focus))
    frequency = asks_only_how_often(focus) if frequency is None else frequency  # unless read in the turn's own words
    conditions = asks_conditions(focus) if conditions is None else conditions  # as how often
    remedy = asks_remedy(focus)
    states_asked = states_remedy if remedy else states_stop if asks_stop(focus) else None  # the sentence must state it
    # …as must one asked what it costs, where the fee's own cues weigh which (免收工本费 for a 低保 family), by when one
    # must act (外国人住朋友家 多长时间内要登记: 应当在入住后二十四小时内…, not the hotel's duty before it) or how much
    # (这种要罚多少: 处骗取金额2倍以上5倍以下的罚款, not the suspension before it)
    must_state = states_asked or (
        states_fee if asks_fee(focus)
        else states_deadline if asks_deadline(focus)
        else states_amount if asks_amount(focus)
        else None
    )  # fmt: skip
    exception_asked = consequence or bool(_EXCEPTION.search(focus))
    named = [word for word, _ in analyse(focus).subject] + statute_terms(focus)  # 低保(护) → 最低生活保障
    figure = own_figure(focus)
    affirmed_only = not _NOT_YET_ASKED.search(A_NOT_A.sub("", focus))  # 有没有 asks; it says nothing of not yet
    # a sentence opening with a group or place the question does not name (外交护照由外交部签发 to 办护照去哪个部门) is
    # the rule for them, not for the citizen asking
    audiences = audiences or {}
    asked_of = named_groups(focus, audiences)
    unnamed = [group for group in audiences if group not in asked_of]
    has_list = any(ITEM_BOUNDARY in u for u in units)
    scores = [
        _score(
            u, asks, wanted, i == 0, exception_asked, figure, consequence, who_sets, affirmed_only, manner, frequency,
            conditions, states_asked,
        )
        - (_GROUP_PENALTY if _for_unnamed_group(u, named) else 0.0)
        - (_GROUP_PENALTY if _ITEM_REFERENCE.search(u) and has_list else 0.0)
        - (_GROUP_PENALTY if any(group in u[:opening_chars] for group in unnamed) else 0.0)
        + nearness[i]
        for i, u in enumerate(units)
    ]
    # asked how to challenge a decision, whether something still holds or what it costs, a sentence stating that is
    # said when the article has one, however near in meaning another is (这证还管用不: 逾期未办理签注手续的，居住证使用功能中止)
    stating = [i for i, u in enumerate(units) if must_state(u)] if must_state is not None else []
    best = max(stating or range(len(units)), key=scores.__getitem__)
    if ITEM_BOUNDARY in units[best]:
        # asked how to challenge a decision, the list's opening states the way (可以依法申请行政复议…：) and its cases
        # are on the screen: said within the spoken budget, not the list's
        cap = budget if remedy else list_budget
        chosen = {
            best: _speakable_list(units[best], budget, asks, wanted, focus, cap, rest_note, must_state, item_closeness)
        }
    else:
        chosen = {
            best: _trim(
                units[best], asks, wanted, budget, exception_asked, figure, affirmed_only, manner, conditions,
                states_asked,
            )
        }
    used = len(chosen[best])
    for i in sorted(range(len(units)), key=lambda j: -scores[j]):
        if i in chosen or ITEM_BOUNDARY in units[i] or scores[i] < max(1.0, 0.75 * scores[best]):  # nearly as apt
            continue
        if used + len(units[i]) <= budget:
            chosen[i] = units[i]
            used += len(units[i])
    text = "".join(chosen[i].strip() for i in sorted(chosen)).rstrip("，,；;：:")
    return text if text.endswith(("。", "！", "？")) else text + "。"


def article_lines(hit: Hit) -> str:
    """The whole article for the screen: its citation, then its text with one list item per line."""
    body = article_body(hit)
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    return f"{citation_for(hit).label()}\n" + "\n".join(lines)


def screen_text(spoken: str, quoted: Sequence[Hit]) -> str:
    """What the screen shows: the spoken fact, then each quoted article in full."""
    return spoken + "".join("\n\n" + article_lines(h) for h in quoted)
