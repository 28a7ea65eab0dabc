from __future__ import annotations

import io
import json

import pytest
from tests.unit.answering_fakes import RESIDENCE_9, FakeKnowledgeBase, ScriptedChatModel

from answering import Answerer
from kiosk.cli import main
from kiosk.commands import ask
from core.config import KioskConfig
from core.models import ChatMessage


def test_history_accepts_a_string_or_messages() -> None:
    assert ask.parse_history("办居住证要带什么材料") == [ChatMessage("user", "办居住证要带什么材料")]
    assert ask.parse_history([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]) == [
        ChatMessage("user", "a"),
        ChatMessage("assistant", "b"),
    ]
    assert ask.parse_history(None) == []
    with pytest.raises(ValueError):
        ask.parse_history(3)


@pytest.fixture
def fake_answerer(monkeypatch: pytest.MonkeyPatch) -> FakeKnowledgeBase:
    kb = FakeKnowledgeBase([RESIDENCE_9])
    model = ScriptedChatModel(["需要身份证和相片。依据《居住证暂行条例》第九条。"])
    monkeypatch.setattr("answering.build_answerer", lambda config: Answerer(kb, model, KioskConfig()))
    return kb


def test_ask_json_contract(fake_answerer: FakeKnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "办居住证要带什么材料", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"spoken", "answer", "citations", "refused", "mode", "understood", "answerability", "timings"}
    assert out["mode"] == "quote" and out["refused"] is False
    assert "本人居民身份证" in out["spoken"] and out["answer"].startswith(out["spoken"])
    assert out["citations"] == [{"source": RESIDENCE_9.source, "title": "居住证暂行条例", "article": "第九条"}]
    assert set(out["timings"]) == {"retrieve_s", "first_token_s", "total_s"}


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
    assert fake_answerer.queries[1] == "办居住证要带什么材料 那多久能拿到"
