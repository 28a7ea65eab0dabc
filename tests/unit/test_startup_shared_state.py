"""The start-up report's shared-state lines name where the registry really is."""

from __future__ import annotations

from pathlib import Path

from core.config import KioskConfig
from kiosk.commands.startup import shared_state_lines


def test_the_registry_is_reported_in_the_shared_database_or_in_its_file() -> None:
    config = KioskConfig()
    config.paths.kb_dir = Path("/srv/kb")
    config.chroma.mode = "http"
    config.paths.database_url = "postgresql://kiosk:s3cret@db.hall:5432/kiosk"
    shared = "\n".join(shared_state_lines(config))
    assert "registry in schema kb of the database" in shared and "/srv/kb" not in shared and "s3cret" not in shared
    config.paths.database_url = None
    assert "registry in /srv/kb/registry.sqlite" in "\n".join(shared_state_lines(config))
