"""Choose the chat model backend from config."""

from __future__ import annotations

from answering.llama_cpp_model import LlamaCppChatModel
from answering.openai_model import OpenAICompatibleChatModel
from core.config import KioskConfig
from core.errors import ConfigError
from core.protocols import ChatModel


def build_chat_model(config: KioskConfig) -> ChatModel:
    if config.llm.backend == "embedded":
        return LlamaCppChatModel.from_config(config)
    if config.llm.backend == "openai":
        return OpenAICompatibleChatModel.from_config(config)
    raise ConfigError("llm-backend", f"unknown llm.backend {config.llm.backend!r}; use embedded or openai")
