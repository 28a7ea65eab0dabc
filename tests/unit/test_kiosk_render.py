from __future__ import annotations

import json

import numpy as np

from avatar import MOUTH_SHAPES, mouth_shape
from core.models import (
    Answer,
    AnswerMode,
    Citation,
    PipelineEvent,
    PipelineEventType,
    SpeechAudio,
    TimingMark,
    Transcript,
)
from kiosk.session import Exchange
from kiosk.ui.render import (
    SpeechTrack,
    render_answer_body,
    render_conversation,
    split_list_items,
    strip_citation_phrases,
)


def test_every_voice_viseme_maps_to_a_drawn_mouth_shape() -> None:
    for viseme in ("rest", "A", "O", "E", "I", "U", "MBP", "FV", "DNL", "KG", "SZ", "CH"):
        assert mouth_shape(TimingMark(0, 0.1, "x", viseme)) in MOUTH_SHAPES
    assert mouth_shape(TimingMark(0, 0.1, "MBP", "MBP")) == "M"
    assert mouth_shape(TimingMark(0, 0.1, "ang4", "")) == "A"  # judged from the phone when no viseme is given
    assert mouth_shape(TimingMark(0, 0.1, "sil", "")) == "rest"


def test_conversation_shows_citations_and_escapes_citizen_text() -> None:
    answer = Answer("需要身份证。", [Citation("a.md", "居住证暂行条例", "第九条")], False, AnswerMode.LLM)
    html = render_conversation([Exchange("t1", question="<script>x</script>", answer_text=answer.answer, answer=answer)])
    assert "《居住证暂行条例》第九条" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_empty_conversation_renders_no_bubbles() -> None:
    assert "bubble" not in render_conversation([])


def test_speech_track_is_cumulative_and_carries_marks() -> None:
    track = SpeechTrack(turn_id="t1")
    audio = SpeechAudio(np.zeros(8000, np.float32), 16000, "你好。", "fake", (TimingMark(0.0, 0.2, "n", "DNL"),))
    track.add(PipelineEvent(PipelineEventType.TTS_AUDIO, "t1", text="你好。", audio=audio), "/clip/1.wav")
    track.add(PipelineEvent(PipelineEventType.TTS_AUDIO, "t1", text="再见。", audio=None), None)
    data = json.loads(track.to_json())
    assert [c["seq"] for c in data["clips"]] == [0, 1]
    assert data["clips"][0]["marks"] == [[0.0, 0.2, "E"]] and data["clips"][0]["duration_s"] == 0.5
    assert data["clips"][1]["url"] is None  # subtitles only


def test_unheard_question_says_so_instead_of_listening_forever() -> None:
    unheard = Exchange("t1", errors=[{"stage": "asr", "code": "nothing-heard", "message": ""}])
    assert "没有听清" in render_conversation([unheard]) and "正在听" not in render_conversation([unheard])
    interrupted = Exchange("t2", cancelled=True)
    assert "正在听" not in render_conversation([interrupted]) and "已打断" in render_conversation([interrupted])
    # a typed question cut off by the next one before any answer: it is no longer being looked up
    cut = render_conversation([Exchange("t3", question="身份证丢了怎么补办", cancelled=True)])
    assert "正在查找" not in cut and "未回答" in cut and "已打断" in cut


CITED = Citation("a.md", "居住证暂行条例", "第九条")


def test_answer_says_its_citation_once_under_the_text() -> None:
    for text in ("依据《居住证暂行条例》第九条：申领居住证应当提交身份证。", "申领居住证应当提交身份证。依据《居住证暂行条例》第九条。"):
        answer = Answer(text, [CITED], False, AnswerMode.LLM)
        html = render_conversation([Exchange("t1", question="要带什么", answer_text=text, answer=answer)])
        assert html.count("居住证暂行条例") == 1 and 'class="citation"' in html
        assert "申领居住证应当提交身份证。" in html
    assert strip_citation_phrases("依据《护照法》第五条：出国。", [CITED]) == "依据《护照法》第五条：出国。"  # not the cited one


def test_list_items_get_their_own_lines_and_a_long_answer_folds_its_fine_print() -> None:
    assert split_list_items("二、申请材料1.本人身份证；2.近期相片。三、办理时限：五个工作日。每月1.5元，第1次") == [
        "二、申请材料", "1.本人身份证；", "2.近期相片。", "三、办理时限：五个工作日。", "每月1.5元，第1次",
    ]  # fmt: skip
    long_text = "申领居住证，应当提交下列材料：1.本人居民身份证；2.本人近期相片；3.居住地住址证明。" + "住址证明包括租赁合同等，" * 8
    html = render_answer_body(long_text, [CITED])
    lead, folded = html.split("<details", 1)
    assert lead.count('class="answer-line"') == 4  # the opening and its three items are shown
    assert "查看条文原文" in folded and "租赁合同" in folded and "租赁合同" not in lead
    short = render_answer_body("需要身份证。", [CITED])
    assert "<details" not in short


def test_the_spoken_form_leads_and_the_articles_fold() -> None:
    spoken = "办居住证要带身份证和相片。"
    html = render_answer_body(spoken + "第九条 申领居住证，应当提交本人居民身份证、本人相片。", [CITED], spoken=spoken)
    lead, folded = html.split("<details", 1)
    assert spoken in lead and "第九条" in folded


def test_an_answer_that_cites_nothing_is_shown_whole() -> None:
    spoken = "抱歉，我目前只能听懂和回答中文问题。请到综合咨询窗口咨询工作人员，或拨打12345政务服务热线。"
    screen = spoken + "\n\nThis kiosk answers questions in Chinese only. Please ask the staff at the information desk."
    html = render_answer_body(screen, [], spoken=spoken)
    assert "<details" not in html and "Chinese only" in html


def test_a_spoken_question_is_shown_as_understood_with_a_retype_button() -> None:
    heard = Exchange("t1", question="办居住证要带什么材料", transcript=Transcript("办居住证要带什么材料", 2.0, 0.5))
    html = render_conversation([heard])
    assert "您问的是：" in html and 'class="retype"' in html and 'data-text="办居住证要带什么材料"' in html
    assert "您问的是" not in render_conversation([Exchange("t2", question="打字的问题")])


def test_subtitles_follow_sentences_not_commas() -> None:
    track = SpeechTrack(turn_id="t1")
    for text in ("居住地住址证明包括房屋租赁合同，", "就业证明包括劳动合同。", "请带好材料。"):
        track.add(PipelineEvent(PipelineEventType.TTS_AUDIO, "t1", text=text, audio=None), None)
    subtitles = [c["subtitle"] for c in json.loads(track.to_json())["clips"]]
    assert subtitles == ["居住地住址证明包括房屋租赁合同，", "居住地住址证明包括房屋租赁合同，就业证明包括劳动合同。", "请带好材料。"]


def test_id_card_and_phone_numbers_are_masked_on_the_screen() -> None:
    """The screen faces the hall: a number the citizen typed or said is shown as it is logged, masked."""
    typed = Exchange("t1", question="我的身份证号是110101199003071234 能查社保吗")
    said = Exchange("t2", question="电话13912345678 失业金怎么领", transcript=Transcript("电话13912345678 失业金怎么领", 2.0, 0.5))
    html = render_conversation([typed, said])
    assert "110101199003071234" not in html and "110***************" in html
    assert "13912345678" not in html and "139********" in html
    assert 'data-text="电话139******** 失业金怎么领"' in html  # retyping starts from the masked text too
    assert "能查社保吗" in html and "失业金怎么领" in html


def test_a_question_answered_as_read_differently_says_which_question_the_rule_answers() -> None:
    answer = Answer("公民申请普通护照，应当提交本人的居民身份证。", [Citation("a.md", "护照法", "第六条")], False,
                    AnswerMode.QUOTE, understood="办护照要带什么材料")
    html = render_conversation([Exchange("t1", question="不是，我问的是护照", answer_text=answer.answer, answer=answer)])
    assert "按“办护照要带什么材料”回答：" in html
    assert html.index("按“办护照") < html.index("公民申请普通护照")  # read before the answer
    same = Answer("……", [], False, AnswerMode.QUOTE, understood=None)
    assert "按“" not in render_conversation([Exchange("t2", question="办护照要带什么材料", answer_text="……", answer=same)])
    repeat = Answer("好的，我再说一遍。", [], False, AnswerMode.SMALL_TALK, understood="再说一遍吧")
    assert "按“" not in render_conversation([Exchange("t3", question="再说一遍", answer_text="……", answer=repeat)])
    # searched with the thing apart (护照 能加急吗), it is shown as one question
    apart = Answer("……", [], False, AnswerMode.QUOTE, understood="护照 能加急吗")
    assert "按“护照能加急吗”回答：" in render_conversation([Exchange("t4", question="那护照呢", answer_text="……", answer=apart)])
