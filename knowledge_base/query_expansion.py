"""Bridge citizens' everyday words to the wording of policy texts before retrieval.

Citizens ask "要带啥" where statutes say "提交…材料"; appending the formal terms for a few common service intents
helps both the vector and the BM25 signal. The table is generic (intents, not particular questions).
"""

from __future__ import annotations

import re

SERVICE_INTENTS: tuple[tuple[str, str], ...] = (
    (r"带啥|带什么|准备哪些|要啥|需要什么|什么材料|哪些东西|啥材料|什么证件", "提交 材料 证件 证明"),
    (r"多久|多长时间|几天|多少天|什么时候|期限|几年", "期限 日内 之日起"),
    (r"收钱|收费|多少钱|花钱|费用|交钱", "收取 费用 工本费"),
    (r"咋办|怎么办|怎么弄|咋弄|找谁", "申请 办理 机关"),
    (r"领多少|能领|拿多少|发多少", "标准 领取"),
    (r"提出来|取出来|提取", "提取 职工"),
)
_COMPILED = tuple((re.compile(pattern), terms) for pattern, terms in SERVICE_INTENTS)


def expand_query(question: str) -> str:
    extra = [terms for pattern, terms in _COMPILED if pattern.search(question)]
    return f"{question} {' '.join(extra)}" if extra else question
