"""Two real processes share one knowledge base (SQLite registry + a Chroma server started here): while a running
kiosk process keeps answering, another process ingests, adds an FAQ entry and retires a document, and the kiosk's
answers follow within seconds, without a restart. A retired document is never cited once the change is visible.

The kiosk is `kiosk ask --jsonl`: one long-running process that answers each stdin line through the kiosk's turn
pipeline with the configured engines, as the page does.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO
from tests.servers import free_port, running_server

pytestmark = pytest.mark.integration

RESIDENCE = "居住证暂行条例(2015-11-26).md"
PASSPORT = "护照法(2006-04-29).md"
PASSPORT_QUESTION = "普通护照的有效期是多久"
HALL_QUESTION = "大厅几点开门"
HALL_HOURS = "工作日上午9点到下午5点，周六上午也开放。"
REFRESH_S = 1.0
FOLLOW_WITHIN_S = 30.0  # refresh interval + rebuilding the indexes on a busy two-core machine


@pytest.fixture()
def shared_kb(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A config file (Chroma server, knowledge base and database under tmp) in an environment for both processes."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    command = [exe, "run", "--path", str(tmp_path / "chroma-data"), "--host", "127.0.0.1", "--port", str(port)]
    config = {
        "paths": {"data_dir": str(tmp_path / "var"), "kb_dir": str(tmp_path / "kb"), "model_cache_dir": str(REPO / "var" / "models")},
        "chroma": {"mode": "http", "port": port},
        "kb": {"refresh_interval_s": REFRESH_S},
    }
    config_path = tmp_path / "kiosk.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({"KIOSK_CONFIG": str(config_path), "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"})
    with running_server(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", "chroma server"):
        yield env


def process_a(env: dict[str, str], *args: str) -> str:
    """The staff side in its own process: `kiosk …` (or `python -c …` when args start with -c)."""
    command = [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "kiosk.cli", *args]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def kb_edit(env: dict[str, str], statement: str) -> None:
    """One change through the knowledge base's own API, as the panel makes it, in a process of its own."""
    process_a(env, "-c", f"from core.config import load_config\nfrom core.models import DocumentStatus\n"
                         f"from knowledge_base import open_knowledge_base\nkb = open_knowledge_base(load_config())\n{statement}")  # fmt: skip


class Kiosk:
    """Process B: keeps running; each question is one stdin line, each answer one stdout line."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--verbose", "ask", "--jsonl", "--no-record"], env=env, cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1,
        )  # fmt: skip
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.asked = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def ask(self, question: str, timeout_s: float = 120.0) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.poll() is None, "the kiosk process ended"
        self.asked += 1
        self.proc.stdin.write(json.dumps({"id": self.asked, "question": question}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self._lines.get(timeout=timeout_s))
        assert answer["id"] == self.asked
        return answer

    def until(self, question: str, condition: Any, what: str) -> tuple[dict[str, Any], float]:
        """Ask again until `condition(answer)`; the answer and how long the change took to show."""
        started = time.monotonic()
        while True:
            answer = self.ask(question)
            if condition(answer):
                return answer, time.monotonic() - started
            if time.monotonic() - started > FOLLOW_WITHIN_S:
                pytest.fail(
                    f"the running kiosk did not follow ({what}) within {FOLLOW_WITHIN_S:.0f} s: {answer}\n"
                    f"the knowledge base as another process reads it:\n{process_a(self.env, 'kb', 'list')}\n"
                    f"the kiosk's log, last lines:\n{self.log_tail()}"
                )
            time.sleep(0.3)

    def log_tail(self, lines: int = 40) -> str:
        """The kiosk's own log lines, the last `lines`: its libraries' debug lines and all but the last of its
        per-answer lines left out."""
        ours = [
            line for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if any(f" {package}." in line for package in ("core", "kiosk", "knowledge_base", "answering"))
        ]
        answered = [i for i, line in enumerate(ours) if "answered mode=" in line]
        kept = [line for i, line in enumerate(ours) if i not in answered[:-1]]
        return "\n".join(kept[-lines:])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def sources(answer: dict[str, Any]) -> set[str]:
    return {c["source"] for c in answer["citations"]}


def test_a_running_kiosk_answers_from_another_process_changes(shared_kb: dict[str, str], shared_dir: Path, tmp_path: Path) -> None:
    env = shared_kb
    statutes = shared_dir / "corpus" / "statutes"
    process_a(env, "kb", "ingest", str(statutes / RESIDENCE))
    kiosk = Kiosk(env, tmp_path / "kiosk.log")
    try:
        before = kiosk.ask(PASSPORT_QUESTION)
        assert PASSPORT not in sources(before), before
        pid = kiosk.proc.pid

        process_a(env, "kb", "ingest", str(statutes / PASSPORT))  # process A adds a statute
        answer, took = kiosk.until(PASSPORT_QUESTION, lambda a: PASSPORT in sources(a), "a new document")
        assert not answer["refused"] and answer["citations"][0]["article"] == "第七条", answer
        assert took < FOLLOW_WITHIN_S

        assert kiosk.ask(HALL_QUESTION)["mode"] == "refusal"  # the hall's own arrangements: no FAQ entry yet
        kb_edit(env, f"kb.add_faq({HALL_QUESTION!r}, {HALL_HOURS!r})")
        answer, _ = kiosk.until(HALL_QUESTION, lambda a: a["mode"] == "faq", "a new FAQ entry")
        assert answer["answer"] == HALL_HOURS

        kb_edit(env, f"kb.set_status({PASSPORT!r}, DocumentStatus.RETIRED)")  # staff retire the statute
        kiosk.until(PASSPORT_QUESTION, lambda a: PASSPORT not in sources(a), "a retired document")
        for _ in range(5):  # once the retirement is visible, the statute is never cited again
            answer = kiosk.ask(PASSPORT_QUESTION)
            assert PASSPORT not in sources(answer) and not any("护照法" in c["title"] for c in answer["citations"])
            assert PASSPORT not in json.dumps(answer, ensure_ascii=False)

        process_a(env, "kb", "remove", RESIDENCE)  # and a removal
        kiosk.until("办居住证要带什么材料", lambda a: RESIDENCE not in sources(a), "a removed document")
        assert kiosk.proc.poll() is None and kiosk.proc.pid == pid  # the same process throughout: no restart
    finally:
        kiosk.close()
