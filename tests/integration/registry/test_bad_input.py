"""Bad input at the registry's door: each is a clear error naming the field, and nothing is written.
Text that looks like SQL or HTML is data: stored and returned verbatim."""
from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from registry.application.registry import Registry
from registry.domain import errors
from registry.persistence.settings import Settings
from tests.conftest import TODAY
from tests.geometries import (
    OUTSIDE_INDONESIA,
    POINT,
    TM3_JAKARTA_EPSG,
    UNCLOSED,
    VALID_SQUARE,
    polygon,
    square,
)
from tests.support import (
    COURT,
    DEED,
    LAT,
    LON,
    OFFICER,
    SURVEY,
    SURVEYOR,
    VILLAGE,
    assert_rejected,
    citizen,
    store_state,
    survey,
    table_names,
    titled,
)


def with_point(geometry: dict[str, Any], index: int, point: list[Any]) -> dict[str, Any]:
    """A copy of a Polygon with one position of its exterior ring replaced."""
    changed = copy.deepcopy(geometry)
    changed["coordinates"][0][index] = point
    return changed


def circle(vertices: int, radius_deg: float = 0.001) -> dict[str, Any]:
    ring = [
        [LON + radius_deg * math.cos(2 * math.pi * i / vertices),
         LAT + radius_deg * math.sin(2 * math.pi * i / vertices)]
        for i in range(vertices)
    ]
    return polygon([*ring, ring[0]])


# -- geometry -------------------------------------------------------------------------------

FEATURE = {"type": "Feature", "geometry": VALID_SQUARE, "properties": {}}
LINE = {"type": "LineString", "coordinates": [[106.80, -6.20], [106.801, -6.20]]}
STRING_COORDINATES = {
    "type": "Polygon",
    "coordinates": [[[str(x), str(y)] for x, y in VALID_SQUARE["coordinates"][0]]],
}


@pytest.mark.parametrize(("geometry", "field", "code"), [
    ("POLYGON ((106.8 -6.2, 106.801 -6.2, 106.801 -6.199, 106.8 -6.2))", "geometry", "malformed"),
    ({}, "geometry", "malformed"),
    ({"type": "Polygon"}, "geometry", "malformed"),
    ({"type": "Polygon", "coordinates": "106.8 -6.2"}, "geometry.coordinates", "malformed"),
    (STRING_COORDINATES, "geometry.coordinates[0][0]", "malformed"),
    (POINT, "geometry", "wrong_type"),
    (LINE, "geometry", "wrong_type"),
    (FEATURE, "geometry", "wrong_type"),
    (with_point(VALID_SQUARE, 1, [106.801, float("nan")]), "geometry.coordinates[0][1]", "non_finite"),
    (with_point(VALID_SQUARE, 2, [float("inf"), -6.199]), "geometry.coordinates[0][2]", "non_finite"),
    (UNCLOSED, "geometry.coordinates[0]", "unclosed_ring"),
    (OUTSIDE_INDONESIA, "geometry", "outside_crs_area"),
], ids=["string", "empty-object", "no-coordinates", "coordinates-a-string", "coordinates-strings", "point",
        "linestring", "feature", "nan", "inf", "unclosed", "outside-indonesia"])
def test_bad_geometry_is_rejected_naming_the_field(
    registry: Registry, geometry: object, field: str, code: str,
) -> None:
    rejected = assert_rejected(registry, errors.InvalidGeometry, lambda: registry.submit_survey(
        VILLAGE, geometry, SURVEY, actor=SURVEYOR))
    assert rejected.field == field
    assert rejected.details["geometry_error"] == code
    assert rejected.reason


@pytest.mark.parametrize(("crs", "code"), [("EPSG:99999", "unknown_crs"), ("EPSG:3857", "unsupported_crs"),
                                           ("not a crs at all", "unknown_crs")])
def test_unknown_or_unsupported_crs_is_rejected_naming_the_crs_field(registry: Registry, crs: str, code: str) -> None:
    rejected = assert_rejected(registry, errors.InvalidGeometry, lambda: registry.submit_survey(
        VILLAGE, VALID_SQUARE, SURVEY, crs=crs, actor=SURVEYOR))
    assert rejected.field == "crs"
    assert rejected.details["geometry_error"] == code


def test_metric_geometry_declared_as_wgs84_lies_outside_indonesia(registry: Registry) -> None:
    metres = polygon([[233_000.0, 814_000.0], [233_100.0, 814_000.0], [233_100.0, 814_100.0],
                      [233_000.0, 814_000.0]])
    rejected = assert_rejected(registry, errors.InvalidGeometry, lambda: registry.submit_survey(
        VILLAGE, metres, SURVEY, actor=SURVEYOR))
    assert rejected.details["geometry_error"] == "outside_crs_area"
    assert registry.submit_survey(VILLAGE, metres, SURVEY, crs=f"EPSG:{TM3_JAKARTA_EPSG}", actor=SURVEYOR)["nib"]


def test_bad_geometry_in_a_boundary_correction_writes_nothing(registry: Registry) -> None:
    nib = survey(registry)
    assert_rejected(registry, errors.InvalidGeometry, lambda: registry.correct_boundary(
        nib, UNCLOSED, SURVEY, actor=SURVEYOR))


def test_geometry_with_more_vertices_than_allowed_is_rejected(registry: Registry, settings: Settings) -> None:
    small = Registry(settings.model_copy(update={"max_vertices": 1000}), clock=lambda: TODAY)
    try:
        rejected = assert_rejected(small, errors.InvalidGeometry, lambda: small.submit_survey(
            VILLAGE, circle(2000), SURVEY, actor=SURVEYOR))
        assert rejected.field == "geometry.coordinates"
        assert rejected.details["geometry_error"] == "too_many_vertices"
        assert "1000" in rejected.reason
        assert small.submit_survey(VILLAGE, circle(900), SURVEY, actor=SURVEYOR)["nib"]
    finally:
        small.close()
        small.engine.dispose()


# -- identifiers ----------------------------------------------------------------------------

@pytest.mark.parametrize("village", ["3174010", "317401011", "99740101", "3174010a", None])
def test_bad_village_code_is_rejected(registry: Registry, village: object) -> None:
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.submit_survey(
        village, VALID_SQUARE, SURVEY, actor=SURVEYOR))
    assert rejected.field == "village_code"


def test_unknown_nib_is_not_found(registry: Registry) -> None:
    titled(registry)
    assert_rejected(registry, errors.NotFound, lambda: registry.transfer_ownership(
        "3174010199999", "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))
    assert_rejected(registry, errors.NotFound, lambda: registry.register_title(
        "3174010199999", "HM", [citizen("sari")], None, DEED, actor=OFFICER))
    with pytest.raises(errors.NotFound):
        registry.get_parcel("3174010199999")


def test_malformed_nib_is_rejected_naming_the_field(registry: Registry) -> None:
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.transfer_ownership(
        "317401010001", "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))
    assert rejected.field == "nib"


def test_parcel_without_a_title_has_no_title_to_transfer(registry: Registry) -> None:
    nib = survey(registry)
    assert_rejected(registry, errors.NotFound, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))


# -- holders and shares ---------------------------------------------------------------------

@pytest.mark.parametrize("share", ["0/1", "1/0", "-1/2", "0.5", 0.5])
def test_malformed_share_is_rejected_naming_the_field(registry: Registry, share: object) -> None:
    nib = survey(registry)
    rejected = assert_rejected(registry, errors.ShareError, lambda: registry.register_title(
        nib, "HM", [citizen("budi", share)], None, DEED, actor=OFFICER))  # type: ignore[arg-type]
    assert rejected.field == "holders[0].share"


def test_empty_holder_list_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    rejected = assert_rejected(registry, errors.ShareError, lambda: registry.register_title(
        nib, "HM", [], None, DEED, actor=OFFICER))
    assert rejected.field == "holders"


def test_transfer_to_shares_not_summing_to_one_names_the_to_field(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.ShareError, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari", "1/2"), citizen("ani", "1/3")], "2025-03-01", DEED, actor=OFFICER))
    assert rejected.field == "to"


# -- dates ----------------------------------------------------------------------------------

def test_survey_dated_in_the_future_is_rejected(registry: Registry) -> None:
    tomorrow = {**SURVEY, "surveyed_on": "2026-06-02"}
    rejected = assert_rejected(registry, errors.FutureDate, lambda: registry.submit_survey(
        VILLAGE, VALID_SQUARE, tomorrow, actor=SURVEYOR))
    assert rejected.field == "survey.surveyed_on"


def test_survey_dated_today_is_accepted(registry: Registry) -> None:
    today = {**SURVEY, "surveyed_on": TODAY.isoformat()}
    assert registry.submit_survey(VILLAGE, VALID_SQUARE, today, actor=SURVEYOR)["nib"]


def test_transfer_effective_in_the_future_is_rejected(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.FutureDate, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2026-06-02", DEED, actor=OFFICER))
    assert rejected.field == "effective_at"


def test_deed_dated_in_the_future_is_rejected(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.FutureDate, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], "2025-03-01", {**DEED, "date": "2027-01-01"}, actor=OFFICER))
    assert rejected.field == "source.date"


@pytest.mark.parametrize("effective_at", ["2025-13-01", "01-03-2025", 20250301, None])
def test_malformed_effective_date_is_rejected(registry: Registry, effective_at: object) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.transfer_ownership(
        nib, "sale", [citizen("sari")], effective_at, DEED, actor=OFFICER))
    assert rejected.field == "effective_at"


# -- other words and documents --------------------------------------------------------------

def test_unknown_transfer_kind_is_rejected(registry: Registry) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.transfer_ownership(
        nib, "theft", [citizen("sari")], "2025-03-01", DEED, actor=OFFICER))
    assert rejected.field == "kind"


def test_unknown_right_type_is_rejected(registry: Registry) -> None:
    nib = survey(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.register_title(
        nib, "HAK_RAJA", [citizen("budi")], None, DEED, actor=OFFICER))
    assert rejected.field == "right_type"


@pytest.mark.parametrize(("source", "field"), [
    ({**DEED, "sha256": "b" * 10}, "source.sha256"),
    ({**DEED, "kind": "napkin"}, "source.kind"),
    ({key: value for key, value in DEED.items() if key != "number"}, "source.number"),
])
def test_bad_source_document_is_rejected_naming_the_field(
    registry: Registry, source: dict[str, str], field: str,
) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.place_block(
        nib, "sita", "PN Jakarta Selatan", None, source, actor=OFFICER))
    assert rejected.field == field


@pytest.mark.parametrize("amount", [250000000.0, "abc", "-5", "NaN", "1.001"])
def test_bad_mortgage_amount_is_rejected(registry: Registry, amount: object) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.register_mortgage(
        nib, {"id": "bri", "name": "Bank BRI"}, amount, DEED, actor=OFFICER))
    assert rejected.field == "amount"


@pytest.mark.parametrize("rank", [0, -1, "1", True, 1.0])
def test_mortgage_rank_that_is_not_a_positive_whole_number_is_rejected(registry: Registry, rank: object) -> None:
    nib = titled(registry)
    rejected = assert_rejected(registry, errors.InvalidInput, lambda: registry.register_mortgage(
        nib, {"id": "bri", "name": "Bank BRI"}, "1000.00", DEED, rank=rank, actor=OFFICER))
    assert rejected.field == "rank"


def test_unknown_block_is_not_found(registry: Registry) -> None:
    nib = titled(registry)
    assert_rejected(registry, errors.NotFound, lambda: registry.lift_block(nib, "BL9", COURT, actor=OFFICER))


# -- text is data, never code ---------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Robert'); DROP TABLE landreg_events;--",
    "<script>alert(1)</script>",
    "Budi \"Sang\" O'Hara \\ % _ ; -- /* */",
])
def test_sql_and_html_in_text_fields_are_stored_and_returned_verbatim(registry: Registry, name: str) -> None:
    nib = survey(registry)
    registry.register_title(nib, "HM", [citizen("bobby", name=name)], None, DEED, actor=OFFICER)
    registry.place_block(nib, "sita", name, None, COURT, actor=OFFICER)
    title = registry.title_on(nib)
    assert title is not None
    assert title.holders[0]["name"] == name
    assert [b["requested_by"] for b in title.blocks.values()] == [name]
    assert "landreg_events" in table_names(registry)
    assert len(store_state(registry)["events"]) == 4


def test_html_in_a_deed_number_is_stored_verbatim(registry: Registry) -> None:
    deed = {**DEED, "number": "<img src=x onerror=alert(1)>"}
    nib = survey(registry)
    registry.register_title(nib, "HM", [citizen("budi")], None, deed, actor=OFFICER)
    title = registry.title_on(nib)
    assert title is not None
    number = title.certificate_number
    first = next(iter(registry.events.get(registry.get_title(number).id)))
    assert first.source["number"] == "<img src=x onerror=alert(1)>"


def test_valid_square_is_still_accepted_after_all_that(registry: Registry) -> None:
    # Guards the tests above against passing because every survey fails for some other reason.
    assert registry.submit_survey(VILLAGE, square(LON, LAT, 100), SURVEY, actor=SURVEYOR)["nib"] == VILLAGE + "00001"
