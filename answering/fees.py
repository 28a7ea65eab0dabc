"""Whether something costs the citizen money, as a citizen asks it (补办居住证要钱吗, 查缴费记录收费不, 这钱该谁出) and as an
article states it (免收证件工本费; 不收取费用; 应当缴纳证件工本费; 费用由该用人单位负担).

A question asking that is answered only by an article stating a charge, that there is none, or who bears the cost:
居住证暂行条例 第十一条 (where to replace a lost permit) shares every word of 居住证丢了补办要钱吗 but says nothing of
the fee, which 第二十一条 states.
"""

from __future__ import annotations

import re

ASKED = re.compile(
    # 要钱吗, 收不收费, 收费不, 免费吗, 要交钱吗, 得自己掏钱吗
    r"要钱|要不要钱|收钱|收费|收不收|免费|交钱|掏钱|花钱吗|工本费"
    # 这钱该谁出, 费用谁来掏, 由谁负担 (not 谁出具证明)
    r"|谁(?:来)?(?:出(?![具面台国去来])|掏|付|负担|承担)"
    # a fee by name asked whether it is paid (登记费证照费还用交吗, 管理费要交不)
    r"|费(?:用)?(?:还|也)?(?:用|要|得|需要)(?:交|缴|付)(?:吗|不|么|嘛|啊|呀|$)"
)
STATED = re.compile(
    r"免费|免收|不收(?:取)?|收取[^，。；]{0,12}费|收费|工本费|交纳[^，。；]{0,6}费|减免"
    r"|费用?[^。；]{0,24}(?:负担|承担|支付|垫付)|由[^，。；]{1,20}(?:负担|承担)|退还"
    # a contribution one need not pay (职工个人不缴纳工伤保险费); that one pays them (依法缴纳社会保险费) is no answer to
    # whether a service is charged
    r"|不(?:缴纳|交纳)"
)


def asks_fee(text: str) -> bool:
    """Whether the text asks whether something costs money, or who pays for it (补办居住证要钱吗, 这钱该谁出)."""
    return bool(ASKED.search(text))


def states_fee(passage: str) -> bool:
    """Whether the passage states a charge, that there is none, or who bears a cost (首次申领居住证，免收证件工本费)."""
    return bool(STATED.search(passage))
