"""The answer benchmark's scorer (bench/score_answers.py): what counts as a keypoint and as an invented number."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from score_answers import invented_numbers, keypoint_present  # noqa: E402


def test_keypoints_match_across_numeral_styles_and_need_their_words() -> None:
    assert keypoint_present("自受理之日起15日内制作发放居住证", "公安机关应当自受理之日起十五日内制作发放居住证。")
    assert not keypoint_present("自受理之日起15日内制作发放居住证", "公安机关应当自受理之日起三十日内制作发放居住证。")
    assert not keypoint_present("本人居民身份证", "需要带身份证。")  # strict on purpose


def test_citations_hotline_and_echoed_numbers_are_not_invented() -> None:
    refusal = "抱歉，知识库中没有具体的金额。依据《居民身份证法》第二十一条：工本费标准由国务院核定。请拨打12345。"
    assert invented_numbers(refusal, "在北京换身份证工本费是多少钱") == []
    assert invented_numbers("周六照常办公，下午5点关门。", "大厅周六上不上班") == ["5"]
    assert invented_numbers("工本费是20元，依据第二十一条。") == ["20"]
    # the hotlines a referral names are the hall's wording, not facts
    assert invented_numbers("请到公安交通管理部门（车管所）或“交管12123”咨询，或拨打12345政务服务热线。", "驾照到期") == []
    assert invented_numbers("请拨打12124咨询。") == ["12124"]


def test_a_courtesy_answered_as_one_counts_as_declining_an_unanswerable_question() -> None:
    from score_answers import score

    q = {"id": "u1", "question": "谢谢你啊 辛苦了", "type": "unanswerable", "keypoints": [], "gold": []}
    reply = {"answer": "不客气。", "spoken": "不客气。", "citations": [], "timings": {}}
    assert score([q], {"u1": {**reply, "refused": False, "mode": "small-talk"}})["refusal_rate"] == 1.0
    assert score([q], {"u1": {**reply, "refused": False, "mode": "quote"}})["refusal_rate"] == 0.0
