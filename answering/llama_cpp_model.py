"""Embedded backend: a GGUF model through llama-cpp-python, loaded once per process, streamed from a thread."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from core.config import KioskConfig
from core.errors import ChatModelError
from core.models import ChatMessage, ChatOptions
from core.provisioning import ensure_model

logger = logging.getLogger(__name__)

_END = object()


@functools.lru_cache(maxsize=2)
def _load_llama(model_path: str, n_threads: int, n_ctx: int) -> tuple[Any, threading.Lock]:
    """One Llama per (model, threads, context) per process, with the lock that serialises its generations."""
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ChatModelError(
            "llm-not-installed",
            "llama-cpp-python is not installed; run `make install` (it builds it portably), "
            "or set llm.backend: openai to use an OpenAI-compatible server",
        ) from None
    if not Path(model_path).is_file():
        raise ChatModelError("llm-model-missing", f"GGUF model not found: {model_path}; run `kiosk models`")
    try:
        llama = Llama(
            model_path=model_path,
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=512,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise ChatModelError("llm-load-failed", f"could not load {model_path}: {exc}") from exc
    return llama, threading.Lock()


def _payload(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


class LlamaCppChatModel:
    """Streams tokens from llama.cpp. The system prompt stays first and identical, so its KV cache is reused."""

    def __init__(self, model_path: Path, *, n_threads: int = 2, n_ctx: int = 4096) -> None:
        self.model_path = model_path
        self.n_threads = n_threads
        self.n_ctx = n_ctx
        self.name = f"llama.cpp:{model_path.parent.name if model_path.name == 'model.gguf' else model_path.stem}"
        self.device = f"CPU · {n_threads} 线程"  # the embedded build is CPU-only (portable, no GPU offload)

    @classmethod
    def from_config(cls, config: KioskConfig) -> LlamaCppChatModel:
        path = config.llm.model_path or ensure_model(config.llm.embedded_model, config.paths.models)
        return cls(Path(path), n_threads=config.llm.n_threads, n_ctx=config.llm.n_ctx)

    def _model(self) -> tuple[Any, threading.Lock]:
        return _load_llama(str(self.model_path), self.n_threads, self.n_ctx)

    def load(self) -> None:
        """Blocking: load the weights now (the first stream() would otherwise pay for it)."""
        self._model()

    def warm_up(self, prefix: Sequence[ChatMessage]) -> None:
        """Blocking: evaluate the fixed prompt prefix once so later prompts start from its cached state."""
        llama, lock = self._model()
        with lock:
            llama.create_chat_completion(
                messages=_payload([*prefix, ChatMessage("user", "你好")]), max_tokens=1, temperature=0.0
            )

    async def stream(self, messages: Sequence[ChatMessage], options: ChatOptions) -> AsyncIterator[str]:
        llama, lock = await asyncio.to_thread(self._model)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        cancelled = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the event loop is gone: nobody is listening any more
                cancelled.set()

        def generate() -> None:
            try:
                with lock:
                    if cancelled.is_set():
                        return
                    chunks = llama.create_chat_completion(
                        messages=_payload(messages),
                        stream=True,
                        max_tokens=options.max_tokens,
                        temperature=options.temperature,
                        stop=list(options.stop) or None,
                    )
                    try:
                        for chunk in chunks:
                            if cancelled.is_set():
                                logger.debug("generation cancelled by the consumer")
                                break
                            piece = chunk["choices"][0]["delta"].get("content")
                            if piece:
                                put(piece)
                    finally:
                        chunks.close()
            except Exception as exc:  # any llama.cpp failure reaches the consumer as a ChatModelError
                put(ChatModelError("llm-generation-failed", f"llama.cpp generation failed: {exc}"))
            finally:
                put(_END)

        thread = threading.Thread(target=generate, name="llama-generate", daemon=True)
        thread.start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, ChatModelError):
                    raise item
                yield str(item)
        finally:
            cancelled.set()
