"""What the applicant does to get a service, as an article states it: where one goes or whom one applies to (男女双方应当
共同到…婚姻登记机关办理结婚登记; 由户主向…提出书面申请), what one hands in (应当出具下列证件和证明材料), the steps one
follows (按照下列程序办理).

Asked how to get something (结婚证怎么办, searched as 怎么申请办理结婚证), the first article found may be what the office
does once one has applied (婚姻登记机关应当对…进行审查…当场予以登记); the first one stating the applicant's part is
taken instead, when one was found. Asked where one goes (护照去哪个部门办), the first of the same law saying whom one
applies to is taken: not the one naming who issues it (护照法 第四条), nor the one listing what to hand in. Another
law's is not: 身份证丢了要去哪里补办 found 居民身份证法 第十一条 (丢失的，应当申请补领), which names no office, and
居住证暂行条例 第十一条, which names one for a lost residence permit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from answering.materials import states_materials
from core.models import Hit

_APPLICANT_ACTS = re.compile(
    # where one goes or whom one applies to; not what an office owes the applicant (应当向申请人出具…凭证)
    # (公民应当自年满十六周岁之日起三个月内，向…公安机关申请领取: by when, then where)
    r"应当(?:自[^。；]{0,20}?之日起[^。；，]{0,8}，?)?(?:共同|亲自|本人)?(?:到|向)(?!申请人|当事人)[^。；]{0,40}?"
    r"(?:申请|办理|申报|提出|提交)"
    r"|由本人|本人申请|由户主|由[^。；，]{1,12}向[^。；]{0,30}?(?:提出|申请|申报)"
    # 申请领取居民身份证，应当填写…; 申请最低生活保障，按照下列程序办理
    r"|^第[^条]{1,6}条\s*申请[^。；，]{0,16}，应当|按照下列程序"
)


# whom one applies to: an office or the place whose office it is, then applying (向户籍所在地的县级以上地方人民政府公安
# 机关出入境管理机构申请普通护照; 向统筹地区社会保险行政部门提出工伤认定申请)
_APPLIES_TO = re.compile(
    r"(?:到|向)(?!申请人|当事人)[^。；，]{2,30}?(?:机关|部门|机构|中心|办事处|人民政府|派出所|所在地)[^。；，]{0,12}?"
    r"(?:申请|申领|办理|申报|提出|提交)"
    # …or the office one does it at (内地居民办理婚姻登记的机关是县级人民政府民政部门)
    r"|办理[^。；，]{0,12}?的(?:机关|部门|机构)(?:是|为)"
)


def states_whom_one_applies_to(passage: str) -> bool:
    """Whether the passage says where one goes or whom one applies to."""
    return bool(_APPLIES_TO.search(passage))


def states_applicants_part(passage: str) -> bool:
    """Whether the passage says where the applicant goes, what they hand in or which steps they follow."""
    return bool(_APPLICANT_ACTS.search(passage)) or states_materials(passage)


def from_the_first_stating(
    candidates: list[Hit], states: Callable[[str], bool], same_document: bool = False
) -> list[Hit]:
    """The candidates from the first one whose passage `states` what is asked, when the first found does not and a
    later one does — of the same document as the first, when `same_document`; else as they are."""
    if not candidates or states(candidates[0].text):
        return candidates
    for i, hit in enumerate(candidates[1:], 1):
        if states(hit.text) and (not same_document or hit.doc_id == candidates[0].doc_id):
            return candidates[i:]
    return candidates
