"""With LANDREG_PROJECTIONS=async the service's follower keeps the read models up to date."""
from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from tests.geometries import square
from tests.support import LAT, LON, SURVEY, VILLAGE


def test_async_read_models_catch_up_with_a_survey(services: Services) -> None:
    services.close()  # the fixture emptied the store; this test runs its own service on it
    app = create_app(services.settings.model_copy(update={"projections": "async"}))
    surveyor = {"Authorization": f"Bearer {app.state.tokens.create('siti', 'surveyor')}"}
    officer = {"Authorization": f"Bearer {app.state.tokens.create('budi', 'officer')}"}
    with TestClient(app) as client:
        body = {"village_code": VILLAGE, "geometry": square(LON, LAT, 30), "survey": SURVEY}
        created = client.post("/v1/parcels", json=body, headers=surveyor)
        assert created.status_code == 201
        nib = created.json()["nib"]
        deadline = time.monotonic() + 20
        while client.get(f"/v1/parcels/{nib}", headers=officer).status_code == 404:
            assert time.monotonic() < deadline, "the follower never applied the survey"
            time.sleep(0.05)
        caught_up = {"parcels": 0, "certificates": 0, "procedures": 0}
        while client.get("/health").json()["read_model_lag"] != caught_up:  # the models catch up one by one
            assert time.monotonic() < deadline, "the follower never caught up with every read model"
            time.sleep(0.05)
