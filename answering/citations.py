"""Citations: article numbers, title matching, parsing what an answer actually cites, and quoting passages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import cn2an

from core.models import Citation, Hit
from core.sentences import split_sentences

_CN_DIGITS = "零〇一二三四五六七八九十百千两"
_ARTICLE = re.compile(rf"第\s*([{_CN_DIGITS}\d]+)\s*条")
# 《居住证暂行条例》第九条、第十条 — a title, optionally followed by one or more article numbers.
_TITLED = re.compile(rf"《([^》\n]{{2,40}})》((?:\s*(?:第\s*[{_CN_DIGITS}\d]+\s*条)(?:\s*[、，,和及与]\s*)?)*)")
_PASSAGE_REF = re.compile(r"[\[【(（]\s*(?:资料)?\s*(\d{1,2})\s*[\]】)）]")
_TITLE_NOISE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)|（\d{4}-\d{2}-\d{2}）|\.(md|txt|pdf|docx?|html?)$|^中华人民共和国|[《》\s]")


def article_number(article: str | None) -> int | None:
    """'第九条' / '第 21 条' / '二十一' → 21; None when it names no article."""
    if not article:
        return None
    match = _ARTICLE.search(article)
    digits = match.group(1) if match else article.strip()
    if digits.isdigit():
        return int(digits)
    try:
        return int(cn2an.cn2an(digits, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def normalise_title(title: str) -> str:
    """Compare titles without dates, file extensions, brackets or the 中华人民共和国 prefix."""
    previous = None
    while previous != title:
        previous, title = title, _TITLE_NOISE.sub("", title.strip())
    return title


def titles_match(cited: str, title: str) -> bool:
    a, b = normalise_title(cited), normalise_title(title)
    return bool(a and b) and (a == b or a in b or b in a)


def hit_articles(hit: Hit) -> set[int]:
    """Article numbers a passage covers: its own label plus article headings inside its text."""
    numbers = {n for n in (article_number(hit.article),) if n is not None}
    numbers.update(n for m in _ARTICLE.finditer(hit.text) if (n := article_number(m.group(0))) is not None)
    return numbers


def citation_for(hit: Hit, article: str | None = None) -> Citation:
    return Citation(source=hit.source, title=normalise_title(hit.title) or hit.title, article=article or hit.article)


def _cited_pairs(answer: str) -> list[tuple[str, list[int]]]:
    pairs = []
    for match in _TITLED.finditer(answer):
        numbers = [n for m in _ARTICLE.finditer(match.group(2)) if (n := article_number(m.group(0))) is not None]
        pairs.append((match.group(1), numbers))
    return pairs


def parse_citations(answer: str, hits: Sequence[Hit]) -> list[Citation]:
    """Citations the answer makes that a given passage supports; invented titles or articles are dropped."""
    found: list[Citation] = []

    def add(citation: Citation) -> None:
        if citation not in found:
            found.append(citation)

    for cited_title, numbers in _cited_pairs(answer):
        candidates = [h for h in hits if titles_match(cited_title, h.title) or titles_match(cited_title, h.source)]
        if not candidates:
            continue
        if not numbers:
            add(citation_for(candidates[0]))
            continue
        for number in numbers:
            exact = [h for h in candidates if article_number(h.article) == number]
            covering = exact or [h for h in candidates if number in hit_articles(h)]
            if covering:
                hit = covering[0]
                add(citation_for(hit, hit.article if exact else article_label(number)))
    for match in _PASSAGE_REF.finditer(answer):
        index = int(match.group(1)) - 1
        if 0 <= index < len(hits):
            add(citation_for(hits[index]))
    return found


def article_label(number: int) -> str:
    return f"第{cn2an.an2cn(number)}条"


def citation_phrase(citations: Sequence[Citation]) -> str:
    """依据《居住证暂行条例》第九条、《居民身份证法》第五条"""
    return "依据" + "、".join(f"《{c.title}》{c.article or ''}" for c in citations)


_LIST_ITEM = re.compile(r"\s*[（(][一二三四五六七八九十]+[）)]|\s*[一二三四五六七八九十]+、")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def clip_passage(text: str, max_chars: int, question: str = "") -> str:
    """Fit a passage into max_chars: its first sentence, then the sentences sharing most wording with the question.

    Articles run to 500+ characters; a small model answers from a short focused excerpt faster and no worse, and a
    quoted answer should say only the part of the article the citizen asked about.
    """
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    sentences = split_sentences(text)
    wanted = _bigrams(re.sub(r"\W", "", question))
    # "应当提交下列材料：(一)…；(二)…" — when the opening introduces a list, its items are the substance
    listing = bool(re.search(r"[：:]", sentences[0]))
    ranked = sorted(
        range(1, len(sentences)),
        key=lambda i: (not (listing and _LIST_ITEM.match(sentences[i])), -len(_bigrams(sentences[i]) & wanted)),
    )
    keep = {0}
    used = len(sentences[0])
    for i in ranked:
        if used + len(sentences[i]) <= max_chars:
            keep.add(i)
            used += len(sentences[i])
    if used > max_chars:  # one sentence longer than the budget
        return sentences[0][:max_chars] + "……"
    return "……".join(_runs(sentences, sorted(keep)))


def _runs(sentences: list[str], indices: list[int]) -> list[str]:
    """Join kept sentences, marking gaps so the model does not read two distant sentences as one."""
    runs: list[str] = []
    previous = -2
    for i in indices:
        if i == previous + 1 and runs:
            runs[-1] += sentences[i]
        else:
            runs.append(sentences[i])
        previous = i
    return runs
