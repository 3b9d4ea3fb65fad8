"""The service's edge: what every request must pass before any route runs, and the headers every
response carries. Written as plain ASGI middleware so a refusal costs no route, no parse twice
for ordinary requests, and no database work at all.

The text rule itself (no NUL, no lone surrogate) and the number rule are the registry's own
(`registry.domain.values.find_fault`); this module only applies them to every string of a request: the
path, each query parameter, each header and the JSON body (keys and values).
"""
from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from api import problems
from registry.domain.errors import InvalidInput
from registry.domain.values import MAX_NUMBER_CHARS, find_fault, parse_number, text_fault

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGI = Callable[[Scope, Receive, Send], Awaitable[None]]

# Cheap tests on the raw body: only a body that may hold an unfit string or an overlong number
# is parsed here (the route parses it anyway). JSON can carry a NUL or a surrogate only as an
# escape (a raw NUL is malformed JSON, raw surrogates are not UTF-8).
_SUSPECT_TEXT = re.compile(rb"\\u(0000|[dD][89a-fA-F])")
_SUSPECT_NUMBER = re.compile(rb"[-+0-9.eE]{%d,}" % (MAX_NUMBER_CHARS + 1))
_BODY_METHODS = ("POST", "PUT", "PATCH")


class InputGuard:
    """Refuses, before any route runs: a body too large (413) or not JSON (415); any unfit text
    or overlong number in the path, the query, a header or the body (422 naming where)."""

    def __init__(self, app: ASGI, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = _request_fault(scope)
        if fault is not None:
            await _refuse_invalid(send, fault)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind != b"application/json" and not kind.endswith(b"+json"):
            await refuse(send, 415, "Send the body as application/json")
            return
        body = await self._read(headers, receive, send)
        if body is None:
            return
        fault = body_fault(body)
        if fault is not None:
            await _refuse_invalid(send, fault)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, headers: dict[bytes, bytes], receive: Receive, send: Send) -> bytes | None:
        """The whole body (it is capped), or None after answering 413."""
        declared = headers.get(b"content-length")
        too_large = f"The body is larger than {self.limit:,} bytes"
        if declared is not None and declared.isdigit() and len(declared) < 19 and int(declared) > self.limit:
            await refuse(send, 413, too_large)
            return None
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > self.limit:
                await refuse(send, 413, too_large)
                return None
            if not message.get("more_body", False):
                return bytes(body)


def _request_fault(scope: Scope) -> InvalidInput | None:
    """Unfit text in the path, a query parameter or a header."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
    query = scope.get("query_string", b"").decode("latin-1")
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return InvalidInput("path", "is not percent-encoded UTF-8")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return InvalidInput("query", "is not percent-encoded UTF-8")
    if (reason := text_fault(path)) is not None:
        return InvalidInput("path", reason)
    for name, value in pairs:
        if (reason := text_fault(name) or text_fault(value)) is not None:
            return InvalidInput(name if text_fault(name) is None else "query", reason)
    for header, content in scope["headers"]:
        if b"\x00" in content:
            return InvalidInput(header.decode("latin-1"), "must not contain a NUL character")
    return None


def body_fault(body: bytes) -> InvalidInput | None:
    """Unfit text or an overlong number anywhere in a JSON body; malformed JSON is left to the
    route's parser, which names where it broke."""
    if _SUSPECT_TEXT.search(body) is None and _SUSPECT_NUMBER.search(body) is None:
        return None
    try:
        parsed = json.loads(body, parse_int=parse_number, parse_float=parse_number)
    except RecursionError:
        return InvalidInput("body", "is nested too deeply")
    except ValueError:
        return None
    return find_fault(parsed, "body")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the route the body already read, then whatever follows."""
    delivered = False

    async def replay() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class SafeHeaders:
    """Every response: `X-Content-Type-Options: nosniff`; every API response (it may carry
    personal data): `Cache-Control: no-store`, so no browser or proxy keeps a copy."""

    def __init__(self, app: ASGI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = route_path(scope).startswith("/v1/")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                replaced = {b"x-content-type-options", b"cache-control"} if private else {b"x-content-type-options"}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in replaced]
                headers.append((b"x-content-type-options", b"nosniff"))
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def route_path(scope: Scope) -> str:
    """The path the routes see: without the root path a proxy serves the service under (uvicorn's
    --root-path puts it in front of the path)."""
    path, root = scope["path"], scope.get("root_path", "")
    return str(path[len(root):] if root and path.startswith(root) else path)


async def _refuse_invalid(send: Send, error: InvalidInput) -> None:
    response = problems.problem(422, error.code, "Invalid input", error.message,
                                {"field": error.field, "reason": error.reason})
    await _send(send, response)


async def refuse(send: Send, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
    """Answer a problem straight from the edge (its type and title from the table in api/problems.py)."""
    await _send(send, problems.refusal(status, detail, headers))


async def _send(send: Send, response: Any) -> None:
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
