"""A city deployment on loopback, shared by tests/integration/test_city_deployment.py and bench/bench_deployment.py.

One Chroma server, one OpenAI-compatible model server (`python -m llama_cpp.server` with the package-shipped
Qwen2.5 0.5B GGUF), one panel process (`kiosk admin serve`) and any number of kiosk processes (`kiosk serve`), all on
one database URL. Panel and kiosks are configured only by KIOSK_* environment variables over an empty config file,
as a service manager would start them, and each has its own data folder for local caches. No pytest in here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "var" / "models"
LLM_ALIAS = "qwen-0.5b"  # the name the model server answers to; kiosks send it as llm.model_name
LOG_TAIL_LINES = 25


class DeploymentError(RuntimeError):
    """A process did not start, or a command failed; the message ends with the tails of every log."""


@dataclass
class Process:
    """One server process, its log file and the URL that answers 200 once it serves."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return "/".join(self.ready_url.split("/", 3)[:3])  # scheme://host:port

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:  # the child keeps its own handle
            self.popen = subprocess.Popen(self.command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout_s: float) -> float:
        """Seconds until `ready_url` answered 200; DeploymentError if the process ends or the time runs out."""
        assert self.popen is not None, f"{self.name} was never started"
        started = time.monotonic()
        while True:
            try:
                if httpx.get(self.ready_url, timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if self.popen.poll() is not None:
                raise DeploymentError(f"{self.name} exited with code {self.popen.returncode} before it was ready")
            if time.monotonic() - started > timeout_s:
                raise DeploymentError(f"{self.name} was not ready at {self.ready_url} within {timeout_s:.0f} s")
            time.sleep(0.3)

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when a host loses power or the OOM killer strikes."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(30)

    def stop(self, grace_s: float = 15.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def clean_env() -> dict[str, str]:
    """This environment without any KIOSK_* variable, offline, with this checkout's code importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                "GRADIO_ANALYTICS_ENABLED": "False"})  # fmt: skip
    return env


def kiosk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


class CityDeployment:
    """Start with `with CityDeployment(root, database_url) as city:`; every process stops on leaving, failure or not."""

    def __init__(
        self, root: Path, database_url: str, *, refresh_interval_s: float = 1.0, models: Path = MODELS,
        llm_threads: int = 1, extra_settings: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.root = root
        self.database_url = database_url
        self.refresh_interval_s = refresh_interval_s
        self.models = models
        self.llm_threads = llm_threads
        self.extra_settings = dict(extra_settings or {})
        self.chroma_port = free_port()
        self.llm_port = free_port()
        self.processes: dict[str, Process] = {}
        root.mkdir(parents=True, exist_ok=True)
        self.config_file = root / "kiosk.yaml"
        self.config_file.write_text("{}\n", encoding="utf-8")  # everything comes from the environment

    # ------------------------------------------------------------ configuration

    @property
    def llm_base_url(self) -> str:
        return f"http://127.0.0.1:{self.llm_port}/v1"

    def settings(self) -> dict[str, str]:
        """The KIOSK_* variables every panel and kiosk process shares (README: City-wide deployment)."""
        return {
            "KIOSK_PATHS__DATABASE_URL": self.database_url,
            "KIOSK_PATHS__MODEL_CACHE_DIR": str(self.models),
            "KIOSK_CHROMA__MODE": "http",
            "KIOSK_CHROMA__HOST": "127.0.0.1",
            "KIOSK_CHROMA__PORT": str(self.chroma_port),
            "KIOSK_LLM__BACKEND": "openai",
            "KIOSK_LLM__BASE_URL": self.llm_base_url,
            "KIOSK_LLM__MODEL_NAME": LLM_ALIAS,
            "KIOSK_ADMIN__MOUNT_IN_KIOSK": "false",
            "KIOSK_KB__REFRESH_INTERVAL_S": str(self.refresh_interval_s),
            "KIOSK_TTS__ENGINES": '["espeak"]',  # the cheap offline voice: answers still carry audio
            "KIOSK_ADMIN__FAILED_LOGIN_DELAY_S": "0",
            **self.extra_settings,
        }

    def env(self, name: str) -> dict[str, str]:
        """Environment of the panel or kiosk process `name`: the shared settings and its own data folder."""
        return {**clean_env(), "KIOSK_CONFIG": str(self.config_file), **self.settings(),
                "KIOSK_PATHS__DATA_DIR": str(self.root / name)}  # fmt: skip

    # ------------------------------------------------------------ processes

    def _add(self, name: str, command: list[str], ready_path: str, port: int, env: dict[str, str]) -> Process:
        process = Process(name, command, env, self.root / "logs" / f"{name}.log", f"http://127.0.0.1:{port}{ready_path}")
        self.processes[name] = process
        process.start()
        return process

    def start_chroma(self) -> Process:
        exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        command = [exe, "run", "--path", str(self.root / "chroma-data"), "--host", "127.0.0.1", "--port", str(self.chroma_port)]
        return self._add("chroma", command, "/api/v2/heartbeat", self.chroma_port, clean_env())

    def start_model_server(self) -> Process:
        gguf = self.models / "qwen2.5-0.5b" / "model.gguf"
        if not gguf.exists():
            raise DeploymentError(f"{gguf} is missing: run `make install` (it assembles the model weights)")
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
                   "--port", str(self.llm_port), "--n_ctx", "2048", "--n_threads", str(self.llm_threads),
                   "--model_alias", LLM_ALIAS]  # fmt: skip
        return self._add("model-server", command, "/v1/models", self.llm_port, clean_env())

    def start_panel(self, name: str = "panel") -> Process:
        port = free_port()
        return self._add(name, kiosk_command("admin", "serve", "--port", str(port)), "/health", port, self.env(name))

    def start_kiosk(self, name: str, port: int | None = None) -> Process:
        """`kiosk serve` without seeding (the panel owns the knowledge base) and with models loaded on first use."""
        port = port or free_port()
        command = kiosk_command("serve", "--port", str(port), "--no-seed", "--no-warm-up")
        return self._add(name, command, "/health", port, self.env(name))

    def restart(self, name: str) -> Process:
        """Start `name` again on its port with its data folder, after it ended (or was killed)."""
        old = self.processes[name]
        old.stop()
        port = int(old.base_url.rsplit(":", 1)[1])
        return self.start_kiosk(name, port)

    def wait_ready(self, names: Sequence[str], timeout_s: float = 240.0) -> dict[str, float]:
        """Seconds each named process took to become ready (they start in parallel)."""
        try:
            return {name: self.processes[name].wait_ready(timeout_s) for name in names}
        except DeploymentError as exc:
            raise DeploymentError(f"{exc}\n{self.diagnostics()}") from None

    def cli(self, name: str, *args: str, stdin: str | None = None, timeout_s: float = 300.0,
            settings: Mapping[str, str] | None = None) -> str:  # fmt: skip
        """`kiosk ARGS…` run once with the environment of process `name` (plus `settings`); its stdout."""
        env = {**self.env(name), **(settings or {})}
        done = subprocess.run(kiosk_command(*args), cwd=REPO, env=env, input=stdin, capture_output=True, text=True,
                              timeout=timeout_s)  # fmt: skip
        if done.returncode != 0:
            raise DeploymentError(f"kiosk {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def create_user(self, user: str, password: str, role: str = "staff") -> None:
        self.cli("panel", "admin", "create-user", user, "--role", role, "--password-stdin", stdin=password + "\n")

    def health(self, name: str) -> dict[str, Any]:
        response = httpx.get(self.processes[name].ready_url, timeout=10)
        return {"http_status": response.status_code, **response.json()}

    def diagnostics(self) -> str:
        """The last lines of every process's log, for a failure message."""
        parts = []
        for process in self.processes.values():
            state = "running" if process.running else f"exited {process.popen.returncode if process.popen else '-'}"
            parts.append(f"----- {process.name} ({state}) {process.log_path} -----\n{process.tail()}")
        return "\n".join(parts)

    def close(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def __enter__(self) -> CityDeployment:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def registry_version(database_url: str) -> int:
    """The knowledge-base version counter in the shared database (bumped by every committed KB change)."""
    from knowledge_base.registry import Registry

    registry = Registry(database_url)
    try:
        return registry.version
    finally:
        registry.close()


def document_id(database_url: str, source: str) -> str | None:
    from knowledge_base.registry import Registry

    registry = Registry(database_url)
    try:
        found = [d for d in registry.documents() if d.source == source]
        return found[0].doc_id if found else None
    finally:
        registry.close()


def recorded_turns(database_url: str, since: float = 0.0) -> list[dict[str, Any]]:
    """Turns the kiosks recorded in the shared store since `since` (session_id, question, citations, timings…)."""
    from panel.store.database import Database
    from panel.store.turns import TurnLog

    db = Database(database_url)
    try:
        return TurnLog(db).turns(start=since)
    finally:
        db.close()
