"""Chinese-aware chunking that keeps a statute's article (第X条) or a guide's section whole where it fits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from knowledge_base.loaders import Block, LoadedDocument

_CN_NUM = "零〇一二三四五六七八九十百千两"
ARTICLE_START = re.compile(rf"^(第[{_CN_NUM}\d]+条(?:之[{_CN_NUM}]+)?)[\s　]*")
_CHAPTER = re.compile(rf"^第[{_CN_NUM}\d]+[编章节](?:[\s　]|$)")
# Chinese sentence punctuation first; keep_separator="end" keeps 。 at the end of a chunk, not the start of the next.
_SEPARATORS = ["\n\n", "\n", "。", "；", "！", "？", "，", "、", " ", ""]


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str  # what the citizen-facing answer quotes
    article: str | None  # 第九条, or a section heading for guides
    chapter: str | None

    def embedding_text(self, title: str) -> str:
        """Passage text with its document context, so '居住证' in a title helps find its articles."""
        context = f"《{title}》" + (f"{self.chapter} " if self.chapter else "")
        return f"{context}{self.text}"


def _splitter(chunk_size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=min(overlap, chunk_size // 4),
        strip_whitespace=True,
    )


@dataclass
class _Unit:
    label: str | None
    chapter: str | None
    lines: list[str]


def _units(blocks: list[Block]) -> list[_Unit]:
    """Group blocks into articles when the document has 第X条 lines, otherwise into heading sections."""
    has_articles = sum(1 for b in blocks if ARTICLE_START.match(b.text)) >= 2
    units: list[_Unit] = []
    chapter: str | None = None
    current: _Unit | None = None
    for block in blocks:
        text = block.text.strip()
        if _CHAPTER.match(text) and len(text) <= 40:
            chapter = re.sub(r"\s+", " ", text)
            current = None
            continue
        if has_articles:
            m = ARTICLE_START.match(text)
            if m:
                current = _Unit(m.group(1), chapter, [text])
                units.append(current)
                continue
        elif block.heading_level:
            current = _Unit(text, chapter, [text])
            units.append(current)
            continue
        if current is None:  # preamble before the first article / heading
            current = _Unit(None, chapter, [])
            units.append(current)
        current.lines.append(text)
    return [u for u in units if u.lines]


def chunk_document(doc: LoadedDocument, chunk_size: int = 500, overlap: int = 50) -> list[Chunk]:
    splitter = _splitter(chunk_size, overlap)
    chunks: list[Chunk] = []
    for unit in _units(doc.blocks):
        body = "\n".join(unit.lines)
        if unit.label is None and len(body) < 20:
            continue  # stray promulgation lines such as "2016年1月1日 施行"
        pieces = [body] if len(body) <= chunk_size else splitter.split_text(body)
        for n, piece in enumerate(pieces):
            # Continuation pieces restate their article so each chunk reads on its own.
            text = piece if n == 0 or unit.label is None else f"{unit.label}（续）{piece}"
            chunks.append(Chunk(index=len(chunks), text=text, article=unit.label, chapter=unit.chapter))
    return chunks
