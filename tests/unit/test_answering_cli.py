from __future__ import annotations

import io
import json

import pytest

from answering import Answerer
from core.config import KioskConfig
from core.models import ChatMessage, TurnRecord
from kiosk.cli import main
from kiosk.commands import ask
from kiosk.services import Services
from tests.unit.answering_fakes import RESIDENCE_9, FakeKnowledgeBase, ScriptedChatModel


def test_history_accepts_a_string_or_messages() -> None:
    assert ask.parse_history("办居住证要带什么材料") == [ChatMessage("user", "办居住证要带什么材料")]
    assert ask.parse_history([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]) == [
        ChatMessage("user", "a"),
        ChatMessage("assistant", "b"),
    ]
    assert ask.parse_history(None) == []
    with pytest.raises(ValueError):
        ask.parse_history(3)


class TurnLog:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []

    def record_turn(self, turn: TurnRecord) -> str:
        self.turns.append(turn)
        return turn.turn_id

    def runtime_settings(self) -> dict[str, object]:
        return {}


@pytest.fixture
def turn_log() -> TurnLog:
    return TurnLog()


@pytest.fixture
def fake_answerer(monkeypatch: pytest.MonkeyPatch, turn_log: TurnLog) -> FakeKnowledgeBase:
    kb = FakeKnowledgeBase([RESIDENCE_9])
    model = ScriptedChatModel(["需要身份证和相片。依据《居住证暂行条例》第九条。"])

    def build_services(config: KioskConfig, record: bool) -> Services:
        answerer = Answerer(kb, model, KioskConfig())
        return Services(KioskConfig(), kb=kb, answerer=answerer, store=turn_log if record else None)  # type: ignore[arg-type]

    monkeypatch.setattr(ask, "build_services", build_services)
    return kb


def test_ask_json_contract(fake_answerer: FakeKnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "办居住证要带什么材料", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"spoken", "answer", "citations", "refused", "mode", "understood", "answerability", "unanswered", "timings"}
    assert out["mode"] == "quote" and out["refused"] is False and out["unanswered"] == []
    assert "本人居民身份证" in out["spoken"] and out["answer"].startswith(out["spoken"])
    assert out["citations"] == [{"source": RESIDENCE_9.source, "title": "居住证暂行条例", "article": "第九条"}]
    assert set(out["timings"]) == {"retrieve_s", "first_token_s", "total_s"}


def test_ask_records_the_turn_masked_like_a_kiosk_turn(
    fake_answerer: FakeKnowledgeBase, turn_log: TurnLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "办居住证要带什么材料"]) == 0
    printed = capsys.readouterr().out
    assert "本人居民身份证" in printed and "[quote] 引用：《居住证暂行条例》第九条" in printed
    [record] = turn_log.turns
    assert record.session_id == "cli" and record.question == "办居住证要带什么材料" and not record.refused
    assert record.citations[0].article == "第九条" and "total_s" in record.timings
    assert main(["ask", "我电话13812345678，补办身份证要多久"]) == 0
    assert "13812345678" not in turn_log.turns[1].question and "138" in turn_log.turns[1].question
    assert "13812345678" not in turn_log.turns[1].answer  # the refusal repeats the question: masked too
    assert main(["ask", "办居住证要带什么材料", "--no-record"]) == 0
    assert len(turn_log.turns) == 2


def test_ask_jsonl_batch_keeps_ids_and_uses_history(
    fake_answerer: FakeKnowledgeBase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "q1", "question": "办居住证要带什么材料"},
        {"id": "q2", "question": "那多久能拿到", "history": "办居住证要带什么材料"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["ask", "--jsonl"]) == 1  # one bad line
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows[:2]] == ["q1", "q2"]
    assert "error" in rows[2]
    assert fake_answerer.queries[1] == "怎么申请办理居住证\n那多久能拿到"
