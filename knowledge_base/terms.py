"""What a knowledge base talks about: how rare each word is in it, and what its words sound like.

Built from the active passages whenever the registry changes (beside the BM25 index). Two uses:
- rarity (inverse document frequency) of a question's words, so the answerability check can tell a question's
  subject (驾驶证, 产假) from filler (请问, 怎么办);
- pinyin (with tones) of the knowledge base's recurring 2–4 character strings, so that a recognised question with a
  homophone (半居住正, 工商认定, 互口本) is read with the knowledge base's own words (办居住证, 工伤认定, 户口本); a
  term of the statutes typed through pinyin with one tone wrong (底保, 宾葬, 共积金) is read too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A two-character reading must be a string the knowledge base uses this often, as a whole word
_MIN_PAIR_COUNT = 3
# Characters that build sentences, not names: a pair holding one is two words (上不上班), never a misheard term
_FUNCTION_CHARS = frozenset("不没是在的了吗呢么吧啊也就都还那这哪")
# A pair read with another tone must be at least this specific in general Chinese (knowledge_base.question's
# specificity: 殡葬 0.64, 低保 0.79; 改革 0.45, 增加 0.46, 人体 0.55)
_TONELESS_SPECIFICITY = 0.6
# …and the character read another way must build no sentence on either side (公司得多久 is not 公司的, 有护照 not 由护照)
_SENTENCE_CHARS = _FUNCTION_CHARS | frozenset("得地有由")
# Words that go with any verb: a window they open or close, unchanged, is no context for reading the rest as a term of
# the statutes (可以异地办吗 is not 可以易地, which the veterans' law says of 易地安置)
_MODAL_WORDS = frozenset({"可以", "能够", "需要", "应该", "应当", "必须", "不能", "不可", "是否", "能否"})


def _asked_either_way(chars: list[str], i: int) -> bool:
    """限不限行 asks whether 限行 applies: the pair after X不 repeats X and is the word asked about."""
    return i >= 2 and chars[i - 1] in "不没" and chars[i - 2] == chars[i]


@lru_cache(maxsize=65536)
def char_sound(ch: str) -> str:
    """Pinyin with tone of one character (its first reading); the character itself when it has none.

    Tones count: a recogniser's homophone keeps the tone (居住正/居住证, 工商/工伤), while toneless matching
    turns ordinary words into others (上海/伤害, 办公室/办公时)."""
    reading = pinyin(ch, style=Style.TONE3, heteronym=False, errors="default", neutral_tone_with_five=True)
    return reading[0][0] if reading and reading[0] else ch


def sound_of(text: str) -> tuple[str, ...]:
    return tuple(char_sound(ch) for ch in text)


def toneless(sound: tuple[str, ...]) -> tuple[str, ...]:
    """The syllables without their tones: ("di3", "bao3") → ("di", "bao")."""
    return tuple(syllable.rstrip("12345") for syllable in sound)


@dataclass(frozen=True)
class Correction:
    heard: str
    meant: str


@dataclass(frozen=True)
class _Typed:
    """What reading a string typed with another tone needs: general Chinese's words and how specific each is, and
    the whole question (a character the citizen also wrote elsewhere in it is theirs)."""

    is_word: Callable[[str], bool]
    specificity: Callable[[str], float]
    said: str


def _around(chars: list[str], i: int, n: int) -> tuple[str, str]:
    """The characters just before and just after chars[i : i + n] ("" at either end of the run)."""
    return (chars[i - 1] if i else "", chars[i + n] if i + n < len(chars) else "")


def _typed_as(heard: str, meant: str, outside: tuple[str, str], typed: _Typed) -> bool:
    """Whether `heard` reads as the statutes' `meant` typed through pinyin with one tone wrong (宾葬 for 殡葬, 共积金 for
    公积金): one character differs, and neither it nor its reading builds sentences (公司得多久 is not 公司的); `meant` is
    a term of the statutes more than of everyday Chinese (改个名字 is not a typed 改革, nor 增驾 增加); a changed
    character at either end makes no word with its neighbour outside (`outside`, the characters before and after: in
    好多年前发的, 前 belongs to 年前, not to a misheard 签发); and the citizen did not write it elsewhere in the question
    (号叫过了…还能不能补叫 asks for 叫 again, not for 补缴)."""
    changed = [(i, a, b) for i, (a, b) in enumerate(zip(heard, meant, strict=True)) if a != b]
    if len(changed) != 1:
        return False
    at, wrote, reading = changed[0]
    if wrote in _SENTENCE_CHARS or reading in _SENTENCE_CHARS or typed.said.count(wrote) > 1:
        return False
    if typed.specificity(meant) < _TONELESS_SPECIFICITY:
        return False
    before, after = outside
    if at == 0 and before and typed.is_word(before + wrote):
        return False
    return not (at == len(heard) - 1 and after and typed.is_word(wrote + after))


def _modal_context(heard: str, meant: str) -> bool:
    """Whether a window keeps a modal word at its start or end and changes only the rest (可以|异地 → 可以|易地)."""
    opens = heard[:2] in _MODAL_WORDS and meant[:2] == heard[:2]
    return opens or (heard[-2:] in _MODAL_WORDS and meant[-2:] == heard[-2:])


class TermStats:
    """Document frequencies and a sound index over one set of passages."""

    def __init__(self, texts: Sequence[str], min_count: int = 2, names: Sequence[str] = ()) -> None:
        """`names`: words a question may use for the knowledge base's own (社保 for 社会保险); a misheard two-character
        one is read as it (社宝 → 社保) though the passages never say it."""
        self._texts = [t for t in texts if t]
        self._joined = "\n".join(self._texts)
        self.passages = len(self._texts)
        self._df_cache: dict[str, int] = {}
        self._whole_cache: dict[str, bool] = {}
        self._runs = _CJK_RUN.findall(self._joined)
        counts: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        for run in self._runs:
            for n in (3, 4):
                counts.update(run[i : i + n] for i in range(len(run) - n + 1))
            pairs.update(run[i : i + 2] for i in range(len(run) - 1))
        # two-character sound → the knowledge base's recurring two-character strings with that sound
        self._pairs_by_sound: dict[tuple[str, ...], list[str]] = {}
        for pair, count in pairs.items():
            if count >= _MIN_PAIR_COUNT:
                self._pairs_by_sound.setdefault(sound_of(pair), []).append(pair)
        self._names = frozenset(n for n in names if len(n) == 2 and pairs[n] < _MIN_PAIR_COUNT)
        for name in self._names:
            self._pairs_by_sound.setdefault(sound_of(name), []).append(name)
        # …and by sound without tones, for a pair typed through pinyin (底保 for 低保, 宾葬 for 殡葬)
        self._pairs_by_syllables: dict[tuple[str, ...], list[str]] = {}
        for sound, found in self._pairs_by_sound.items():
            self._pairs_by_syllables.setdefault(toneless(sound), []).extend(found)
        # sound → the most frequent string with that sound (ties: the first seen)
        self._by_sound: dict[tuple[str, ...], tuple[str, int]] = {}
        for gram, count in counts.items():
            if count < min_count:
                continue
            key = sound_of(gram)
            best = self._by_sound.get(key)
            if best is None or count > best[1]:
                self._by_sound[key] = (gram, count)
        self._by_syllables: dict[tuple[str, ...], tuple[str, int]] = {}
        for gram, count in self._by_sound.values():
            key = toneless(sound_of(gram))
            best = self._by_syllables.get(key)
            if best is None or count > best[1]:
                self._by_syllables[key] = (gram, count)

    def occurs(self, text: str) -> bool:
        return bool(text) and text in self._joined

    def df(self, word: str) -> int:
        """How many passages contain the word."""
        if word not in self._df_cache:
            self._df_cache[word] = sum(1 for t in self._texts if word in t) if self.occurs(word) else 0
        return self._df_cache[word]

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency; a word the knowledge base never uses gets the maximum."""
        return math.log((self.passages + 1) / (self.df(word) + 0.5))

    @property
    def max_idf(self) -> float:
        return math.log((self.passages + 1) / 0.5)

    def correct(
        self,
        question: str,
        boundaries: Callable[[str], set[int]] | None = None,
        is_word: Callable[[str], bool] | None = None,
        specificity: Callable[[str], float] | None = None,
    ) -> tuple[str, list[Correction]]:
        """Replace 3–4 character strings the knowledge base never uses by its own strings that sound the same.

        `boundaries(run)` gives the word boundaries of a run of Chinese (character offsets); a replaced string must
        start and end on them, so a window never straddles a word (需要体|检). Two-character sounds collide often
        (是不/施步): a pair is read only when `is_word` (general Chinese) is given, under `_pair_reading`'s rules;
        with another tone only when `specificity` (how rare a word is in general Chinese, 0–1) is given too.
        """
        corrections: list[Correction] = []
        typed = _Typed(is_word, specificity, question) if is_word and specificity else None
        out: list[str] = []
        pos = 0
        for match in _CJK_RUN.finditer(question):
            out.append(question[pos : match.start()])
            run = match.group(0)
            cuts = boundaries(run) if boundaries else set(range(len(run) + 1))
            out.append(self._correct_run(run, cuts, corrections, boundaries, is_word, typed))
            pos = match.end()
        out.append(question[pos:])
        return "".join(out), corrections

    def _correct_run(
        self,
        run: str,
        cuts: set[int],
        corrections: list[Correction],
        boundaries: Callable[[str], set[int]] | None,
        is_word: Callable[[str], bool] | None,
        typed: _Typed | None,
    ) -> str:
        chars = list(run)
        i = 0
        while i < len(chars):
            replaced = False
            for n in (4, 3):
                # …or begin fused with the character before (交工积金 is cut 交工|积金): see below
                begins_fused = i - 1 in cuts and i + 1 in cuts
                if i + n > len(chars) or (i not in cuts and not begins_fused):
                    continue
                window = "".join(chars[i : i + n])
                if self.occurs(window):
                    continue
                found = self._by_sound.get(sound_of(window)) or self._typed_reading(window, _around(chars, i, n), typed)
                if found is None or found[0] == window or not self._used_whole(found[0], boundaries):
                    continue
                if _modal_context(window, found[0]):
                    continue
                # the heard string may end fused with the next character into a two-character word (半居住正要带
                # is cut 正要): taken when the knowledge base's string, put in place, ends on a word boundary
                fused = i + n - 1 in cuts and i + n + 1 in cuts
                if i + n not in cuts and not (fused and self._ends_a_word(chars, i, n, found[0], boundaries)):
                    continue
                if i not in cuts and not self._starts_a_word(chars, i, n, found[0], boundaries):
                    continue
                chars[i : i + n] = list(found[0])
                corrections.append(Correction(window, found[0]))
                i += n
                replaced = True
                break
            if not replaced and is_word is not None and i in cuts and i + 2 in cuts and not _asked_either_way(chars, i):
                meant = self._pair_reading("".join(chars[i : i + 2]), is_word, boundaries, _around(chars, i, 2), typed)
                if meant is not None:
                    corrections.append(Correction("".join(chars[i : i + 2]), meant))
                    chars[i : i + 2] = list(meant)
                    i += 2
                    replaced = True
            if not replaced:
                i += 1
        return "".join(chars)

    def _typed_reading(self, window: str, outside: tuple[str, str], typed: _Typed | None) -> tuple[str, int] | None:
        """The knowledge base's string of the same syllables, one character typed with another tone (共积金 →
        公积金), under `_typed_as`'s rules; the window must be no word of general Chinese either (办公室 is not a
        misheard 办公时)."""
        if typed is None or typed.is_word(window):
            return None
        found = self._by_syllables.get(toneless(sound_of(window)))
        return found if found is not None and _typed_as(window, found[0], outside, typed) else None

    def _pair_reading(
        self,
        heard: str,
        is_word: Callable[[str], bool],
        boundaries: Callable[[str], set[int]] | None,
        outside: tuple[str, str] = ("", ""),
        typed: _Typed | None = None,
    ) -> str | None:
        """The knowledge base's two-character word a heard pair stands for (户照 → 护照, 互口 → 户口), or None.
        Two-character sounds collide often (是不/施步), so the pair must be no word of general Chinese and appear
        nowhere in the knowledge base, keep one of its characters in place, and have exactly one reading. Failing a
        reading with the same tones, one with the same syllables, under `_typed_as`'s rules (底保 → 低保); failing
        that, a term heard with both characters changed."""
        if self.occurs(heard) or is_word(heard) or _FUNCTION_CHARS.intersection(heard):
            return None
        sound = sound_of(heard)
        same_tones = self._pairs_by_sound.get(sound, [])

        def one_kept(pair: str) -> bool:
            return (pair[0] == heard[0]) != (pair[1] == heard[1])

        # each tier's candidates and what a reading among them must meet, tried in turn
        tiers: list[tuple[list[str], Callable[[str], bool]]] = [(same_tones, one_kept)]
        if typed is not None:
            spelt = typed
            tiers.append((
                self._pairs_by_syllables.get(toneless(sound), []),
                lambda pair: one_kept(pair) and _typed_as(heard, pair, outside, spelt),
            ))
            # both characters heard as others of the same tones (住宵 → 注销, 并顾 → 病故, 底压 → 抵押): only a term of
            # the statutes more than of everyday Chinese, when neither heard character builds sentences
            if not _SENTENCE_CHARS.intersection(heard):
                tiers.append((
                    same_tones,
                    lambda pair: pair[0] != heard[0] and pair[1] != heard[1]
                    and spelt.specificity(pair) >= _TONELESS_SPECIFICITY,
                ))
        for candidates, fits in tiers:
            readings = [
                pair
                for pair in candidates
                if fits(pair) and is_word(pair) and (pair in self._names or self._used_whole(pair, boundaries))
            ]
            if readings:
                return readings[0] if len(readings) == 1 else None
        return None

    def _used_whole(self, gram: str, boundaries: Callable[[str], set[int]] | None) -> bool:
        """Whether the knowledge base uses the string as whole words somewhere (工伤认定), not only as a piece of
        longer ones: 视残疾人 occurs only inside 歧视残疾人, and 我是残疾人 must not become 我视残疾人."""
        if boundaries is None:
            return True
        if gram not in self._whole_cache:
            self._whole_cache[gram] = self._aligned_somewhere(gram, boundaries)
        return self._whole_cache[gram]

    def _aligned_somewhere(self, gram: str, boundaries: Callable[[str], set[int]]) -> bool:
        for run in (r for r in self._runs if gram in r):
            cuts = boundaries(run)
            at = run.find(gram)
            while at >= 0:
                if at in cuts and at + len(gram) in cuts:
                    return True
                at = run.find(gram, at + 1)
        return False

    def _starts_a_word(
        self, chars: list[str], i: int, n: int, meant: str, boundaries: Callable[[str], set[int]] | None
    ) -> bool:
        """Whether the knowledge base's string, put in place, begins a word of two or more characters (交工积金 →
        交|公积金), where the heard string began inside a two-character word with the character before, unless that
        word is one of the knowledge base's own (账户里的 is not 账护理的)."""
        broken = chars[i - 1] + chars[i]
        if boundaries is None or (self.occurs(broken) and self._used_whole(broken, boundaries)):
            return False
        cuts = boundaries("".join(chars[:i]) + meant + "".join(chars[i + n :]))
        return i in cuts and i + 1 not in cuts

    @staticmethod
    def _ends_a_word(
        chars: list[str], i: int, n: int, meant: str, boundaries: Callable[[str], set[int]] | None
    ) -> bool:
        """Whether the knowledge base's string, put in place, ends a word (办居住证要带 is cut 居住证|要)."""
        if boundaries is None:
            return False
        replaced = "".join(chars[:i]) + meant + "".join(chars[i + n :])
        cuts = boundaries(replaced)
        # …as the end of a word of two or more characters, not a stray one (部门一个 → 部门依|个 is no reading)
        return i + n in cuts and i + n - 1 not in cuts
