"""HTTP backend: any OpenAI-compatible /chat/completions server (vLLM, Ollama, llama.cpp's server, DeepSeek)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from core.config import KioskConfig
from core.errors import ChatModelError
from core.models import ChatMessage, ChatOptions


def _delta_text(event: dict[str, Any]) -> tuple[str, bool]:
    """(content piece, finished) of one streamed chat.completion.chunk."""
    if "error" in event:
        raise ChatModelError("llm-server-error", f"the model server reported an error: {event['error']}")
    try:
        choice = event["choices"][0]
        piece = (choice.get("delta") or {}).get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ChatModelError("llm-malformed-stream", f"unexpected chunk from the model server: {str(event)[:200]}") from None
    if not isinstance(piece, str):
        raise ChatModelError("llm-malformed-stream", f"chunk content is not text: {str(event)[:200]}")
    return piece, choice.get("finish_reason") is not None


class OpenAICompatibleChatModel:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.name = f"openai:{model}"
        self.device = f"远程服务 {base_url.rstrip('/')}"  # the server decides the hardware
        self._api_key = api_key
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._transport = transport  # tests inject httpx.MockTransport

    @classmethod
    def from_config(cls, config: KioskConfig) -> OpenAICompatibleChatModel:
        llm = config.llm
        return cls(
            llm.base_url,
            llm.model_name,
            api_key=llm.api_key,
            connect_timeout_s=llm.connect_timeout_s,
            read_timeout_s=llm.read_timeout_s,
        )

    def _request(self, messages: Sequence[ChatMessage], options: ChatOptions) -> tuple[dict[str, Any], dict[str, str]]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return body, headers

    async def stream(self, messages: Sequence[ChatMessage], options: ChatOptions) -> AsyncIterator[str]:
        body, headers = self._request(messages, options)
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
                async with client.stream("POST", self.url, json=body, headers=headers) as response:
                    if response.status_code >= 400:
                        detail = (await response.aread()).decode("utf-8", "replace")[:200]
                        raise ChatModelError(
                            "llm-http-error", f"{self.url} answered HTTP {response.status_code}: {detail}"
                        )
                    finished = False
                    async for line in response.aiter_lines():
                        line = line.strip()
                        if not line or line.startswith(":") or line.startswith(("event:", "id:", "retry:")):
                            continue
                        if not line.startswith("data:"):
                            raise ChatModelError("llm-malformed-stream", f"not a server-sent event line: {line[:120]}")
                        data = line[5:].strip()
                        if data == "[DONE]":
                            finished = True
                            break
                        try:
                            event = json.loads(data)
                        except json.JSONDecodeError:
                            raise ChatModelError("llm-malformed-stream", f"invalid JSON in stream: {data[:120]}") from None
                        piece, done = _delta_text(event)
                        if piece:
                            yield piece
                        finished = finished or done
                    if not finished:
                        raise ChatModelError("llm-stream-truncated", f"{self.url} closed the stream before it finished")
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ChatModelError(
                "llm-unreachable", f"cannot reach the model server at {self.url} ({exc}); is it running?"
            ) from exc
        except httpx.TimeoutException as exc:
            raise ChatModelError("llm-timeout", f"the model server at {self.url} timed out: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise ChatModelError("llm-transport", f"HTTP error talking to {self.url}: {exc!r}") from exc
