from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from answering import LlamaCppChatModel, OpenAICompatibleChatModel, build_chat_model, llama_cpp_model
from core.config import KioskConfig
from core.errors import ChatModelError
from core.models import ChatMessage, ChatOptions

MESSAGES = [ChatMessage("system", "规则"), ChatMessage("user", "问题")]
OPTIONS = ChatOptions(max_tokens=16, temperature=0.0, stop=("【问题】",))


def sse(*events: object) -> bytes:
    lines = []
    for event in events:
        lines.append("data: " + (event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)))
    return ("\n\n".join(lines) + "\n\n").encode()


def chunk(content: str, finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}


def http_model(handler: Any, **kwargs: Any) -> OpenAICompatibleChatModel:
    return OpenAICompatibleChatModel(
        "http://llm.test/v1", "qwen", api_key="secret", transport=httpx.MockTransport(handler), **kwargs
    )


async def drain(model: Any) -> list[str]:
    return [piece async for piece in model.stream(MESSAGES, OPTIONS)]


async def test_openai_stream_parses_sse_and_sends_the_request() -> None:
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["auth"] = request.headers.get("authorization")
        seen["body"] = json.loads(request.content)
        body = b": keep-alive\n\n" + sse({"choices": [{"delta": {"role": "assistant"}}]}, chunk("你"), chunk("好", "stop"), "[DONE]")
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    assert await drain(http_model(handler)) == ["你", "好"]
    assert seen["url"] == "http://llm.test/v1/chat/completions"
    assert seen["auth"] == "Bearer secret"
    assert seen["body"]["stream"] is True and seen["body"]["model"] == "qwen"
    assert seen["body"]["messages"][1] == {"role": "user", "content": "问题"}
    assert seen["body"]["stop"] == ["【问题】"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (sse(chunk("你"), "{not json"), "llm-malformed-stream"),
        (sse({"choices": []}), "llm-malformed-stream"),
        (b"<html>gateway</html>\n", "llm-malformed-stream"),
        (sse(chunk("你")), "llm-stream-truncated"),
        (sse({"error": {"message": "model not loaded"}}), "llm-server-error"),
    ],
)
async def test_openai_bad_streams_raise_clear_codes(body: bytes, code: str) -> None:
    model = http_model(lambda request: httpx.Response(200, content=body))
    with pytest.raises(ChatModelError) as err:
        await drain(model)
    assert err.value.code == code


async def test_openai_http_error_status() -> None:
    model = http_model(lambda request: httpx.Response(503, text="overloaded"))
    with pytest.raises(ChatModelError) as err:
        await drain(model)
    assert err.value.code == "llm-http-error" and "503" in err.value.message


async def test_openai_server_down_and_timeouts() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    with pytest.raises(ChatModelError) as err:
        await drain(http_model(refuse))
    assert err.value.code == "llm-unreachable"
    with pytest.raises(ChatModelError) as err:
        await drain(http_model(slow))
    assert err.value.code == "llm-timeout"


async def test_openai_unreachable_port_is_reported_fast() -> None:
    model = OpenAICompatibleChatModel("http://127.0.0.1:9/v1", "m", connect_timeout_s=1.0)
    with pytest.raises(ChatModelError) as err:
        await drain(model)
    assert err.value.code == "llm-unreachable"


class FakeLlama:
    """Stands in for llama_cpp.Llama: streams tokens slowly from create_chat_completion."""

    def __init__(self, tokens: int = 100, delay_s: float = 0.01, fail: bool = False) -> None:
        self.tokens, self.delay_s, self.fail = tokens, delay_s, fail
        self.produced = 0
        self.kwargs: dict[str, Any] = {}

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.kwargs = kwargs
        if self.fail:
            raise RuntimeError("llama_decode returned -1")

        def gen() -> Iterator[dict[str, Any]]:
            yield {"choices": [{"delta": {"role": "assistant"}}]}
            for _ in range(self.tokens):
                time.sleep(self.delay_s)
                self.produced += 1
                yield {"choices": [{"delta": {"content": "字"}}]}

        return gen()


def fake_llama(monkeypatch: pytest.MonkeyPatch, llama: FakeLlama) -> LlamaCppChatModel:
    monkeypatch.setattr(llama_cpp_model, "_load_llama", lambda *args: (llama, threading.Lock()))
    return LlamaCppChatModel(Path("model.gguf"))


async def test_llama_streams_tokens_with_options(monkeypatch: pytest.MonkeyPatch) -> None:
    llama = FakeLlama(tokens=5, delay_s=0)
    assert await drain(fake_llama(monkeypatch, llama)) == ["字"] * 5
    assert llama.kwargs["stream"] is True and llama.kwargs["max_tokens"] == 16
    assert llama.kwargs["stop"] == ["【问题】"]
    assert llama.kwargs["messages"][0] == {"role": "system", "content": "规则"}


async def test_llama_cancellation_stops_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    llama = FakeLlama(tokens=1000, delay_s=0.005)
    model = fake_llama(monkeypatch, llama)
    got_first = asyncio.Event()

    async def consume() -> None:
        async for _ in model.stream(MESSAGES, OPTIONS):
            got_first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_first.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    stopped_at = llama.produced
    await asyncio.sleep(0.2)
    assert llama.produced == stopped_at < 1000


async def test_llama_failure_becomes_chat_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ChatModelError) as err:
        await drain(fake_llama(monkeypatch, FakeLlama(fail=True)))
    assert err.value.code == "llm-generation-failed"


def test_missing_gguf_is_an_actionable_error(tmp_path: Path) -> None:
    llama_cpp_model._load_llama.cache_clear()
    with pytest.raises(ChatModelError) as err:
        LlamaCppChatModel(tmp_path / "absent.gguf").load()
    assert err.value.code in {"llm-model-missing", "llm-not-installed"}


def test_backend_is_chosen_by_config(tmp_path: Path) -> None:
    config = KioskConfig()
    config.llm.backend = "openai"
    config.llm.model_name = "deepseek-chat"
    assert build_chat_model(config).name == "openai:deepseek-chat"
    config.llm.backend = "embedded"
    config.llm.model_path = tmp_path / "custom.gguf"
    model = build_chat_model(config)
    assert isinstance(model, LlamaCppChatModel) and model.model_path == tmp_path / "custom.gguf"
