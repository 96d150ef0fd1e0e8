"""A WSGI app served by gunicorn on 127.0.0.1, and a bounded wrk load against it.

Every server started here is stopped when its `with` block ends, however it ends; every load
has a fixed duration and a hard time limit.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_post.lua"
STARTUP_SECONDS = 30.0
STOP_SECONDS = 10.0


class LoadError(RuntimeError):
    """A server that would not start or answer, or a load generator that failed."""


@dataclass(frozen=True, slots=True)
class Load:
    """What wrk saw: requests per second, latency percentiles (ms), and failed requests."""

    requests: int
    seconds: float
    requests_per_second: float
    latency_ms: Mapping[str, float]
    errors: Mapping[str, int]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    app: str,
    chdir: Path,
    env: Mapping[str, str],
    log: Path,
    workers: int = 2,
    options: Sequence[str] = (),
) -> Iterator[str]:
    """`app` served by `workers` sync workers (and gunicorn `options`, e.g. a `--config`);
    yields its base URL, stops the server on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--chdir",
        str(chdir),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
        *options,
    ]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            command, env=dict(env), stdout=log_file, stderr=log_file, start_new_session=True
        )
        try:
            _wait_until_answering(server, port, log)
            yield f"http://{HOST}:{port}"
        finally:
            _stop(server)


def post_json(url: str, path: str, body: bytes) -> tuple[int, Any]:
    """One POST, to check that a route answers as expected before it is loaded."""
    connection = http.client.HTTPConnection(HOST, int(url.rsplit(":", 1)[1]), timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def run_wrk(
    url: str, bodies: Path, seconds: float, threads: int = 2, connections: int = 16
) -> Load:
    """POST the bodies in `bodies` (one JSON document a line) to `url` for `seconds`."""
    duration = max(1, round(seconds))
    command = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "5s",
        "--script",
        str(WRK_SCRIPT),
        url,
        "--",
        str(bodies),
    ]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=duration + 30
        )
    except subprocess.TimeoutExpired as error:
        raise LoadError(f"wrk did not finish within {duration + 30} s") from error
    summary = next(
        (
            line.removeprefix("WRK_SUMMARY ")
            for line in finished.stdout.splitlines()
            if line.startswith("WRK_SUMMARY ")
        ),
        None,
    )
    if finished.returncode != 0 or summary is None:
        raise LoadError(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    data = json.loads(summary)
    elapsed = data["duration_us"] / 1e6
    return Load(
        requests=data["requests"],
        seconds=elapsed,
        requests_per_second=data["requests"] / elapsed,
        latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
        errors=data["errors"],
    )


def _wait_until_answering(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise LoadError(f"gunicorn exited with {server.returncode}:\n{_tail(log)}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()  # any status: the server is up
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise LoadError(f"gunicorn did not answer within {STARTUP_SECONDS:g} s:\n{_tail(log)}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """TERM the server's process group (master and workers), KILL it if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        with suppress(ProcessLookupError):  # workers left behind by a master that died first
            os.killpg(server.pid, signal.SIGKILL)
        return


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
