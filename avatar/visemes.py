"""Mouth shapes for lip sync: TimingMark units (pinyin initials/finals, phones or syllables) → one of 9 shapes."""

from __future__ import annotations

# rest: closed and relaxed; A: wide open (a); O: round open (o, ao); E: half open (e, ê); I: spread (i, y);
# U: small round (u, ü, w); M: lips pressed (b p m); F: lower lip to teeth (f); S: teeth together (s z c zh ch sh j q x r)
MOUTH_SHAPES = ("rest", "A", "O", "E", "I", "U", "M", "F", "S")

_INITIALS = {
    **dict.fromkeys(("b", "p", "m"), "M"),
    "f": "F",
    **dict.fromkeys(("z", "c", "s", "zh", "ch", "sh", "r", "j", "q", "x"), "S"),
    **dict.fromkeys(("d", "t", "n", "l", "g", "k", "h"), "E"),
    **dict.fromkeys(("y",), "I"),
    **dict.fromkeys(("w",), "U"),
}


def viseme_for(unit: str) -> str:
    """The mouth shape for one unit of speech; digits (tones) and case are ignored; silence is 'rest'."""
    text = "".join(ch for ch in unit.lower() if ch.isalpha() or ch == "ü")
    if not text or text in {"sil", "sp", "pau", "eos", "bos"}:
        return "rest"
    if text.upper() in MOUTH_SHAPES:  # already a shape name
        return text.upper() if text != "rest" else "rest"
    for length in (2, 1):
        if text[:length] in _INITIALS and len(text) == length:
            return _INITIALS[text[:length]]
    for vowel, shape in (("a", "A"), ("o", "O"), ("e", "E")):  # the main vowel shapes the mouth most
        if vowel in text:
            return shape
    rounded = max((i for i, ch in enumerate(text) if ch in "uüv"), default=-1)
    spread = text.rfind("i")
    if rounded >= 0 or spread >= 0:  # iu ends rounded, ui ends spread: the later vowel wins
        return "U" if rounded > spread else "I"
    return _INITIALS.get(text[:2], _INITIALS.get(text[:1], "E"))
