"""The kiosk page (Gradio Blocks). Handlers only run session turns and render their events."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from answering.guardrails import disagrees
from avatar import face_html
from core.models import AnswerMode, PipelineEventType
from kiosk.pipeline import TurnRequest
from kiosk.services import Services
from kiosk.session import KioskSession
from kiosk.ui.media import MediaStore
from kiosk.ui.render import SpeechTrack, render_conversation, status_line

log = logging.getLogger(__name__)

MAX_HOT_TOPICS = 6
_ICONS = Path(__file__).parent  # SVGs beside the module ship as package data
_SESSION_FORGET_S = 3600.0
_NO_SPEECH = SpeechTrack().to_json()


class KioskPage:
    def __init__(self, services: Services, media: MediaStore) -> None:
        self.services = services
        self.media = media
        self.sessions: dict[str, KioskSession] = {}

    # ------------------------------------------------------------ sessions

    def session_for(self, request: gr.Request | None) -> KioskSession:
        key = (request.session_hash if request is not None else None) or "default"
        session = self.sessions.get(key)
        if session is None:
            self._forget_abandoned()
            config = self.services.config
            session = KioskSession(
                self.services.pipeline,
                history_turns=config.answering.history_turns,
                idle_reset_s=config.kiosk.idle_reset_s,
                session_id=key,  # turns are recorded by the pipeline's recorder (kiosk/recording.py)
            )
            self.sessions[key] = session
        return session

    def _forget_abandoned(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self.sessions.items() if now - s.last_activity > _SESSION_FORGET_S]:
            self.sessions.pop(key).reset()

    # ------------------------------------------------------------ turns

    async def _run(self, session: KioskSession, request: TurnRequest) -> AsyncIterator[tuple[str, str, str]]:
        track = SpeechTrack()
        status = ""
        exchange = None
        async for exchange, event in session.ask(request):
            track.turn_id = event.turn_id
            if event.type is PipelineEventType.TTS_AUDIO:
                track.add(event, self.media.add_clip(event.audio) if event.audio is not None else None)
            elif event.type is PipelineEventType.CANCELLED:
                track.cancelled = True
            new_status = status_line(event)
            if new_status is not None:
                status = new_status
            yield render_conversation(session.exchanges), track.to_json(), _status_html(status)
        if exchange is not None and exchange.answer is not None and exchange.answer.mode is AnswerMode.SMALL_TALK:
            if disagrees(exchange.question):  # 你说的不对: the answer before it, rated as the 没帮助 button would
                self._rate(session, helpful=False)
                yield render_conversation(session.exchanges), track.to_json(), _status_html(status)

    async def ask_text(self, text: str, request: gr.Request) -> AsyncIterator[tuple[Any, ...]]:
        text = (text or "").strip()
        if not text:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        first = True
        turn_request = TurnRequest(text=text[: self.services.config.kiosk.max_question_chars])
        async for conversation, speech, status in self._run(self.session_for(request), turn_request):
            yield conversation, speech, status, ("" if first else gr.skip())
            first = False

    async def ask_voice(self, utterance_id: str, request: gr.Request) -> AsyncIterator[tuple[str, str, str]]:
        session = self.session_for(request)
        samples = self.media.take_utterance((utterance_id or "").strip())
        if samples is None:
            yield render_conversation(session.exchanges), gr.skip(), _status_html("录音已过期，请再说一遍")
            return
        async for update in self._run(session, TurnRequest(audio=samples, sample_rate=16000)):
            yield update

    async def barge_in(self, request: gr.Request) -> tuple[str, str]:
        session = self.session_for(request)
        turn = session.current
        session.cancel_turn()
        if turn is not None:
            await turn.wait()
        return render_conversation(session.exchanges), _status_html("请讲")

    def idle_reset(self, request: gr.Request) -> tuple[str, str, str, str, bool]:
        session = self.session_for(request)
        session.reset()
        return render_conversation([]), _NO_SPEECH, _status_html(""), "", False

    def feedback(self, helpful: bool, request: gr.Request) -> str:
        session = self.session_for(request)
        self._rate(session, helpful)
        session.touch()
        return render_conversation(session.exchanges)

    def _rate(self, session: KioskSession, helpful: bool) -> None:
        exchange = session.latest_answered()
        choice = "up" if helpful else "down"
        if exchange is not None and exchange.feedback != choice:  # the citizen's last choice wins
            exchange.feedback = choice
            self.services.record_feedback(exchange.turn_id, helpful)

    def feedback_up(self, request: gr.Request) -> str:
        return self.feedback(True, request)

    def feedback_down(self, request: gr.Request) -> str:
        return self.feedback(False, request)

    def set_elderly(self, elderly: bool, request: gr.Request) -> None:
        session = self.session_for(request)
        session.elderly = bool(elderly)
        session.touch()

    def handoff(self, request: gr.Request) -> str:
        self.session_for(request).touch()
        text = self.services.effective_config().kiosk.handoff_text
        return f'<div class="handoff-card" role="dialog"><div class="handoff-title">转人工 / 取号</div><p>{escape(text)}</p><div class="handoff-close">知道了</div></div>'

    def on_load(self, request: gr.Request) -> list[Any]:
        config = self.services.effective_config().kiosk
        self.session_for(request)
        topics = config.hot_topics[:MAX_HOT_TOPICS]
        buttons = [gr.update(value=t, visible=True) for t in topics]
        buttons += [gr.update(visible=False)] * (MAX_HOT_TOPICS - len(topics))
        return [_greeting_html(config.greeting, config.idle_reset_s), *buttons]

    # ------------------------------------------------------------ layout

    def build(self) -> gr.Blocks:
        config = self.services.config.kiosk
        with gr.Blocks(title=config.hall_name, fill_height=True, analytics_enabled=False) as blocks:
            greeting = gr.HTML(_greeting_html(config.greeting, config.idle_reset_s), elem_id="kiosk-greeting", js_on_load=None)
            with gr.Row(elem_id="kiosk-main", equal_height=False):
                with gr.Column(elem_id="kiosk-left", scale=1):
                    gr.HTML(f'<div class="hall-name">{escape(config.hall_name)} · 智能导办</div>', js_on_load=None)
                    gr.HTML(face_html() + '<div id="subtitle" class="subtitle"></div>', elem_id="avatar-box", js_on_load=None)
                    status = gr.HTML(_status_html(""), elem_id="kiosk-status", js_on_load=None)
                    gr.HTML(_MIC_CONTROLS, elem_id="mic-box", js_on_load=None)
                with gr.Column(elem_id="kiosk-right", scale=1):
                    conversation = gr.HTML(render_conversation([]), elem_id="conversation", js_on_load=None)
                    with gr.Row(elem_id="feedback-row"):
                        # icons, not emoji: the kiosk's fonts have no emoji glyphs
                        thumbs_up = gr.Button("有帮助", icon=str(_ICONS / "thumb-up.svg"), elem_id="feedback-up", size="sm")
                        thumbs_down = gr.Button("没帮助", icon=str(_ICONS / "thumb-down.svg"), elem_id="feedback-down", size="sm")
                    with gr.Row(elem_id="hot-topics"):
                        topic_buttons = [
                            gr.Button(t, elem_classes="hot-topic", visible=bool(t))  # no empty button before load
                            for t in (config.hot_topics + [""] * MAX_HOT_TOPICS)[:MAX_HOT_TOPICS]
                        ]
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(
                            placeholder="在这里输入您的问题…", show_label=False, elem_id="question-box", scale=4, max_lines=3,
                            max_length=config.max_question_chars,
                        )
                        send = gr.Button("发送", variant="primary", elem_id="send-button", scale=1)
                    with gr.Row(elem_id="tools-row"):
                        elderly = gr.Checkbox(label="长者模式（大字·慢速）", elem_id="elderly-mode")
                        handoff_button = gr.Button("转人工 / 取号", elem_id="handoff-button")
                    handoff_panel = gr.HTML("", elem_id="handoff-panel")
            with gr.Row(elem_classes="kiosk-hidden"):
                speech = gr.Textbox(_NO_SPEECH, elem_id="speech-channel", show_label=False)
                utterance = gr.Textbox("", elem_id="utterance-id", show_label=False)
                voice_button = gr.Button("voice", elem_id="voice-submit")
                barge_button = gr.Button("barge-in", elem_id="barge-in")
                idle_button = gr.Button("idle-reset", elem_id="idle-reset")

            common: dict[str, Any] = {"concurrency_limit": None, "show_progress": "hidden", "api_visibility": "private"}
            turn_outputs = [conversation, speech, status]
            before_ask = "(t) => [window.kioskPage.beforeAsk(t)]"  # a new question silences the avatar at once
            asks = [
                question.submit(self.ask_text, [question], [*turn_outputs, question], js=before_ask, trigger_mode="multiple", **common),
                send.click(self.ask_text, [question], [*turn_outputs, question], js=before_ask, trigger_mode="multiple", **common),
                voice_button.click(
                    self.ask_voice, [utterance], turn_outputs, js="() => [window.kioskPage.takeUtterance()]",
                    trigger_mode="multiple", **common,
                ),
            ]
            asks += [
                b.click(self.ask_text, [b], [*turn_outputs, question], js=before_ask, trigger_mode="multiple", **common)
                for b in topic_buttons
            ]
            barge_button.click(self.barge_in, None, [conversation, status], cancels=asks, trigger_mode="multiple", **common)
            idle_button.click(
                self.idle_reset, None, [conversation, speech, status, handoff_panel, elderly], cancels=asks, **common
            )
            speech.change(None, [speech], None, js="(v) => { window.kioskPage.onSpeech(v); return []; }")
            thumbs_up.click(self.feedback_up, None, conversation, **common)
            thumbs_down.click(self.feedback_down, None, conversation, **common)
            elderly.change(self.set_elderly, [elderly], None, js="(v) => { window.kioskPage.setElderly(v); return [v]; }", **common)
            handoff_button.click(self.handoff, None, handoff_panel, **common)
            handoff_panel.click(lambda: "", None, handoff_panel, **common)
            blocks.load(self.on_load, None, [greeting, *topic_buttons], **common)
        return blocks


_MIC_CONTROLS = """
<div class="mic-controls">
  <button id="ptt-button" class="ptt" type="button" aria-label="按住说话"><svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true"><path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11h-2z"/></svg> 按住说话</button>
  <label class="handsfree" title="免提模式：不用按键，直接说话"><input id="handsfree-toggle" type="checkbox"> 免提模式</label>
  <div id="mic-state" class="mic-state" data-state="off"></div>
</div>
"""


def _status_html(text: str) -> str:
    return f'<div class="status-line">{escape(text)}</div>'


def _greeting_html(greeting: str, idle_reset_s: float) -> str:
    return f'<div id="greeting-text" data-idle-reset-s="{idle_reset_s:g}">{escape(greeting)}</div>'
