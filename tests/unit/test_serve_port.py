"""`kiosk serve` on a port another process holds: said at once, before minutes of loading, and never as ready."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import pytest

from kiosk.commands.serve import port_taken, run


def _held() -> socket.socket:
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind(("127.0.0.1", 0))
    held.listen()
    return held


def test_a_port_another_process_listens_on_is_taken_and_free_once_it_stops() -> None:
    held = _held()
    port = held.getsockname()[1]
    assert port_taken("127.0.0.1", port)
    held.close()
    assert port_taken("127.0.0.1", port) is None


def test_serve_refuses_a_taken_port_before_loading_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import kiosk.services

    def loading(*_: object, **__: object) -> None:
        raise AssertionError("loaded the kiosk's models for a port it cannot listen on")

    monkeypatch.setattr(kiosk.services, "Services", loading)
    with _held() as held:
        port = held.getsockname()[1]
        args = argparse.Namespace(
            config=None, kb=str(tmp_path / "kb"), host="127.0.0.1", port=port, no_seed=True, no_warm_up=True
        )
        assert run(args) == 2
    out = capsys.readouterr()
    assert f"127.0.0.1:{port}" in out.err and "already running" in out.err
    assert "kiosk ready" not in out.out
