"""A throwaway PostgreSQL cluster of a test run's own, for faults that stop or kill the server.

The machine's shared server (127.0.0.1:5432) serves other people's test runs; a restart there
would fail them. This cluster lives in a temporary directory, listens on a free 127.0.0.1 port
with trust authentication and tiny buffers, and is stopped and deleted whatever happens.
`initdb` refuses to run as root, so as root every server command runs as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class PrivateCluster:
    """A running cluster: its SQLAlchemy URL, its libpq URL, and how to stop and start it."""

    directory: Path
    port: int
    bindir: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def libpq_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def pg_ctl(self, *arguments: str) -> None:
        """Run `pg_ctl` on the cluster and wait for it (`-w`); fails the test if it fails."""
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w"]
        command += ["-t", str(SERVER_TIMEOUT_SECONDS), *arguments]
        if arguments[0] in ("start", "restart"):
            command += ["-l", str(self.directory / "server.log"), "-o", self._server_options()]
        finished = subprocess.run(
            _as_server_user(command), capture_output=True, text=True, timeout=60
        )
        if finished.returncode != 0:
            pytest.fail(f"pg_ctl {' '.join(arguments)} failed: {finished.stderr}{self.log()}")

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("restart", "-m", mode)

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def _server_options(self) -> str:
        # fsync off: the test machine does not lose power; the faults here are the server's.
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c shared_buffers=16MB -c max_connections=40 -c fsync=off"
        )


def _server_binaries() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3])
    )
    if not found:
        pytest.fail("PostgreSQL's server binaries are not installed (apt-get install postgresql)")
    return found[-1].parent


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A fresh cluster, started; stopped (immediately: nothing in it is kept) and deleted after."""
    directory = Path(tempfile.mkdtemp(prefix="companion-pg-"))
    cluster = PrivateCluster(directory, free_port(), _server_binaries())
    started = False
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, user="postgres", group="postgres")
        initdb = [str(cluster.bindir / "initdb"), "-D", str(cluster.data), "-U", "postgres"]
        initdb += ["-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True, timeout=120)
        cluster.start()
        started = True
        yield cluster
    finally:
        if started and (cluster.data / "postmaster.pid").exists():
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
