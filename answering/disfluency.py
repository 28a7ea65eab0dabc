"""Spoken hesitations out of a question before it is read: 嗯那个我想问一下就是办居住证要带啥 → 我想问一下办居住证要带啥.

A recogniser writes down every 嗯, 呃 and 那个 and a word said twice while the citizen finds it (护照 护照怎么办). Left
in, they are subject words of their own and hide the shape of the question: 嗯嗯低保 is not a service's name typed
alone, 呃 护照 护照怎么办 is not a bare "<thing>怎么办". Only sounds that are never words of a question go, plus
那个/这个/就是 where a pause or a pronoun follows them (那个证 keeps its 那个).
"""

from __future__ import annotations

import re

_SOUNDS = r"[嗯呃额唔噢哦啊哎诶喂]"
_PAUSE = r"[\s，,。、…~～]"
# a hesitation sound on its own (not 啊 ending a question: 怎么办啊), or a filler word before a pause or a pronoun
_FILLER = re.compile(
    rf"(?:^|(?<={_PAUSE})){_SOUNDS}+(?={_PAUSE}|$)"
    rf"|^{_SOUNDS}+"
    rf"|(?:^|(?<={_PAUSE})|(?<={_SOUNDS}))(?:那个啥|那个|这个|就是说|就是)(?={_PAUSE}|[我你他她嗯呃啊]|就是)"
)
_REPEATED = re.compile(r"([\u4e00-\u9fff]{2,4})(?:[\s，,、…]*\1)+")  # 护照 护照, 低保低保
_PAUSES = re.compile(rf"{_PAUSE}+")


def without_fillers(question: str) -> str:
    """The question without hesitation sounds, filler words and a word said twice; the question as it was when
    nothing else is left (嗯 alone is a courtesy to answer as one)."""
    text = question
    for _ in range(3):  # 嗯那个就是: each pass drops the filler the last one exposed
        stripped = _FILLER.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    # not an A-not-A question run on (能不能不收 is 能不 twice, and says something 能不收 does not)
    text = _REPEATED.sub(lambda m: m.group(0) if re.search("[不没]", m.group(1)) else m.group(1), text)
    text = _PAUSES.sub(lambda m: m.group(0) if m.group(0).strip() else " ", text).strip(" ，,、…~～")
    return text if re.search(r"[\u4e00-\u9fffA-Za-z0-9]", text) else question
