"""The FastAPI application: `create_app(settings)` wires everything; nothing happens at import."""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from api import docs, metrics, openapi, problems
from api.auth import TokenStore
from api.bootstrap import Services, build
from api.edge import InputGuard, SafeHeaders
from api.observe import Observe
from api.ratelimit import PublicRateLimit
from api.replica import CommitPosition
from api.responses import Json
from api.routes import eligibility, ogc, other, parcels, procedures, reports, titles
from api.web import mount as mount_web_page
from registry.domain.errors import RegistryError
from registry.domain.values import Actor
from registry.persistence.settings import Settings

logger = logging.getLogger(__name__)
DESCRIPTION = """Event-sourced land registry: parcels (bidang) and the rights registered on them (hak).

**Tokens**: `landreg tokens create --role surveyor|officer|auditor|admin --name NAME` prints one;
press *Authorize* and paste it. **Versions**: every answer about a parcel carries its version
(`ETag`, `version`); send it back as `If-Match` to change the parcel, and a repeat of a command
with the same `Idempotency-Key` gets the first answer. **Errors** are `application/problem+json`
with a `type` per rule.

**Two time axes**: every read of a parcel, its history, a certificate or a village's ownership
takes `effective_on` (a legal date: the deed's, decision's or survey's, as the registry knows it
now) and `as_of` (a recorded time: as the registry knew it then), alone or together. The legal
day is the registry's time zone, here **{zone}** (`LANDREG_TIME_ZONE`: WIB UTC+7, WITA UTC+8,
WIT UTC+9): no legal date may lie after today there. A bare `as_of` date means the end of that
day, UTC."""

def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The landreg HTTP service (OpenAPI at /docs)."""
    settings = settings or (services.settings if services else Settings())
    services = services or build(settings, inline_projections=settings.projections == "inline")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        workers = [threading.Thread(target=_checkpoints, args=(services, stop), name="audit-checkpoints", daemon=True)]
        if services.registry.after_save is None:  # read models follow the log instead of running inline
            app.state.follower = threading.Thread(target=services.projector.follow, args=(stop,),
                                                  name="projections", daemon=True)
            workers.append(app.state.follower)
        for worker in workers:
            worker.start()
        yield
        stop.set()
        for worker in workers:
            worker.join(10)
        services.close()

    app = FastAPI(title="landreg", version="0.1.0", default_response_class=Json, lifespan=lifespan,
                  description=DESCRIPTION.format(zone=settings.time_zone), docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.follower = None  # the thread following the log, when read models are asynchronous
    # Token checks and revocations on the primary, never a replica (a revoked token must stop at once).
    app.state.tokens = TokenStore(services.registry.engine, (services.primary_queries or services.queries).engine)
    app.state.read_log = services.read_log
    problems.install(app)
    for module in (parcels, titles, eligibility, procedures, other, ogc, reports):
        app.include_router(module.router)
    openapi.install(app)
    docs.mount(app)
    app.state.metrics = metrics.Metrics(services.projector)
    app.add_route("/metrics", metrics.scrape, methods=["GET"], include_in_schema=False)
    mount_web_page(app)  # the land office page at `/`, after the API so it shadows nothing
    settings = services.settings
    app.add_middleware(InputGuard, limit=settings.max_body_bytes)
    app.add_middleware(PublicRateLimit, per_minute=settings.public_rate_per_minute, burst=settings.public_rate_burst,
                       path=settings.rate_limit_file)
    app.add_middleware(SafeHeaders)  # on every response, refusals of the edge included
    if services.replica is not None:
        app.add_middleware(CommitPosition, replica=services.replica)
    app.add_middleware(Observe, metrics=app.state.metrics)  # outermost: request id, metrics, access log
    return app


def _checkpoints(services: Services, stop: threading.Event) -> None:
    """Sign a checkpoint every LANDREG_AUDIT_CHECKPOINT_MINUTES while the service runs (0: never),
    then verify incrementally what came since the last sound verify; a break is logged as an error."""
    minutes = services.settings.audit_checkpoint_minutes
    while minutes > 0 and not stop.wait(minutes * 60):
        try:
            made = services.registry.make_checkpoint(actor=Actor("landreg-service", "system"),
                                                     unless_within=timedelta(minutes=minutes / 2))
            if made.get("skipped"):  # another worker of this service signed it
                continue
            report = services.registry.verify_log(full=False)
            if not report.ok:
                logger.error("periodic audit verify found a break: %s", report.as_dict()["first_break"])
        except (RegistryError, SQLAlchemyError, OSError):
            logger.exception("periodic audit checkpoint failed; the next one will cover its range")
