"""A real PostgreSQL for tests: Debian's server binaries, a cluster in a temporary folder,
listening on 127.0.0.1 on a free port, run as an unprivileged user (`postgres` when the tests
run as root, since the server refuses root), stopped and removed when done."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

START_SECONDS = 60


def server_binaries() -> Path | None:
    """The newest PostgreSQL bin folder with initdb and pg_ctl, or None."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                         key=lambda p: int(Path(p).parent.name)):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


class PostgresServer:
    """`with PostgresServer(port) as pg:` pg.url is a psycopg URL to database `postgres`."""

    def __init__(self, port: int):
        self.port = port
        self.bin = server_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="pdbot-pg-"))
        self.data = self.root / "cluster"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://pdbot@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # the server will not run as root
            command = ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups",
                       "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True,
                       timeout=START_SECONDS)

    def __enter__(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "pdbot", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", str(START_SECONDS), "start")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=pdbot dbname=postgres",
                             autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://pdbot@127.0.0.1:{self.port}/{name}"
