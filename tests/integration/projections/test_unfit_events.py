"""The read side survives any event the log may already hold: text PostgreSQL cannot store is
shown as U+FFFD, a failing read model is named by /health, and the follower never dies of it."""
from __future__ import annotations

import time
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from registry.domain.provenance import Provenance
from tests.support import DEED, OFFICER, survey, titled


def _save_unchecked_transfer(services: Services, nib: str, name: str) -> None:
    """Write a transfer to a holder named `name` straight to the log, as an older release or a
    hand-made event could have: no input parsing, no read-model update."""
    registry = services.registry
    title = registry.title_on(nib)
    assert title is not None
    holder = {"id": "odd-1", "name": name, "kind": "citizen", "share": "1/1"}
    title.transfer("sale", [holder], [], date(2025, 3, 1), Provenance(OFFICER, DEED, "2025-03-01", "unchecked"))
    registry.save(title)


def test_a_nul_in_a_logged_holder_name_is_shown_replaced_and_the_read_models_go_on(services: Services) -> None:
    nib = titled(services.registry)
    _save_unchecked_transfer(services, nib, "Bad\x00Name")
    services.projector.catch_up()
    row = services.queries.parcel(nib)
    assert row is not None and row["title"]["holders"][0]["name"] == "Bad\ufffdName"
    assert [r["nib"] for r in services.queries.by_holder("odd-1").items] == [nib]
    assert all(status.lag == 0 for status in services.projector.status())
    services.projector.rebuild("parcels")  # a rebuild takes the same event
    assert services.queries.parcel(nib)["title"]["holders"][0]["name"] == "Bad\ufffdName"  # type: ignore[index]


class _Failing:
    """A read model that fails on every batch, as one would on an event it cannot take."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.name = model.name

    def apply(self, *args: Any, **kwargs: Any) -> None:
        raise ValueError("cannot take this event")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def _health_until(client: TestClient, wanted: int, seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (answer := client.get("/health")).status_code != wanted:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.05)
    return answer.json()  # type: ignore[no-any-return]


def test_health_names_a_read_model_the_follower_cannot_advance_and_recovers(services: Services) -> None:
    services.close()
    app = create_app(services.settings.model_copy(update={"projections": "async"}))
    projector = app.state.services.projector
    healthy = projector.models["parcels"]
    projector.models["parcels"] = _Failing(healthy)
    with TestClient(app) as client:
        survey(app.state.services.registry)
        degraded = _health_until(client, 503)
        assert degraded["status"] == "degraded"
        assert [p["read_model"] for p in degraded["problems"]] == ["parcels"]
        assert "cannot take this event" in degraded["problems"][0]["reason"]
        projector.models["parcels"] = healthy  # the cause is fixed: the follower, still alive, catches up
        recovered = _health_until(client, 200, seconds=90)
        assert recovered["status"] == "ok"
        deadline = time.monotonic() + 20
        while client.get("/health").json()["read_model_lag"]["parcels"] != 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
