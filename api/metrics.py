"""Prometheus metrics at /metrics: HTTP requests and their duration, registry commands by type and
outcome and their latency, and each read model's position and lag behind the log.

Off unless LANDREG_METRICS_TOKEN is set; a scraper sends it as a bearer token. Each worker process
counts alone (as the public rate limit does): with --workers N, each scrape sees one worker.
"""
from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response

from api import problems
from projections.projector import Projector

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class Exchange:
    """One request as the service answered it."""

    method: str
    route: str  # the route's template (/v1/parcels/{nib}), or "other" for pages, assets and unknown paths
    status: int
    seconds: float
    command: str | None = None  # the registry command a command route ran
    problem: str | None = None  # the problem type's code of a refusal


class Metrics:
    """The service's metrics, in a registry of their own (each app has one)."""

    def __init__(self, projector: Projector) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("landreg_http_requests", "HTTP requests answered, by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.request_seconds = Histogram("landreg_http_request_duration_seconds", "Time to answer a request",
                                         ["method", "route"], buckets=SECONDS, registry=self.registry)
        self.commands = Counter("landreg_commands", "Registry commands by type and outcome (accepted, or the "
                                "problem type that refused it)", ["command", "outcome"], registry=self.registry)
        self.command_seconds = Histogram("landreg_command_duration_seconds", "Time to answer a command, "
                                         "commit included", ["command"], buckets=SECONDS, registry=self.registry)
        self.registry.register(ReadModels(projector))

    def observe(self, exchange: Exchange) -> None:
        self.requests.labels(exchange.method, exchange.route, str(exchange.status)).inc()
        self.request_seconds.labels(exchange.method, exchange.route).observe(exchange.seconds)
        if exchange.command is not None:
            outcome = "accepted" if exchange.status < 400 else exchange.problem or str(exchange.status)
            self.commands.labels(exchange.command, outcome).inc()
            self.command_seconds.labels(exchange.command).observe(exchange.seconds)


class ReadModels(Collector):
    """Each read model's position and lag, read from the store at scrape time."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def collect(self) -> Iterator[Metric]:
        try:
            statuses = self.projector.status()
        except SQLAlchemyError:  # the store does not answer: the scrape says so by leaving these out
            return
        lag = GaugeMetricFamily("landreg_read_model_lag_events", "Events a read model is behind the log",
                                labels=["read_model"])
        position = GaugeMetricFamily("landreg_read_model_position", "The last log position a read model applied",
                                     labels=["read_model"])
        for status in statuses:
            lag.add_metric([status.name], status.lag)
            position.add_metric([status.name], status.position)
        yield lag
        yield position


def scrape(request: Request) -> Response:
    """GET /metrics: the Prometheus text format, for the bearer of LANDREG_METRICS_TOKEN."""
    secret = request.app.state.services.settings.metrics_token
    if secret is None:
        return problems.refusal(404, "Metrics are off: set LANDREG_METRICS_TOKEN to scrape them")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    given, wanted = token.strip().encode("latin-1"), secret.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, wanted):
        return problems.refusal(401, "Send LANDREG_METRICS_TOKEN as the bearer token",
                                {"WWW-Authenticate": "Bearer"})
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
