"""By when a citizen or an employer must act, as a citizen asks it (公司换了地址 多久之内要去变更登记, 单位应该在多少天内给新职工办
社保登记, 出生登记要在几天内去报, 许可证快到期了 要提前多少天去申请) and as an article states it (自用工之日起三十日内; 婴儿出生后一个月
以内; 有效期届满30日前; 应当在迁入新住所前申请变更登记).

A question asking that is answered only by an article stating such a deadline. How long the office takes once one has
applied (自收到申请之日起10个工作日内办理完毕) is no deadline of the citizen's: 社会保险经办条例 第六条 states only that, and
had been quoted for when an employer must register a new employee, which 社会保险法 第五十八条 states.
"""

from __future__ import annotations

import re

from knowledge_base.question import CLAUSE

_PERIOD = r"(?:多久|多长时间|多少天|几天|多少日|几日|几个月|多少个?月|几年|多少年)"
_WITHIN = r"(?:之内|以内|内|之前|以前)"
# 提前多少天去申请: how long before something ends, answered only by a deadline counted back from it (届满三十日前)
_AHEAD = r"提前(?:多久|多长时间|多少天|几天|几个月|多少个?月)"
_ASKED_AHEAD = re.compile(_AHEAD)
ASKED = re.compile(
    # 要在几天内去报, 单位应该在多少天内给…办, 最晚得在多长时间之内
    rf"(?:要|得|应该|应当|必须|需要|最晚|最迟)[^，。？?\s]{{0,3}}?在?{_PERIOD}{_WITHIN}"
    # 多久之内要去变更登记, 多长时间内提出, 多少天内去办 (not 几天内能办好: the office's wait)
    rf"|{_PERIOD}{_WITHIN}(?:就?(?:要|得|必须|应该|应当)|去|来|提出|申请|申报|报到|报)"
    # 啥时候之前得去变更
    rf"|(?:什么时候|啥时候|哪天)(?:之前|以前|前)|{_AHEAD}"
)
_NUMBER = r"[\d零〇一二三四五六七八九十百两]+"
# 有效期届满30日前, 应当在迁入新住所前, 届满前
_BEFORE = re.compile(rf"{_NUMBER}\s*个?(?:工作日|日|天|月)前|(?:迁入|迁出|届满|期满|到期|终止|结束)[^，。；]{{0,20}}?前")
# …or 自用工之日起三十日内, 婴儿出生后一个月以内, 次年三月一日至六月三十日内, 入住后二十四小时内
_WITHIN_STATED = re.compile(rf"{_NUMBER}\s*个?(?:工作日|日|天|月|年|小时)(?:以内|之内|内)")
# the office's own period once one has applied (自收到申请之日起20个工作日内予以答复) or done on the spot
_OFFICE_PERIOD = re.compile(r"自(?:受理|收到|接到|提交|公民提交)[^。；]*|当场[^。；]*")
# what the office does once applied to (他们多少天内必须给答复): how long it takes, not the citizen's deadline
_OFFICE_ACTS = re.compile(r"答复|回复|办结|办完|办好|批下来|审批|审核|决定|结果|发证|拿到|领到|给我办下来")
# 多久之内, 什么时候之前: asked without a unit, which a deadline stated without a number answers (在迁入新住所前); 几天之内
# asks a count of days, which 迁出前 does not give
_UNITLESS = re.compile(rf"(?:多久|多长时间|什么时候|啥时候|哪天){_WITHIN}")


def asks_deadline(text: str) -> bool:
    """Whether the text asks by when one must act (多久之内要去变更登记, 提前多少天去申请); not by when the office
    answers (他们多少天内必须给答复)."""
    match = ASKED.search(text)
    return bool(match) and not _OFFICE_ACTS.search(text[match.start():])


def asks_deadline_without_a_unit(text: str) -> bool:
    """Whether a deadline is asked without a unit of time (多久之内要去变更登记), which one stated without a number answers
    (应当在迁入新住所前)."""
    return asks_deadline(text) and bool(_UNITLESS.search(text))


def asks_ahead(text: str) -> bool:
    """Whether the text asks how long before something ends one must act (居留证快到期了 提前多久去续)."""
    return bool(_ASKED_AHEAD.search(text))


def states_deadline(passage: str, ahead: bool = False, organisations: bool = True) -> bool:
    """Whether the passage states by when someone must act, other than the office's own period once applied to
    (自收到申请之日起10个工作日内办理完毕 is not one); `ahead`: counted back from an end (届满三十日前); not
    `organisations`: only a deadline a person must meet, not an employer's or an office's (用人单位…十五日内告知)."""
    own = _OFFICE_PERIOD.sub("", passage)
    found = [*_BEFORE.finditer(own), *([] if ahead else _WITHIN_STATED.finditer(own))]
    return any(organisations or not _organisation_acts(own, m.start()) for m in found)


# an employer, an office or a body that must act by a deadline (城镇企业事业单位…7日内报…备案, 清算组应当自…)
_ORGANISATION = re.compile(
    r"(?:第[一二三四五六七八九十百零]+条\s*)?(?:城镇企业事业单位|用人单位|新设立的单位|单位|企业|清算组|扣缴义务人"
    r"|[^，。；：\s]{0,10}(?:机构|机关|部门|中心|委员会)|[^，。；：\s]{0,8}人民政府)"
)
# a clause going on with the sentence's subject (并将…十五日内告知, 应当自…)
_NO_SUBJECT = re.compile(r"(?:并且?|且|并将|应当|应|须|必须|自|在|于|将|按照|依法)")
# the question names who must act, when it is not the asker (单位应该在多少天内给新职工办社保, 公积金多少天内得给我办上)
_ORGANISATION_NAMED = re.compile(r"单位|公司|厂|老板|企业|雇主|店|机构|机关|部门|中心|政府|街道|社区|他们|人家|给我|帮我|给俺|帮俺")


def _organisation_acts(passage: str, at: int) -> bool:
    """Whether the deadline at `at` is one an organisation must meet: its clause opens with one, or goes on with the
    subject of a sentence that does."""
    sentence = max(passage.rfind(c, 0, at) for c in "。；\n") + 1
    clause = max(sentence, max(passage.rfind(c, 0, at) for c in "，：") + 1)
    text = passage[clause:at].lstrip()
    if _NO_SUBJECT.match(text):
        text = passage[sentence:at].lstrip()
    return bool(_ORGANISATION.match(text))


def names_who_must_act(question: str) -> bool:
    """Whether the clause asking a deadline names an employer, an office or someone acting for the asker (单位应该在
    多少天内给新职工办社保登记, 公积金多少天内得给我办上), so an organisation's deadline may answer it; one told of
    before (厂子倒闭了 我得在…多少天之内去办失业登记) is not who must act."""
    match = ASKED.search(question)
    if not match:
        return True
    told = [m.end() for m in CLAUSE.finditer(question, 0, match.start())]
    return bool(_ORGANISATION_NAMED.search(question[told[-1] if told else 0 :]))
