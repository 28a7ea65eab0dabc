"""Transparent scoring of `kiosk ask`-style answers against ../shared/eval/dev_questions.jsonl.

A keypoint counts as present when, after normalising Chinese numerals to Arabic ones (cn2an) and dropping
punctuation and spaces, every number in it appears in the answer and at least KEY_TERM_SHARE of its other key
terms (jieba words of 2+ characters, minus a few function words) appear too. Text in parentheses is a grader's
note and is ignored. An unanswerable question counts as refused when the answer is flagged refused and states no
number other than the 12345 hotline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import cn2an
import jieba

KEY_TERM_SHARE = 0.6
_NOTE = re.compile(r"[（(][^）)]*[）)]")
_PUNCT = re.compile(r"[\s，,。．.、；;：:！!？?“”\"'《》〈〉【】\[\]()（）—\-…·]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_FUNCTION_WORDS = {
    "应当", "可以", "或者", "以及", "并且", "其中", "之日", "之日起", "有关", "相关", "规定", "办理", "申请",
    "本人", "需要", "进行", "按照", "依照", "个人", "单位", "人员", "部门", "机关", "情况", "的话",
}


def _service_numbers() -> frozenset[str]:
    """12345 and the hotlines the kiosk's referrals name (交管12123, 95598, …): the hall's wording, not facts."""
    from answering.referrals import ReferralBook

    return frozenset({"12345"} | {n for r in ReferralBook.load().referrals for n in _NUMBER.findall(r.where)})


_SERVICE_NUMBERS = _service_numbers()
_CITED_ARTICLE = re.compile(r"第\d+条")
jieba.setLogLevel(60)


def normalise(text: str) -> str:
    text = _NOTE.sub("", text)
    try:
        text = cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, IndexError):  # cn2an rejects a few odd strings; compare them as written
        pass
    return _PUNCT.sub("", text)


def key_terms(keypoint: str) -> tuple[list[str], list[str]]:
    """(numbers, other key terms) of a keypoint."""
    text = normalise(keypoint)
    numbers = _NUMBER.findall(text)
    words = [w for w in jieba.lcut(_NUMBER.sub(" ", text)) if len(w.strip()) >= 2 and w not in _FUNCTION_WORDS]
    return numbers, list(dict.fromkeys(words))


def keypoint_present(keypoint: str, answer: str, method: str = "terms") -> bool:
    """terms: numbers + jieba key words (strict: 身份证 does not match 居民身份证);
    bigrams: numbers + at least KEY_TERM_SHARE of the keypoint's character bigrams (lenient about word choice)."""
    text = normalise(answer)
    numbers, words = key_terms(keypoint)
    if any(n not in _NUMBER.findall(text) for n in numbers):
        return False
    if method == "bigrams":
        bigrams = _bigrams(_NUMBER.sub("", normalise(keypoint)))
        return not bigrams or len(bigrams & _bigrams(text)) / len(bigrams) >= KEY_TERM_SHARE
    if not words:
        return bool(numbers)
    return sum(w in text for w in words) / len(words) >= KEY_TERM_SHARE


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def invented_numbers(answer: str, question: str = "") -> list[str]:
    """Numbers an answer states beyond the service hotlines, those echoed from the question (周六 → 6) and article
    numbers of its citations (依据《…》第二十一条 names a source, it states no fact)."""
    echoed = set(_NUMBER.findall(normalise(question)))
    stated = _CITED_ARTICLE.sub("", normalise(answer))
    return [n for n in _NUMBER.findall(stated) if n not in _SERVICE_NUMBERS and n not in echoed]


def _article_no(article: str | None) -> int | None:
    match = re.search(r"第([零〇一二三四五六七八九十百千两\d]+)条", article or "")
    if not match:
        return None
    digits = match.group(1)
    return int(digits) if digits.isdigit() else int(cn2an.cn2an(digits, "smart"))


def _file_key(name: str) -> str:
    return Path(name).name.removesuffix(".md")


def citation_correct(citation: dict[str, Any], gold: Sequence[dict[str, str]]) -> bool:
    """Strict: the cited (file, article) is a gold one."""
    source = _file_key(citation.get("source") or "")
    number = _article_no(citation.get("article"))
    return any(_file_key(g["file"]) == source and _article_no(g["article"]) == number for g in gold)


def citation_same_law(citation: dict[str, Any], gold: Sequence[dict[str, str]]) -> bool:
    source = _file_key(citation.get("source") or "")
    return any(_file_key(g["file"]) == source for g in gold)


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def declined(result: dict[str, Any]) -> bool:
    """An unanswerable question met without a rule: refused, or a courtesy answered as one (谢谢你啊 → 不客气)."""
    return bool(result["refused"]) or result.get("mode") == "small-talk"


def score(questions: Iterable[dict[str, Any]], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    keypoints_total = keypoints_found = 0
    answerable = correct = correct_bigrams = false_refusals = unanswerable = refused_ok = 0
    cited = cited_correct = cited_same_law = 0
    per_type: dict[str, list[int]] = {}
    failures: list[dict[str, Any]] = []
    timings: dict[str, dict[str, list[float]]] = {}
    spoken_lengths: list[float] = []
    direct_first: list[bool] = []
    for q in questions:
        r = results.get(q["id"])
        if r is None:
            continue
        mode_t = timings.setdefault(r["mode"], {"first_token_s": [], "total_s": []})
        for key in ("first_token_s", "total_s"):
            if r["timings"].get(key) is not None:
                mode_t[key].append(r["timings"][key])
        if q["type"] == "unanswerable":
            unanswerable += 1
            ok = declined(r) and not invented_numbers(r["answer"], q["question"])
            refused_ok += ok
            per_type.setdefault("unanswerable", [0, 0])
            per_type["unanswerable"][0] += ok
            per_type["unanswerable"][1] += 1
            if not ok:
                failures.append({"id": q["id"], "question": q["question"], "answer": r["answer"], "missing": "refusal"})
            continue
        answerable += 1
        false_refusals += r["refused"]
        missing = [k for k in q["keypoints"] if not keypoint_present(k, r["answer"])]
        is_correct = not missing and not r["refused"]
        correct += is_correct
        keypoints_total += len(q["keypoints"])
        keypoints_found += len(q["keypoints"]) - len(missing)
        correct_bigrams += not r["refused"] and all(keypoint_present(k, r["answer"], "bigrams") for k in q["keypoints"])
        per_type.setdefault(q["type"], [0, 0])
        per_type[q["type"]][0] += is_correct
        per_type[q["type"]][1] += 1
        if not is_correct:
            failures.append({"id": q["id"], "question": q["question"], "answer": r["answer"], "missing": missing})
        spoken = r.get("spoken") or r["answer"]
        if not r["refused"]:
            spoken_lengths.append(len(spoken))
            if q["type"] == "direct":
                direct_first.append(keypoint_present(q["keypoints"][0], spoken))
        if r["mode"] in ("llm", "degraded", "quote"):
            for c in r["citations"]:
                cited += 1
                cited_correct += citation_correct(c, q["gold"])
                cited_same_law += citation_same_law(c, q["gold"])
    ratio = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
    return {
        "answerable": answerable,
        "accuracy": ratio(correct, answerable),
        "accuracy_bigrams": ratio(correct_bigrams, answerable),
        "keypoint_recall": ratio(keypoints_found, keypoints_total),
        "false_refusal_rate": ratio(false_refusals, answerable),
        "unanswerable": unanswerable,
        "refusal_rate": ratio(refused_ok, unanswerable),
        "citations": cited,
        "citation_precision": ratio(cited_correct, cited),
        "citation_same_law": ratio(cited_same_law, cited),
        "per_type": {t: f"{ok}/{n}" for t, (ok, n) in sorted(per_type.items())},
        "spoken_chars_p50": percentile(spoken_lengths, 0.5),
        "spoken_chars_p90": percentile(spoken_lengths, 0.9),
        "direct_first_keypoint_spoken": ratio(sum(direct_first), len(direct_first)),
        "timings": {
            mode: {
                "n": len(t["total_s"]),
                **{f"{k}_p50": percentile(v, 0.5) for k, v in t.items()},
                **{f"{k}_p95": percentile(v, 0.95) for k, v in t.items()},
            }
            for mode, t in sorted(timings.items())
        },
        "failures": failures,
    }
