"""Pure functions that turn a session's exchanges and pipeline events into what the page shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

from avatar import mouth_shape
from kiosk.models import PipelineEvent, PipelineEventType
from kiosk.session import Exchange

_ERROR_NOTES = {
    "asr": "没有听清，请再说一遍或打字",
    "tts": "语音暂不可用，请看字幕",
    "llm": "智能问答暂不可用，已按知识库回答",
    "answer": "智能问答暂不可用",
}


def render_conversation(exchanges: list[Exchange]) -> str:
    if not exchanges:
        return '<div class="conversation empty" data-turns="0"></div>'
    items = [_render_exchange(ex) for ex in exchanges[-6:]]  # a kiosk screen shows the last few turns only
    return f'<div class="conversation" data-turns="{len(exchanges)}">{"".join(items)}</div>'


def _render_exchange(ex: Exchange) -> str:
    if ex.question:
        question = escape(ex.question)
    elif any(err.get("stage") == "asr" for err in ex.errors):
        question = '<span class="pending">（没有听清）</span>'
    else:
        question = '<span class="pending">…</span>' if ex.cancelled else '<span class="pending">正在听…</span>'
    answer_text = escape(ex.answer_text) if ex.answer_text else '<span class="pending">正在查找…</span>'
    parts = [
        f'<div class="exchange" data-turn="{escape(ex.turn_id)}">',
        f'<div class="bubble citizen">{question}</div>',
        f'<div class="bubble assistant">{answer_text}',
    ]
    if ex.answer is not None and ex.answer.citations:
        labels = "".join(
            f'<li class="citation" title="{escape(c.source)}">{escape(c.label())}</li>' for c in ex.answer.citations
        )
        parts.append(f'<ul class="citations"><span class="cite-head">依据：</span>{labels}</ul>')
    notes = {_ERROR_NOTES.get(err.get("stage", ""), "") for err in ex.errors} - {""}
    if ex.cancelled:
        notes.add("已打断")
    if notes:
        parts.append("".join(f'<div class="note">{escape(n)}</div>' for n in sorted(notes)))
    if ex.feedback:
        parts.append(f'<div class="note feedback">{"感谢您的评价" if ex.feedback == "up" else "已记录，我们会改进"}</div>')
    parts.append("</div></div>")
    return "".join(parts)


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
        self.clips.append(
            {
                "seq": len(self.clips),
                "text": event.text or "",
                "url": audio_url,
                "duration_s": round(audio.duration_s, 3) if audio is not None else None,
                "marks": marks,
            }
        )

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
