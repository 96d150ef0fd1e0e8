"""Dispatcher workers for the chaos tests: the real `flask --app wsgi sms dispatch` command line,
each in a process of its own, started cold or forked from a warm fork server.

A cold start (`python -m flask …`) costs about two seconds of CPU on this machine, nearly all
of it importing Flask, SQLAlchemy, Alembic, twilio and the application; two hundred of them
would take the whole CI budget. So most workers come from a fork server that has imported
those modules once (`multiprocessing`'s "forkserver", as `gunicorn --preload` does for web
workers; the application resets its engines after a fork, see `companion.db`). Each child then
does what `python -m flask --app wsgi sms dispatch` does: `flask.cli.main()` with that command
line, its own environment, its own log, `wsgi` imported (so `create_app()` runs) in the child.
Nothing of the worker is replaced or stubbed; only the imports are shared.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
from multiprocessing.context import ForkServerContext
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMAND = ["--app", "wsgi", "sms", "dispatch"]
# Imported once by the fork server; `wsgi` is not (the child builds its app from its env).
PRELOAD = ["flask.cli", "sqlalchemy", "twilio.rest", "companion.app", "companion.messaging.cli"]


def run_dispatch_command(environment: dict[str, str], log: str, arguments: list[str]) -> None:
    """In a forked child: `flask --app wsgi sms dispatch ARGUMENTS`, output appended to `log`."""
    os.chdir(REPO)
    os.environ.clear()
    os.environ.update(environment)
    output = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.argv = ["flask", *COMMAND, *arguments]
    from flask.cli import main

    main()


class Worker:
    """One dispatcher process, however it was started: signal it, wait for it."""

    def __init__(self, process: subprocess.Popen | multiprocessing.process.BaseProcess) -> None:
        self._process = process
        self._killed = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        if isinstance(self._process, subprocess.Popen):
            return self._process.poll() is None
        return self._process.is_alive()

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is handed back, the database sees a dead client."""
        if not self._killed:  # once only: the number may belong to another process later
            self._killed = True
            with contextlib.suppress(ProcessLookupError):  # it had died already
                os.kill(self.pid, signal.SIGKILL)

    def terminate(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> int | None:
        """The exit code (negative: killed by that signal), None if still running."""
        if isinstance(self._process, subprocess.Popen):
            try:
                return self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
        self._process.join(timeout)
        return self._process.exitcode


def start_cold_worker(environment: dict[str, str], log: Path, *arguments: str) -> Worker:
    """`python -m flask --app wsgi sms dispatch` as an ordinary subprocess."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", *COMMAND, *arguments],
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Worker(process)


class ForkedWorkers:
    """Starts workers forked from a fork server that has the heavy modules imported."""

    def __init__(self) -> None:
        self._context: ForkServerContext = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)

    def start(self, environment: dict[str, str], log: Path, *arguments: str) -> Worker:
        process = self._context.Process(
            target=run_dispatch_command,
            args=(environment, str(log), list(arguments)),
            name="sms-dispatch",
            daemon=False,
        )
        process.start()
        return Worker(process)
