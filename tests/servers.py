"""Helpers for tests that start a real server process on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx
import pytest


def free_port() -> int:
    """A loopback port nothing listens on (once this socket closes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(command: Sequence[str], ready_url: str, what: str, timeout_s: float = 60.0) -> Iterator[None]:
    """Start `command`, wait until `ready_url` answers 2xx, and stop the process afterwards."""
    proc = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                httpx.get(ready_url, timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start within {timeout_s:.0f} s (exit code {proc.poll()})")
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)
