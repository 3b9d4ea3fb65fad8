"""Rate limits on the public endpoints (no token): a token bucket per client address.

Written here rather than taken from a library: the rule is a few lines, needs no store, and
must answer the registry's own problem+json. The buckets live in a file mapped into memory
(`LANDREG_RATE_LIMIT_FILE`; `landreg serve --workers N` makes one for its workers), so every
worker process of one service draws on the same buckets: a client gets the configured rate in
all, whichever worker its connections reach. Without the setting each process keeps its own,
in an anonymous file. A client address picks one of a fixed number of slots by its hash; two
addresses sharing a slot share a bucket (stricter, never laxer), and a flood of addresses
cannot grow the table.
"""
from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.edge import ASGI, Receive, Scope, Send, refuse, route_path

PUBLIC_PREFIX = "/v1/public/"
SLOTS = 1 << 16  # 65,536 buckets: 1 MiB
_SLOT = struct.Struct("<dd?")  # tokens, when (time.monotonic: one clock for every process), seen


class Buckets:
    """`per_minute` requests per client, in bursts of at most `burst`, kept in `path` (shared by
    every process that maps it) or, without one, in this process only."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 path: Path | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        size = SLOTS * _SLOT.size
        self._file = open(path, "a+b") if path is not None else tempfile.TemporaryFile()  # noqa: SIM115 - kept open
        if os.fstat(self._file.fileno()).st_size < size:
            self._file.truncate(size)
        self._map = mmap.mmap(self._file.fileno(), size)
        self._lock = threading.Lock()  # the threads of this process; flock: the other processes

    def wait(self, client: str) -> float:
        """0 if the client may go now (and takes a token), else the seconds until it may."""
        offset = int.from_bytes(hashlib.blake2b(client.encode("utf-8", "surrogatepass"), digest_size=4).digest(),
                                "little") % SLOTS * _SLOT.size
        with self._lock:
            fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                now = self.clock()
                tokens, then, seen = _SLOT.unpack_from(self._map, offset)
                tokens = min(self.burst, tokens + max(0.0, now - then) * self.rate) if seen else self.burst
                wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate if self.rate > 0 else math.inf
                _SLOT.pack_into(self._map, offset, tokens - 1 if wait == 0 else tokens, now, True)
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        return wait


class PublicRateLimit:
    """429 problem+json with Retry-After when a client address exceeds its public rate."""

    def __init__(self, app: ASGI, per_minute: float, burst: int, path: Path | None = None) -> None:
        self.app = app
        self.buckets = Buckets(per_minute, burst, path=path)

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
