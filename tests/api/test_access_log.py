"""Link tokens stay out of gunicorn's access log: it names the route, not the path."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from companion.app import create_app
from companion.privacy.access_log import LOG_PATH

ROOT = Path(__file__).resolve().parents[2]


def test_each_request_leaves_its_route_for_the_access_log(app: Flask) -> None:
    token = secrets.token_urlsafe(32)
    for path, logged in (
        (f"/prescreen/{token}", "/prescreen/<token>"),
        (f"/api/v1/prescreen/sessions/{token}?language=zh", "/api/v1/prescreen/sessions/<token>"),
        (f"/no/such/{token}", "/no/such/<token>"),
        ("/?lang=zh", "/"),
    ):
        context = app.test_request_context(path)
        with context:  # leaving it runs the teardown, as at the end of every request
            pass
        assert context.request.environ[LOG_PATH] == logged


def test_gunicorn_s_access_log_holds_routes_and_never_the_token(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    with create_app({"SQLALCHEMY_DATABASE_URI": database}).app_context():
        upgrade(directory=str(ROOT / "migrations"))
    access_log = tmp_path / "access.log"
    token = secrets.token_urlsafe(32)
    listener = socket.create_server(("127.0.0.1", 0))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database},
        pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:  # the listening socket queues the requests until the worker is up
        for path in (f"/prescreen/{token}?lang=zh", f"/api/v1/prescreen/sessions/{token}"):
            connection = http.client.HTTPConnection(
                "127.0.0.1", listener.getsockname()[1], timeout=60
            )
            connection.request("GET", path, headers={"Referer": f"https://x.example/{token}"})
            assert connection.getresponse().status == 404
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
        listener.close()
    logged = access_log.read_text()
    assert token not in logged
    assert '"GET /prescreen/<token> HTTP/1.1" 404' in logged
    assert '"GET /api/v1/prescreen/sessions/<token> HTTP/1.1" 404' in logged


def test_the_access_log_format_uses_the_route_not_the_path_or_the_referrer(app: Flask) -> None:
    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)
    log_format = settings["access_log_format"]
    assert f"%({{{LOG_PATH}}}e)s" in log_format
    for leaky in ("%(r)s", "%(U)s", "%(q)s", "%(f)s", "{referer}i"):
        assert leaky not in log_format
