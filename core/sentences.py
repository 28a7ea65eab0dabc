"""The product's one sentence splitter: for speech, subtitles, quoting and the number check alike.

A sentence ends at 。！？； (and closing quotes after them). Streamed text is released sentence by sentence;
a sentence longer than `max_chars` is released at its last comma before the limit, so speech can start. With
`first_cut_after`, the first piece of an answer is released at its first comma past that many characters: the voice
synthesises a sentence whole before it plays, so a short first clip starts the answer sooner, and the rest is
ready before it ends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.text_lines import ARTICLE_LABEL

SENTENCE_ENDS = "。！？；!?;"
CLOSING_MARKS = "”’」』）)"
SOFT_BREAKS = "，、：,:"
MAX_SENTENCE_CHARS = 60
FIRST_PIECE_CHARS = 12  # the spoken answer's first clip ends at the first comma after at least this many characters
_MIN_SOFT_BREAK_AT = 12  # a soft break earlier than this would leave a uselessly short clip


def speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class SentenceSplitter:
    """Cuts streamed text into sentences: at 。！？； or, failing that, near `max_chars`."""

    def __init__(self, max_chars: int = MAX_SENTENCE_CHARS, first_cut_after: int | None = None) -> None:
        self._max_chars = max_chars
        self._first_cut_after = first_cut_after
        self._released = False
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        sentences: list[str] = []
        while (cut := self._next_cut()) is not None:
            sentences.append(self._buffer[:cut])
            self._buffer = self._buffer[cut:]
            self._released = self._released or speakable(sentences[-1])
        return [s.strip() for s in sentences if speakable(s)]

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer, ""
        return [rest.strip()] if speakable(rest) else []

    @property
    def pending(self) -> str:
        return self._buffer

    def _next_cut(self) -> int | None:
        text = self._buffer
        if not self._released and self._first_cut_after is not None:
            first = self._first_cut(text, self._first_cut_after)
            if first is not None:
                return first
        for i, ch in enumerate(text[: self._max_chars]):
            if ch in SENTENCE_ENDS or ch == "\n":
                end = i + 1
                while end < len(text) and text[end] in CLOSING_MARKS:
                    end += 1
                return end
        if len(text) < self._max_chars:
            return None
        soft = max(text.rfind(ch, 0, self._max_chars) for ch in SOFT_BREAKS)
        return soft + 1 if soft >= _MIN_SOFT_BREAK_AT else self._max_chars

    @staticmethod
    def _first_cut(text: str, limit: int) -> int | None:
        """Just past the first comma (not a list's 、) at or after `limit` characters, inside the first sentence."""
        end = next((i for i, ch in enumerate(text) if ch in SENTENCE_ENDS or ch == "\n"), len(text))
        return next((i + 1 for i in range(max(limit, _MIN_SOFT_BREAK_AT), end) if text[i] in "，,：:"), None)


def spoken_pieces(text: str) -> list[str]:
    """The clips a whole reply is spoken in, cut as the turn pipeline cuts it (the first one short)."""
    splitter = SentenceSplitter(first_cut_after=FIRST_PIECE_CHARS)
    return splitter.feed(text) + splitter.flush()


def split_sentences(text: str, max_chars: int = 10_000) -> list[str]:
    """Every sentence of a whole text, in order."""
    splitter = SentenceSplitter(max_chars)
    return splitter.feed(text) + splitter.flush()


_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+[，,；;。！？!?：:]?")


def clauses(sentence: str) -> list[str]:
    """A sentence's comma-separated clauses, each keeping its punctuation."""
    return [c for c in _CLAUSE.findall(sentence) if c.strip()]


# an article's list item: （一）, 一、 or 1. at the start of a line
LIST_ITEM = re.compile(r"^\s*[(（][一二三四五六七八九十]+[)）]|^\s*[一二三四五六七八九十]+、|^\s*\d+[.、]")
# a clause that continues the one before it (并可以申请…, 但是…)
CONNECTIVE = re.compile(r"^\s*(?:并|并且|而且|但|但是|且|或者|同时|否则|也)")
# a case that only escalates the rule before it (…由登记机关责令改正；拒不改正的，处3万元以下的罚款): said apart from
# that rule, or after another one, it names a penalty for something the citizen did not ask about
ESCALATION = re.compile(
    r"^\s*(?:拒不|逾期(?:仍|不|未)|情节(?:严重|较重|恶劣|特别严重|轻微)|有违法所得|构成犯罪|尚不构成犯罪|不构成犯罪|造成[^，。；]{0,12}损失)"
    r"[^，。；]{0,12}的[，,]"
)
ITEM_BOUNDARY = "\u0000"  # marks where one list item ends inside a statement that holds a whole list


def statements(body: str) -> list[str]:
    """An article's statements: its sentences, with a list (an opening ending in ：, then its items) kept as one
    statement whose items are joined by ITEM_BOUNDARY."""
    units: list[str] = []
    for line in (ln.strip() for ln in body.splitlines()):
        if not line:
            continue
        if LIST_ITEM.match(line) and units and (units[-1].endswith(("：", ":")) or ITEM_BOUNDARY in units[-1]):
            units[-1] += ITEM_BOUNDARY + line
            continue
        for piece in (s for s in re.findall(r"[^。；;！？]+[。；;！？]?", line) if s.strip()):
            if (CONNECTIVE.match(piece) or ESCALATION.match(piece)) and units and units[-1].endswith(("；", ";")):
                units[-1] += piece  # …查询其存款账户；并可以申请…划拨, …责令改正；拒不改正的，处…: one statement
            else:
                units.append(piece)
    return units


def list_items(statement: str) -> list[str]:
    """The items of a statement holding a list, without their numbers (（二）…的； → …的); none for another."""
    return [LIST_ITEM.sub("", item).strip().rstrip("；;。") for item in statement.split(ITEM_BOUNDARY)[1:]]


def items_to_choose(statements: Sequence[str]) -> list[str]:
    """The items of each list of two or more among the statements: which case a question is about is to choose
    between them (what is embedded for them, and what a turn asks the closeness of)."""
    return [item for statement in statements if len(listed := list_items(statement)) > 1 for item in listed]


def statement_text(statement: str) -> str:
    """A statement as written, its list items on lines of their own (what is embedded for it)."""
    return statement.replace(ITEM_BOUNDARY, "\n")


def article_statements(passage: str) -> list[str]:
    """The statements of a passage's text, its article label left out (the citation names it)."""
    return statements(ARTICLE_LABEL.sub("", passage.strip()))
