"""Which documents to bring, as a citizen asks it (办营业执照要什么材料, 火化要什么证明) and as an article states it (应当提交
下列材料; 应当出具下列证件和证明材料; 提交本人居民身份证、本人相片以及…证明材料; 凭…死亡证明).

Asked which ones, the candidates run from the first article naming some, when one was found (answering/gate.py):
办营业执照要什么材料 had quoted 实施细则 第十八条 (申请材料齐全…的，登记机关予以确认，并当场登记) above 第二十五条
(申请办理设立登记，应当提交下列材料). What an office does with documents already handed in (对当事人出具的证件、证明
材料进行审查) names none.
"""

from __future__ import annotations

import re

# 啥证明都得我去开吗 asks whether every one must be got, not which to bring
ASKED = re.compile(r"(?<!办)(?<!办个)(?:什么|啥|哪些|哪样)(?:材料|证件|证明|东西)(?![都也])|(?:带|准备|提交|提供)(?:什么|啥|哪些)")
_DOCUMENTS = r"(?:证件|证明|户口簿|身份证|相片|照片|申请书|登记表|审批表)"
STATED = re.compile(
    rf"(?:提交|出具|提供|交验|携带)(?!的)(?:以?下列|[^。；，]{{0,16}}?{_DOCUMENTS})"
    rf"|(?:凭|持)[^。；，]{{0,30}}?{_DOCUMENTS}"
)


def asks_materials(text: str) -> bool:
    """Whether the text asks which documents to bring (办营业执照要什么材料, 开个小卖部要准备哪些东西)."""
    return bool(ASKED.search(text))


# the day a period runs from (自公民提交《居民身份证申领登记表》之日起六十日内发放): what the office then does, not what
# one brings
_SINCE = re.compile(r"自[^。；，]{0,40}?之日")


def states_materials(passage: str) -> bool:
    """Whether the passage states documents to bring or show (应当提交下列材料)."""
    return bool(STATED.search(_SINCE.sub("", passage)))
