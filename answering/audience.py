"""Documents and articles written for one group of people are not quoted to a question about someone else.

A statute for veterans (退役军人安置条例) or for people with disabilities (残疾人就业条例) uses the everyday words of
every department — 退休, 安置, 就业, 扶持 — so a question that names no such person can find one of its articles on
top: 退休年龄是多少 → 中级以上军士…年满55周岁的，作退休安置. Such a passage answers only a question that names the
group (`answering.audiences`: the group's name as it appears in a document's title → the words that name it in a
question); for other questions it is left out and the remaining passages are judged as usual.

Inside a document for everyone, an article can open with its group or place (外国人入境后…, 短期出国的公民在国外发生护照
遗失…): `answering.article_audiences` does the same for the article's first `answering.article_opening_chars`
characters, so 护照丢了怎么办 is not answered with the rule for a passport lost abroad.

A local regulation (上海市社会救助条例) is written for its region: it answers a question that names the region, or
every question in a hall of that region (`answering.hall_region`). 什么样的人能算特困人员, asked in a hall elsewhere, is
not answered with Shanghai's definition while the national 社会救助暂行办法 has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from core.config import AnsweringConfig
from core.models import Hit

_ARTICLE_NUMBER = re.compile(r"^\s*第[^条\s]{1,8}条\s*")
# a title that opens with a province or city (上海市…, 广东省…, 深圳市…); not 城市居民… nor 市场主体…
_REGION = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(?:省|市|自治区)(?!场)")


def written_for(hit: Hit, audiences: Mapping[str, Sequence[str]]) -> str | None:
    """The group the passage's document is written for, by its title, if any."""
    return next((group for group in audiences if group in hit.title), None)


def opens_for(hit: Hit, audiences: Mapping[str, Sequence[str]], opening_chars: int) -> str | None:
    """The group or place the article's opening names, if any."""
    opening = _ARTICLE_NUMBER.sub("", hit.text)[:opening_chars]
    return next((group for group in audiences if group in opening), None)


def region_of(hit: Hit) -> str | None:
    """The region a local regulation is written for, by its title (上海市社会救助条例 → 上海), or None."""
    match = _REGION.match(hit.title)
    return match.group(1) if match else None


def named_groups(question: str, audiences: Mapping[str, Sequence[str]]) -> set[str]:
    """The groups the question names, by the group's own name or one of its words."""
    return {group for group, words in audiences.items() if group in question or any(w in question for w in words)}


def addressed(hits: Sequence[Hit], question: str, config: AnsweringConfig) -> list[Hit]:
    """The hits whose document and article are for everyone, or for a group or region the question names
    (`answering.audiences`, `answering.article_audiences`, `answering.article_opening_chars`), or for the hall's
    region (`answering.hall_region`)."""
    audiences, article_audiences = config.audiences, config.article_audiences
    named = named_groups(question, audiences)
    article_named = named_groups(question, article_audiences)
    kept = []
    for hit in hits:
        group = written_for(hit, audiences)
        opening = opens_for(hit, article_audiences, config.article_opening_chars) if article_audiences else None
        region = region_of(hit)
        local = region is None or region == config.hall_region or region in question
        if local and (group is None or group in named) and (opening is None or opening in article_named):
            kept.append(hit)
    return kept


__all__ = ["addressed", "named_groups", "opens_for", "region_of", "written_for"]
