"""Rate limits on the public endpoints (no token): a token bucket per client address, in memory.

Written here rather than taken from a library: the rule is a dozen lines, needs no store, and
must answer the registry's own problem+json. Each worker process keeps its own buckets, so with
N workers a client may get up to N times the rate; a proxy in front should limit too.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from api.edge import ASGI, Receive, Scope, Send, refuse, route_path

PUBLIC_PREFIX = "/v1/public/"
_MAX_CLIENTS = 100_000  # buckets kept; the oldest are forgotten beyond this (a flood of addresses)


class Buckets:
    """`per_minute` requests per client, in bursts of at most `burst`."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.state: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self.lock = threading.Lock()

    def wait(self, client: str) -> float:
        """0 if the client may go now (and takes a token), else the seconds until it may."""
        now = self.clock()
        with self.lock:
            tokens, then = self.state.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate if self.rate > 0 else math.inf
            self.state[client] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self.state) > _MAX_CLIENTS:
                del self.state[next(iter(self.state))]
        return wait


class PublicRateLimit:
    """429 problem+json with Retry-After when a client address exceeds its public rate."""

    def __init__(self, app: ASGI, per_minute: float, burst: int) -> None:
        self.app = app
        self.buckets = Buckets(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope).startswith(PUBLIC_PREFIX):
            client: Any = scope.get("client") or ("unknown", 0)
            wait = self.buckets.wait(str(client[0]))
            if wait > 0:
                seconds = str(max(1, math.ceil(min(wait, 86_400))))
                await refuse(send, 429, f"Too many requests from this address; try again in {seconds} s",
                             headers={"Retry-After": seconds})
                return
        await self.app(scope, receive, send)
