"""The outermost middleware: every request gets an id (its X-Request-ID if it sent a fit one, else
a new one, echoed in the response), is timed, and what happened goes to the metrics and to one
access-log line (request id, actor, route, status, duration; holder searches masked)."""
from __future__ import annotations

import re
import time
import uuid
from typing import Any

import orjson
from fastapi.routing import APIRoute

from api import logs
from api.edge import ASGI, Receive, Scope, Send
from api.metrics import Exchange, Metrics
from api.problems import PROBLEM

_FIT_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")  # a client's request id is kept only if it is plain
_PROBLEM_BYTES = 4_096  # enough of a refusal's body to read its type


class Observe:
    """Request ids, metrics and the access log for every HTTP request."""

    def __init__(self, app: ASGI, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})  # the route's dependencies record the actor here
        state["request_id"] = request_id  # the read log names the request
        started = time.perf_counter()
        answer: dict[str, Any] = {"status": 500, "problem": b""}

        async def observed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["refusal"] = (b"content-type", PROBLEM.encode()) in message.get("headers", [])
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            elif message["type"] == "http.response.body" and answer.get("refusal"):
                answer["problem"] = (answer["problem"] + message.get("body", b""))[:_PROBLEM_BYTES]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            self._record(scope, request_id, state, answer, time.perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, state: dict[str, Any], answer: dict[str, Any],
                seconds: float) -> None:
        route = scope.get("route")
        api_route = route if isinstance(route, APIRoute) else None
        exchange = Exchange(scope["method"], api_route.path if api_route else "other", answer["status"], seconds,
                            command=api_route.name if api_route and is_command(api_route) else None,
                            problem=_problem_code(answer["problem"]))
        self.metrics.observe(exchange)
        client = scope.get("client")
        target = logs.target(scope["path"], scope.get("query_string", b""))
        actor = state.get("actor")
        logs.ACCESS.info(
            "%s %s %d %.1f ms actor=%s id=%s", exchange.method, target, exchange.status, seconds * 1000, actor or "-",
            request_id,
            extra={"request_id": request_id, "method": exchange.method, "route": exchange.route, "target": target,
                   "status": exchange.status, "duration_ms": round(seconds * 1000, 2), "actor": actor,
                   "command": exchange.command, "problem": exchange.problem, "client": client[0] if client else None})


def is_command(route: APIRoute) -> bool:
    """A registry command: a route that takes an Idempotency-Key."""
    return any(param.alias == "Idempotency-Key" for param in route.dependant.header_params)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            return given if _FIT_ID.fullmatch(given) else uuid.uuid4().hex
    return uuid.uuid4().hex


def _problem_code(body: bytes) -> str | None:
    if not body:
        return None
    try:
        kind = orjson.loads(body).get("type", "")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return str(kind).removeprefix("/problems/") or None
