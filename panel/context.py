"""What the panel needs from its process (kiosk.services.Services satisfies this, mounted or standalone)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.config import KioskConfig
from core.models import EngineHealth
from core.protocols import Answerer
from panel.store import Store

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase


class PanelServices(Protocol):
    config: KioskConfig

    @property
    def kb(self) -> KnowledgeBase: ...  # search, ingest, documents, FAQ

    @property
    def answerer(self) -> Answerer: ...  # the answer the kiosk would give, for the hit test

    @property
    def store(self) -> Store | None: ...

    def health(self) -> list[EngineHealth]: ...
