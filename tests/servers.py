"""Helpers for tests that start a real server on 127.0.0.1: another process, or an app in a thread of this one."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """A loopback port nothing listens on (once this socket closes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    command: Sequence[str], ready_url: str, what: str, timeout_s: float = 60.0, log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[None]:
    """Start `command`, wait until `ready_url` answers 2xx, and stop the process afterwards.
    `log_path` keeps its stdout and stderr; `env` replaces its environment."""
    output = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    proc = subprocess.Popen(list(command), stdout=output, stderr=subprocess.STDOUT, env=env)
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
        if log_path is not None:
            output.close()  # type: ignore[union-attr]


@contextmanager
def app_in_thread(app: FastAPI, what: str, timeout_s: float = 60.0) -> Iterator[str]:
    """Serve `app` with uvicorn in a daemon thread on a free loopback port; yield its base URL, then stop it."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        assert time.monotonic() < deadline, f"{what} did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
