"""Policy documents in, cited passages out."""

from knowledge_base.knowledge_base import KnowledgeBase, open_knowledge_base

__all__ = ["KnowledgeBase", "open_knowledge_base"]
