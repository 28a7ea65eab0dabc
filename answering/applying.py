"""What the applicant does to get a service, as an article states it: where one goes or whom one applies to (男女双方应当
共同到…婚姻登记机关办理结婚登记; 由户主向…提出书面申请), what one hands in (应当出具下列证件和证明材料), the steps one
follows (按照下列程序办理).

Asked how to get something (结婚证怎么办, searched as 怎么申请办理结婚证), the first article found may be what the office
does once one has applied (婚姻登记机关应当对…进行审查…当场予以登记); the first one stating the applicant's part is
taken instead, when one was found.
"""

from __future__ import annotations

import re

from answering.materials import states_materials
from core.models import Hit

_APPLICANT_ACTS = re.compile(
    # where one goes or whom one applies to; not what an office owes the applicant (应当向申请人出具…凭证)
    r"应当(?:共同|亲自|本人)?(?:到|向)(?!申请人|当事人)[^。；]{0,40}?(?:申请|办理|申报|提出|提交)"
    r"|由本人|本人申请|由户主|由[^。；，]{1,12}向[^。；]{0,30}?(?:提出|申请|申报)"
    # 申请领取居民身份证，应当填写…; 申请最低生活保障，按照下列程序办理
    r"|^第[^条]{1,6}条\s*申请[^。；，]{0,16}，应当|按照下列程序"
)


def states_applicants_part(passage: str) -> bool:
    """Whether the passage says where the applicant goes, what they hand in or which steps they follow."""
    return bool(_APPLICANT_ACTS.search(passage)) or states_materials(passage)


def from_the_applicants_part(candidates: list[Hit]) -> list[Hit]:
    """The candidates from the first one stating the applicant's part, when the first found does not and a later one
    does; else as they are."""
    if not candidates or states_applicants_part(candidates[0].text):
        return candidates
    for i, hit in enumerate(candidates[1:], 1):
        if states_applicants_part(hit.text):
            return candidates[i:]
    return candidates
