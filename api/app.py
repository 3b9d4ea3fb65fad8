"""The FastAPI application: `create_app(settings)` wires everything; nothing happens at import."""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from api import problems
from api.auth import TokenStore
from api.bootstrap import Services, build
from api.responses import Json
from api.routes import other, parcels, titles
from api.web import mount as mount_web_page
from registry.errors import RegistryError
from registry.settings import Settings
from registry.values import Actor

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]],
                Awaitable[None]]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The landreg HTTP service (OpenAPI at /docs)."""
    settings = settings or (services.settings if services else Settings())
    services = services or build(settings, inline_projections=settings.projections == "inline")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        workers = [threading.Thread(target=_checkpoints, args=(services, stop), name="audit-checkpoints", daemon=True)]
        if services.registry.after_save is None:  # read models follow the log instead of running inline
            workers.append(threading.Thread(target=services.projector.follow, args=(stop,), name="projections",
                                            daemon=True))
        for worker in workers:
            worker.start()
        yield
        stop.set()
        for worker in workers:
            worker.join(10)
        services.close()

    app = FastAPI(title="landreg", version="0.1.0", default_response_class=Json, lifespan=lifespan,
                  description="Event-sourced land registry: parcels (bidang) and titles (hak). "
                              "Errors are application/problem+json.")
    app.state.services = services
    app.state.tokens = TokenStore(services.registry.engine, services.queries.engine)
    problems.install(app)
    for module in (parcels, titles, other):
        app.include_router(module.router)
    mount_web_page(app)  # the land office page at `/`, after the API so it shadows nothing
    app.add_middleware(BodyGuard, limit=services.settings.max_body_bytes)
    return app


def _checkpoints(services: Services, stop: threading.Event) -> None:
    """Sign a checkpoint every LANDREG_AUDIT_CHECKPOINT_MINUTES while the service runs (0: never)."""
    minutes = services.settings.audit_checkpoint_minutes
    while minutes > 0 and not stop.wait(minutes * 60):
        try:
            services.registry.make_checkpoint(actor=Actor("landreg-service", "system"))
        except (RegistryError, SQLAlchemyError, OSError):
            logger.exception("periodic audit checkpoint failed; the next one will cover its range")


class BodyGuard:
    """Refuses a POST whose body is too large (413) or not JSON (415), before it is read whole."""

    def __init__(self, app: ASGI, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind != b"application/json" and not kind.endswith(b"+json"):
            await _refuse(send, 415, "unsupported_media_type", "Send the body as application/json")
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, 413, "too_large", f"The body is larger than {self.limit:,} bytes")
            return
        body = bytearray()  # read whole (it is capped) so an oversized stream gets a clean 413
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > self.limit:
                await _refuse(send, 413, "too_large", f"The body is larger than {self.limit:,} bytes")
                return
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Any, status: int, code: str, detail: str) -> None:
    response = problems.problem(status, code, detail, detail)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
