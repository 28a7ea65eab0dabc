"""What the panel needs from the running kiosk (kiosk.services.Services satisfies this)."""

from __future__ import annotations

from typing import Any, Protocol

from core.config import KioskConfig
from panel.store import Store


class PanelServices(Protocol):
    kb: Any  # knowledge_base.KnowledgeBase: search, ingest, documents, FAQ
    answerer: Any  # `await answerer.answer(question) -> Answer`
    store: Store
    config: KioskConfig

    def health(self) -> list[dict[str, Any]]: ...
