"""The smallest Flask JSON route, the yardstick the evaluate endpoint is measured against.

Served by gunicorn beside the real application (`gunicorn --chdir benchmarks bare_flask_app:app`),
so that the ratio of their throughputs shows what the application adds to Flask itself.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

app = Flask(__name__)


@app.post("/echo")
def echo() -> Any:
    """Parse the JSON body and send it back as JSON."""
    return request.get_json()
