"""JSON for responses through orjson: the pre-screen's answers are large (every criterion in
both its registered and plain words), and encoding them was a tenth of a request's time."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # indent, sort_keys, …: options orjson does not share; rare and not hot
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s) if not kwargs else super().loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), default=self.default)
        return self._app.response_class(body, mimetype=self.mimetype)
