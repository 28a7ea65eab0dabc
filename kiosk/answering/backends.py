"""Choose the chat model backend from config."""

from __future__ import annotations

from kiosk.answering.llama_cpp_model import LlamaCppChatModel
from kiosk.answering.openai_model import OpenAICompatibleChatModel
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError
from kiosk.protocols import ChatModel


def build_chat_model(config: KioskConfig) -> ChatModel:
    if config.llm.backend == "embedded":
        return LlamaCppChatModel.from_config(config)
    if config.llm.backend == "openai":
        return OpenAICompatibleChatModel.from_config(config)
    raise ConfigError("llm-backend", f"unknown llm.backend {config.llm.backend!r}; use embedded or openai")
