"""The folds of the titles beside a parcel's primary one and of a holder's loss of eligibility say
what their aggregates say (as test_folds_match_aggregates holds for the seeded workload, which
records neither): every certificates row after rights on rights, units, a release year, a sale
ending it, and an extinction; and the parcel read and its as-of fold list the same titles."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from api.bootstrap import Services
from projections import secondary
from projections.history import parcel_events
from tests.integration.projections.test_folds_match_aggregates import (
    json_value,
    rows,
    title_as_folded,
    title_as_read,
)
from tests.support import DEED, OFFICER, citizen, foreigner, survey

CITY = {"id": "pemkot", "name": "Pemerintah Kota", "kind": "government", "share": "1/1"}
AGREEMENT = {**DEED, "kind": "hpl_agreement"}
HEIRS = {**DEED, "kind": "inheritance_certificate", "date": "2026-03-01"}


def _beside_state(title: Any) -> dict[str, Any]:
    return {"on_title": getattr(title, "on_title", None), "unit": getattr(title, "unit", None),
            "release_by": getattr(title, "release_by", None)}


def test_titles_beside_and_release_years_fold_as_their_aggregates_apply(services: Services) -> None:
    registry = services.registry
    nib = survey(registry)
    hpl = registry.register_title(nib, "HPL", [CITY], None, DEED, actor=OFFICER)["certificate_number"]
    hgb = registry.register_secondary_title(nib, "HGB", [citizen("dev")], "2054-01-31", AGREEMENT, on_title=hpl,
                                            actor=OFFICER)["certificate_number"]
    for index, holder in enumerate([citizen("sari"), foreigner("john")]):
        unit = {"id": f"A-{index}", "floor": "1", "common_share": "1/2"}
        number = registry.register_secondary_title(nib, "HMSRS", [holder], None, DEED, on_title=hgb, unit=unit,
                                                   actor=OFFICER)["certificate_number"]
        registry.register_mortgage(nib, {"id": "bri", "name": "BRI"}, "1000.00", DEED, certificate_number=number,
                                   actor=OFFICER)
    home = survey(registry, lon=106.81)
    registry.register_title(home, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    registry.record_eligibility_loss(home, "inheritance", [foreigner("ann")], HEIRS, actor=OFFICER)
    sold = survey(registry, lon=106.82)
    registry.register_title(sold, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    registry.record_eligibility_loss(sold, "inheritance", [foreigner("ann")], HEIRS, actor=OFFICER)
    registry.transfer_ownership(sold, "sale", [citizen("sari")], "2026-04-01", {**DEED, "date": "2026-04-01"},
                                actor=OFFICER)
    registry.clock = lambda: date(2027, 3, 2)
    registry.extinguish_right(home, {**DEED, "kind": "decree", "date": "2027-03-02"}, actor=OFFICER)

    certificates = rows(services, "landreg_certificates")
    assert len(certificates) == 6
    for row in certificates:
        title = registry.repository.get(uuid.UUID(str(row["title_id"])))
        state = json_value(row["title"])
        assert title_as_read(state) == title_as_folded(title), row["certificate_number"]
        assert {key: state.get(key) for key in ("on_title", "unit", "release_by")} == _beside_state(title)
    statuses = {json_value(r["title"])["certificate_number"]: r["status"] for r in certificates}
    assert sorted(statuses.values()).count("forfeited") == 1

    now = secondary.from_rows(services.queries.certificates_on(nib))
    with services.queries.engine.connect() as connection:
        then = secondary.from_events(parcel_events(connection, nib))
    assert [(t["certificate_number"], v) for t, v in now] == [(t["certificate_number"], v) for t, v in then]
    assert [t["right_type"] for t, _ in now] == ["HGB", "HMSRS", "HMSRS"]
