"""Domain vocabulary that steers Whisper away from homophones (停制/停滞, 居住正/居住证).

Terms come from the knowledge base (document titles, service names) plus a built-in list of the services a
hall handles; they go into Whisper's prompt, which the decoder treats as preceding context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_SERVICE_TERMS: tuple[str, ...] = (
    "居住证",
    "身份证",
    "户口",
    "公积金",
    "社保",
    "医保",
    "养老保险",
    "失业保险金",
    "工伤认定",
    "低保",
    "最低生活保障",
    "不动产登记",
    "营业执照",
    "签注",
    "出入境",
    "驾驶证",
    "残疾人证",
    "退役军人",
    "政务服务",
    "12345热线",
)

_TITLE_NOISE = re.compile(r"[（(][^)）]*[)）]|\.\w+$|《|》|\s+")
_SUFFIXES = ("暂行条例", "实施细则", "实施办法", "管理办法", "暂行办法", "条例", "办法", "规定", "细则", "通知", "指南")


def terms_from_titles(titles: Iterable[str]) -> list[str]:
    """Document titles → short service terms: '居住证暂行条例(2015-11-26).md' → '居住证'."""
    terms: list[str] = []
    for title in titles:
        name = _TITLE_NOISE.sub("", title)
        name = re.sub(r"^(中华人民共和国|国务院关于|关于)", "", name)
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name = name[: -len(suffix)]
                break
        if 2 <= len(name) <= 12:
            terms.append(name)
    return terms


def merge_terms(*groups: Iterable[str], limit: int = 40) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for term in group:
            term = term.strip()
            if term and term not in seen:
                seen[term] = None
    return list(seen)[:limit]


def build_prompt(base_prompt: str, terms: Iterable[str], max_chars: int = 120) -> str:
    """Whisper's prompt: the base sentence (forces simplified Mandarin) followed by domain terms.

    Whisper keeps at most ~224 prompt tokens; a short prompt also keeps the decoder from echoing it.
    """
    prompt = base_prompt.strip()
    listed: list[str] = []
    for term in terms:
        candidate = "、".join([*listed, term])
        if len(prompt) + len(candidate) + 6 > max_chars:
            break
        listed.append(term)
    if listed:
        prompt = f"{prompt}涉及{'、'.join(listed)}等业务。"
    return prompt
