"""JSON responses rendered by orjson (about ten times the standard library on GeoJSON)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import JSONResponse


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


class Json(JSONResponse):
    """application/json by orjson; problems set media_type to application/problem+json."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default)


class GeoJson(Json):
    """GeoJSON documents (RFC 7946 section 12): application/geo+json."""

    media_type = "application/geo+json"
