"""Grounded answers: FAQ first, else retrieved passages through a local or remote chat model, with citations."""

from kiosk.answering.answerer import Answerer, KnowledgeSource, build_answerer
from kiosk.answering.backends import build_chat_model
from kiosk.answering.history import ConversationHistory
from kiosk.answering.llama_cpp_model import LlamaCppChatModel
from kiosk.answering.openai_model import OpenAICompatibleChatModel

__all__ = [
    "Answerer",
    "ConversationHistory",
    "KnowledgeSource",
    "LlamaCppChatModel",
    "OpenAICompatibleChatModel",
    "build_answerer",
    "build_chat_model",
]
