"""Pure functions that turn a session's exchanges and pipeline events into what the page shows."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from avatar import mouth_shape
from core.models import AnswerMode, Citation, PipelineEvent, PipelineEventType
from core.privacy import mask_personal_data
from core.text_lines import ARTICLE, ITEM, split_list_items
from kiosk.session import Exchange

_ERROR_NOTES = {
    "asr": "没有听清，请再说一遍或打字",
    "tts": "语音暂不可用，请看字幕",
    "llm": "智能问答暂不可用，已按知识库回答",
    "answer": "智能问答暂不可用",
}
SHOWN_EXCHANGES = 20  # the conversation box scrolls; the session keeps no more than this anyway
SENTENCE_ENDS = "。！？；!?;"
LONG_ANSWER_CHARS = 90  # longer answers show their lead and fold the rest under 查看条文原文
_ITEMS_AFTER = re.compile(r"(?:\s*" + ITEM.pattern + r"[^。；;]*[；;。])+")


def render_conversation(exchanges: Sequence[Exchange]) -> str:
    if not exchanges:
        return (
            '<div class="conversation empty" data-turns="0"><div class="welcome-card">'
            '<div class="welcome-title">您可以这样问我</div><ol class="welcome-tips">'
            "<li>按住“按住说话”，说出您要办的事</li><li>点一下下方的热门问题</li><li>在输入框里打字提问</li>"
            "</ol></div></div>"
        )
    items = [_render_exchange(ex) for ex in exchanges[-SHOWN_EXCHANGES:]]
    return f'<div class="conversation" data-turns="{len(exchanges)}">{"".join(items)}</div>'


def _render_question(ex: Exchange) -> str:
    # the screen faces the hall: an ID-card or phone number the citizen said or typed is shown masked, as it is
    # logged (it plays no part in the answer; answering drops it before search)
    question = mask_personal_data(ex.question) if ex.question else ex.question
    if question and ex.transcript is not None:
        # a spoken question: show what was understood, with a one-tap way to correct it by typing
        text = escape(question)
        return (
            f'<div class="bubble citizen heard"><span class="heard-label">您问的是：</span>'
            f'<span class="heard-text">{text}</span>'
            f'<button type="button" class="retype" data-text="{text}" aria-label="改一改，重新输入这个问题">改一改</button></div>'
        )
    if question:
        return f'<div class="bubble citizen">{escape(question)}</div>'
    if any(err.get("stage") == "asr" for err in ex.errors):
        return '<div class="bubble citizen"><span class="pending">（没有听清）</span></div>'
    pending = "…" if ex.cancelled else "正在听…"
    return f'<div class="bubble citizen"><span class="pending">{pending}</span></div>'


_BETWEEN_HANZI = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _render_understood(ex: Exchange) -> str:
    """The question as the kiosk answered it, when that differs from what was heard or typed (半居住正 read as 办居住证,
    不是，我问的是护照 read as 办护照要带什么材料): the citizen sees which question the rule below answers."""
    answer = ex.answer
    if answer is None or answer.mode is AnswerMode.SMALL_TALK or not answer.understood:
        return ""
    if answer.understood == ex.question:
        return ""
    # 护照 能加急吗 is searched with the thing apart; read, it is one question
    said = _BETWEEN_HANZI.sub("", answer.understood)
    return f'<div class="understood">按“{escape(mask_personal_data(said))}”回答：</div>'


def _render_exchange(ex: Exchange) -> str:
    citations = list(ex.answer.citations) if ex.answer is not None else []
    if ex.answer_text:
        spoken = getattr(ex.answer, "spoken", None) if ex.answer is not None else None
        screen = (getattr(ex.answer, "screen", None) if ex.answer is not None else None) or ex.answer_text
        body = render_answer_body(screen, citations, spoken=spoken)
    elif ex.cancelled:  # cut off by the next question before it said anything: nothing is being looked up
        body = '<span class="pending">未回答</span>'
    else:
        body = '<span class="pending">正在查找…</span>'
    parts = [
        f'<div class="exchange" data-turn="{escape(ex.turn_id)}">',
        _render_question(ex),
        f'<div class="bubble assistant">{_render_understood(ex)}{body}',
    ]
    if citations:
        labels = "".join(f'<li class="citation" title="{escape(c.source)}">{escape(c.label())}</li>' for c in citations)
        parts.append(f'<ul class="citations"><li class="cite-head">依据：</li>{labels}</ul>')
    notes = {_ERROR_NOTES.get(err.get("stage", ""), "") for err in ex.errors} - {""}
    if ex.cancelled:
        notes.add("已打断")
    if notes:
        parts.append("".join(f'<div class="note">{escape(n)}</div>' for n in sorted(notes)))
    if ex.feedback:
        parts.append(f'<div class="note feedback">{"感谢您的评价" if ex.feedback == "up" else "已记录，我们会改进"}</div>')
    parts.append("</div></div>")
    return "".join(parts)


# ---------------------------------------------------------------- answer body


def strip_citation_phrases(text: str, citations: Sequence[Citation]) -> str:
    """Drop "依据《…》第X条" from the answer text when the line under the answer names the same documents."""
    if not citations:
        return text
    titles = "|".join(re.escape(c.title) for c in citations if c.title)
    if not titles:
        return text
    one = rf"《(?:{titles})》(?:{ARTICLE})?(?:[、和及与](?:{ARTICLE}))*"
    phrase = rf"[（(]?(?:依据|根据|参见|详见)?{one}(?:[、和及与]{one})*(?:的规定|规定)?[)）]?"
    text = re.sub(rf"^\s*{phrase}\s*[：:，,]\s*", "", text)  # 依据《…》第九条：……
    text = re.sub(rf"[，,]?\s*{phrase}\s*[。.]?\s*$", "", text)  # ……。依据《…》第九条。
    text = re.sub(rf"(?<=[。；;])\s*{phrase}\s*[：:]\s*", "", text)  # a second quoted passage
    text = text.strip()
    if text and text[-1] not in SENTENCE_ENDS + "。）)”":
        text += "。"
    return text


def _lead_length(text: str, limit: int = 60) -> int:
    """Where the spoken lead of a long answer ends: after its first sentence (or list opening) within ~limit."""
    cut = 0
    for i, ch in enumerate(text):
        if ch in SENTENCE_ENDS or ch in "：:":
            cut = i + 1
            if cut >= 20 or ch in "：:":
                break
        if i >= limit and cut:
            break
    return cut or min(len(text), limit)


def _lines_html(text: str) -> str:
    return "".join(f'<div class="answer-line">{escape(line)}</div>' for line in split_list_items(text))


def render_answer_body(text: str, citations: Sequence[Citation] = (), spoken: str | None = None) -> str:
    """The answer as the screen shows it: the lead in full, the rest (list items on their own lines) folded. An
    answer that cites nothing (a refusal, a referral, the English line under a reply to an English question) has no
    article text to fold and is shown whole."""
    text = strip_citation_phrases(text, citations)
    spoken = strip_citation_phrases(spoken, citations) if spoken else None
    if citations and spoken and len(spoken) < len(text) and text.startswith(spoken.rstrip("。")):
        lead, rest = spoken, text[len(spoken) :].lstrip("。 \n")
    elif citations and len(text) > LONG_ANSWER_CHARS:
        cut = _lead_length(text)
        if text[cut - 1 : cut] in "：:" and (items := _ITEMS_AFTER.match(text, cut)):
            cut = items.end()  # "…提交下列材料：1.…；2.…。": the items are the substance, not the fine print
        lead, rest = text[:cut], text[cut:]
    else:
        return f'<div class="answer-text">{_lines_html(text)}</div>'
    lead_html = f'<div class="answer-text answer-lead">{_lines_html(lead)}</div>'
    if not rest.strip():
        return lead_html
    return (
        f'{lead_html}<details class="answer-more"><summary>查看条文原文</summary>'
        f'<div class="answer-text">{_lines_html(rest)}</div></details>'
    )


# ---------------------------------------------------------------- speech and status


@dataclass
class SpeechTrack:
    """The clips of the turn being spoken, as the page's player reads them (cumulative, so none is lost)."""

    turn_id: str = ""
    clips: list[dict[str, object]] = field(default_factory=list)
    cancelled: bool = False

    def add(self, event: PipelineEvent, audio_url: str | None) -> None:
        audio = event.audio
        marks = []
        if audio is not None:
            marks = [[round(m.start_s, 3), round(m.end_s, 3), mouth_shape(m)] for m in audio.marks]
        text = event.text or ""
        self.clips.append(
            {
                "seq": len(self.clips),
                "text": text,
                "subtitle": self._subtitle(text),
                "url": audio_url,
                "duration_s": round(audio.duration_s, 3) if audio is not None else None,
                "marks": marks,
            }
        )

    def _subtitle(self, text: str) -> str:
        """The subtitle follows sentences: a clip cut at a comma shows with the rest of its sentence so far."""
        if not self.clips:
            return text
        previous = str(self.clips[-1].get("subtitle") or "")
        if previous and previous.rstrip()[-1:] not in SENTENCE_ENDS + "”’」』）)":
            return previous + text
        return text

    def to_json(self) -> str:
        return json.dumps(
            {"turn": self.turn_id, "clips": self.clips, "cancelled": self.cancelled}, ensure_ascii=False
        )


def status_line(event: PipelineEvent) -> str | None:
    """A short status under the avatar while the turn runs; None leaves the status as it is."""
    return {
        PipelineEventType.RUN_START: "正在处理…",
        PipelineEventType.ASR_START: "正在识别语音…",
        PipelineEventType.ANSWER_START: "正在查找政策依据…",
        PipelineEventType.TTS_START: "正在回答",
        PipelineEventType.CANCELLED: "已停止",
        PipelineEventType.RUN_END: "",
    }.get(event.type)
