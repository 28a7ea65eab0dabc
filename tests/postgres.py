"""A throwaway PostgreSQL cluster for the tests: its own data folder, 127.0.0.1 on a free port, trust auth.

PostgreSQL refuses to run as root, so as root (CI, containers) its programs run as the `postgres` OS user through
`runuser`, in a folder owned by that user. The Debian package `postgresql` (scripts/install-system-deps.sh)
provides the programs under /usr/lib/postgresql/<version>/bin.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_SEARCH = "/usr/lib/postgresql/*/bin"
_START_TIMEOUT_S = 60


def find_postgres_bin() -> Path | None:
    """The newest installed server's bin folder (with initdb and pg_ctl), or None."""
    found = [p for p in Path("/").glob(_SEARCH.lstrip("/")) if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    if found:
        return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.port = _free_port()
        self.socket_dir.mkdir()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root needs the `postgres` OS user (the postgresql package creates it)")
            self._as_user = ["runuser", "-u", "postgres", "--"]
            for folder in (self.root, self.socket_dir):
                os.chown(folder, user.pw_uid, user.pw_gid)
        self._names = itertools.count(1)

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self.bin_dir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=_START_TIMEOUT_S, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def start(self) -> None:
        # C locale: text sorts by code point, as it does in SQLite.
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        with open(self.data / "pg_hba.conf", "w", encoding="utf-8") as hba:  # local socket and 127.0.0.1 only
            hba.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=off -c max_connections=300"
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-o", options, "-w", "-t", str(_START_TIMEOUT_S), "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, password: str | None = None) -> str:
        """A URL as a deployment would write it (trust auth ignores the password)."""
        auth = f"postgres:{password}" if password else "postgres"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"kiosk_test_{next(self._names)}"
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                return self.url(name)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
