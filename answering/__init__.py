"""Grounded answers: FAQ first, else retrieved passages through a local or remote chat model, with citations."""

from answering.answerer import Answerer, KnowledgeSource, build_answerer
from answering.backends import build_chat_model
from answering.history import ConversationHistory
from answering.llama_cpp_model import LlamaCppChatModel
from answering.openai_model import OpenAICompatibleChatModel

__all__ = [
    "Answerer",
    "ConversationHistory",
    "KnowledgeSource",
    "LlamaCppChatModel",
    "OpenAICompatibleChatModel",
    "build_answerer",
    "build_chat_model",
]
