"""CRS resolution, TM-3 zones, areas of use, areas in m² and footprints."""

from __future__ import annotations

from typing import Any

import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from spatial.crs import (
    DGN95_UTM,
    SUPPORTED,
    TM3_ZONES,
    WGS84,
    WGS84_UTM,
    area_m2,
    check_area_of_use,
    footprint,
    footprint_from_wkb,
    resolve_crs,
    tm3_zone,
    transform,
)
from spatial.geometry import GeometryError, parse_geojson, to_wkb_hex
from tests import geometries as catalogue

FAMILY = {
    **{code: "DGN95 / Indonesia TM-3 zone" for code in TM3_ZONES},
    **{code: "DGN95 / UTM zone" for code in DGN95_UTM},
    **{code: "WGS 84 / UTM zone" for code in WGS84_UTM},
}
TM3_SQUARE = shapely.box(233_000.0, 814_000.0, 233_100.0, 814_100.0)


def corners_to(epsg: int) -> dict[str, Any]:
    """The TM-3 100 m square with its corners transformed to another CRS by pyproj itself."""
    to_target = pyproj.Transformer.from_crs(23834, epsg, always_xy=True)
    ring = catalogue.TM3_SQUARE_100M["coordinates"][0]
    return catalogue.polygon([list(to_target.transform(x, y)) for x, y in ring])


def refused(call: Any, *args: Any, **kwargs: Any) -> GeometryError:
    with pytest.raises(GeometryError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 4326),
        ("EPSG:23834", 23834),
        ("epsg:23834", 23834),
        (" EPSG:23834 ", 23834),
        ("urn:ogc:def:crs:EPSG::23834", 23834),
        ("urn:ogc:def:crs:EPSG:9.8.15:32748", 32748),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
        ("OGC:CRS84", 4326),
        ("EPSG:4326", 4326),
        (23834, 23834),
        (32654, 32654),
        (23884, 23884),
        ({"type": "name", "properties": {"name": "EPSG:23834"}}, 23834),
        ({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, 4326),
    ],
)
def test_resolve_crs_accepts_every_documented_form(value: object, expected: int) -> None:
    assert resolve_crs(value) == expected


@pytest.mark.parametrize("value", ["EPSG:99999", 99999, "urn:ogc:def:crs:EPSG::99999"])
def test_code_that_does_not_exist_is_unknown(value: object) -> None:
    error = refused(resolve_crs, value, field="crs")
    assert (error.code, error.field) == ("unknown_crs", "crs")
    assert error.reason == "CRS 'EPSG:99999' does not exist"


def test_unresolvable_text_is_unknown() -> None:
    error = refused(resolve_crs, "not a crs at all")
    assert error.code == "unknown_crs" and "'not a crs at all' does not exist" in error.reason


@pytest.mark.parametrize("value", ["EPSG:3857", 2154, "EPSG:23886", "EPSG:32755"])
def test_real_crs_outside_the_supported_set_is_unsupported(value: object) -> None:
    error = refused(resolve_crs, value)
    assert error.code == "unsupported_crs"
    assert (
        "is not supported" in error.reason and "Indonesia TM-3 (EPSG:23830..23845)" in error.reason
    )


def test_unsupported_names_the_crs() -> None:
    assert "WGS 84 / Pseudo-Mercator" in refused(resolve_crs, "EPSG:3857").reason


def test_proj_string_is_unsupported_rather_than_guessed() -> None:
    assert refused(resolve_crs, "+proj=longlat +datum=WGS84").code == "unsupported_crs"


@pytest.mark.parametrize(
    "value",
    [True, 4326.0, ["EPSG:4326"], {"type": "link", "properties": {"href": "x"}}, {"type": "name"}],
)
def test_other_types_are_malformed(value: object) -> None:
    assert refused(resolve_crs, value, field="request.crs").code == "malformed"


def test_non_string_name_in_geojson_crs_is_malformed() -> None:
    error = refused(resolve_crs, {"type": "name", "properties": {"name": 4326}})
    assert (error.code, error.field) == ("malformed", "crs.properties.name")


@pytest.mark.parametrize("code", sorted(SUPPORTED - {WGS84}))
def test_every_supported_projected_crs_is_in_metres(code: int) -> None:
    crs = pyproj.CRS.from_epsg(code)
    assert crs.is_projected and crs.axis_info[0].unit_name == "metre"
    assert crs.name.startswith(FAMILY[code])


@pytest.mark.parametrize("code", list(TM3_ZONES))
def test_tm3_zone_central_meridians_match_pyproj(code: int) -> None:
    operation = pyproj.CRS.from_epsg(code).coordinate_operation
    assert operation is not None
    meridian = float(
        next(p.value for p in operation.params if p.name == "Longitude of natural origin")
    )
    assert meridian == 94.5 + 3 * (code - 23830)
    assert tm3_zone(meridian) == code
    west_edge = max(meridian - 1.49, 94.0)  # zone 46.2 starts west of Indonesia
    assert tm3_zone(west_edge) == code and tm3_zone(meridian + 1.49) == code


def test_tm3_zone_edges_belong_to_the_zone_to_the_east() -> None:
    assert tm3_zone(96.0) == 23831
    assert tm3_zone(105.0) == 23834
    assert tm3_zone(106.8) == 23834


def test_tm3_zone_covers_indonesia_from_end_to_end() -> None:
    assert tm3_zone(94.0) == 23830
    assert tm3_zone(141.02) == 23845  # the Papua border lies just east of 141 degrees


@pytest.mark.parametrize("lon", [93.9, 142.1, 4.9, float("nan")])
def test_longitude_outside_indonesia_has_no_tm3_zone(lon: float) -> None:
    error = refused(tm3_zone, lon)
    assert error.code == "outside_crs_area" and "outside Indonesia" in error.reason


def test_transform_to_the_same_crs_is_identity() -> None:
    assert transform(TM3_SQUARE, 23834, 23834) is TM3_SQUARE


def test_transform_round_trip_is_sub_millimetre() -> None:
    back = transform(transform(TM3_SQUARE, 23834, WGS84), WGS84, 23834)
    assert shapely.equals_exact(back, TM3_SQUARE, tolerance=1e-6)


def test_tm3_square_has_exactly_its_area() -> None:
    assert area_m2(TM3_SQUARE, 23834) == pytest.approx(10_000.0, abs=0.01)


@pytest.mark.parametrize("epsg", [4326, 32748, 23878])
def test_tm3_square_keeps_its_area_in_other_crss(epsg: int) -> None:
    geom = parse_geojson(corners_to(epsg))
    assert area_m2(geom, epsg) == pytest.approx(10_000.0, abs=0.01)


def test_footprint_of_tm3_square_in_tm3() -> None:
    result = footprint(catalogue.TM3_SQUARE_100M, crs=catalogue.TM3_SQUARE_100M_CRS)
    assert (result.epsg, result.tm3_epsg) == (23834, 23834)
    assert result.area_m2 == pytest.approx(10_000.0, abs=0.01)
    assert result.metric is result.geometry
    assert result.wgs84.bounds[0] == pytest.approx(106.798, abs=1e-3)


def test_footprint_of_tm3_square_sent_in_wgs84_without_a_crs() -> None:
    result = footprint(corners_to(4326), crs=None)
    assert (result.epsg, result.tm3_epsg) == (4326, 23834)
    assert result.area_m2 == pytest.approx(10_000.0, abs=0.01)
    assert result.metric.bounds == pytest.approx(TM3_SQUARE.bounds, abs=1e-6)


def test_footprint_of_tm3_square_sent_in_utm() -> None:
    result = footprint(corners_to(32748), crs="EPSG:32748")
    assert (result.epsg, result.tm3_epsg) == (32748, 23834)
    assert result.area_m2 == pytest.approx(10_000.0, abs=0.01)


@pytest.mark.parametrize("name", list(catalogue.VALID))
def test_catalogue_areas_in_square_metres(name: str) -> None:
    geojson, crs, expected = catalogue.VALID[name]
    assert footprint(geojson, crs).area_m2 == pytest.approx(expected, abs=0.01)


def test_valid_catalogue_entries_lie_apart() -> None:
    shapes = [footprint(geojson, crs).wgs84 for geojson, crs, _ in catalogue.VALID.values()]
    assert not any(a.intersects(b) for i, a in enumerate(shapes) for b in shapes[i + 1 :])


def test_area_excludes_the_hole() -> None:
    result = footprint(catalogue.WITH_HOLE)
    shell_only = shapely.Polygon(result.metric.exterior)
    assert result.area_m2 == pytest.approx(shell_only.area - 400.0, abs=0.01)


def test_multipolygon_area_is_the_sum_of_its_parts() -> None:
    parts = catalogue.MULTIPART["coordinates"]
    separate = [footprint(catalogue.polygon(*rings)).area_m2 for rings in parts]
    assert footprint(catalogue.MULTIPART).area_m2 == pytest.approx(sum(separate), abs=1e-6)


def test_grid_squares_each_have_the_requested_area() -> None:
    squares = catalogue.grid_squares(110.4, -7.0, 25.0, 3)
    assert len(squares) == 9
    for square in squares:
        result = footprint(square)
        assert (result.tm3_epsg, round(result.area_m2, 2)) == (23835, 625.0)


def test_geometry_outside_indonesia_is_outside_the_area_of_use() -> None:
    error = refused(footprint, catalogue.OUTSIDE_INDONESIA)
    assert (error.code, error.field) == ("outside_crs_area", "geometry")
    assert "outside the area of use of EPSG:4326" in error.reason


def test_geometry_beyond_its_tm3_zone_is_refused() -> None:
    # 280 km east of the central meridian (106.5) is about lon 109.0: zone 49.1, not 48.2.
    east = catalogue.polygon(
        [list(p) for p in shapely.box(480_000, 814_000, 480_100, 814_100).exterior.coords]
    )
    error = refused(footprint, east, crs="EPSG:23834", field="parcel.geometry")
    assert (error.code, error.field) == ("outside_crs_area", "parcel.geometry")
    assert (
        "outside the area of use of EPSG:23834 (DGN95 / Indonesia TM-3 zone 48.2: lon 105.0..108.0"
        in error.reason
    )
    assert "it spans lon 109.0" in error.reason


def test_check_area_of_use_allows_half_a_degree_beyond_a_zone() -> None:
    just_west = transform(shapely.box(104.7, -6.0, 104.71, -5.99), WGS84, 23834)
    check_area_of_use(just_west, 23834)
    far_west = transform(shapely.box(104.3, -6.0, 104.31, -5.99), WGS84, 23834)
    assert refused(check_area_of_use, far_west, 23834).code == "outside_crs_area"


def test_projected_coordinates_far_out_of_range_are_outside() -> None:
    far = catalogue.polygon([[1e12, 0], [1e12 + 1, 0], [1e12 + 1, 1], [1e12, 0]])
    assert refused(footprint, far, crs="EPSG:23834").code == "outside_crs_area"


def test_utm_geometry_south_of_indonesia_is_refused() -> None:
    geom = transform(shapely.box(106.0, -40.0, 106.01, -39.99), WGS84, 32748)
    error = refused(check_area_of_use, geom, 32748)
    assert "lat -11.5..0.0" in error.reason


def test_footprint_reports_crs_errors_on_the_crs_field() -> None:
    error = refused(footprint, catalogue.VALID_SQUARE, crs="EPSG:3857", crs_field="survey.crs")
    assert (error.code, error.field) == ("unsupported_crs", "survey.crs")


def test_footprint_enforces_the_vertex_limit() -> None:
    assert refused(footprint, catalogue.VALID_SQUARE, max_vertices=4).code == "too_many_vertices"


@pytest.mark.parametrize(("name", "code"), [(n, c) for n, (_, c) in catalogue.INVALID.items()])
def test_footprint_refuses_every_invalid_catalogue_entry(name: str, code: str) -> None:
    geojson, _ = catalogue.INVALID[name]
    assert refused(footprint, geojson).code == code


def test_footprint_rebuilds_from_stored_wkb() -> None:
    original = footprint(catalogue.WITH_HOLE)
    rebuilt = footprint_from_wkb(to_wkb_hex(original.geometry), original.epsg)
    assert shapely.equals_exact(rebuilt.geometry, original.geometry, tolerance=0)
    assert shapely.equals_exact(rebuilt.metric, original.metric, tolerance=0)
    assert (rebuilt.epsg, rebuilt.tm3_epsg, rebuilt.area_m2) == (4326, 23834, original.area_m2)


@settings(max_examples=30, deadline=None)
@given(
    zone=st.sampled_from(list(TM3_ZONES)[1:]),
    offset=st.floats(-1.4, 1.3),
    lat=st.floats(-10.0, 5.0),
    size=st.floats(1.0, 2_000.0),
)
def test_square_built_in_any_tm3_zone_keeps_its_area(
    zone: int, offset: float, lat: float, size: float
) -> None:
    lon = (
        94.5 + 3 * (zone - 23830) + offset
    )  # kept off the zone's eastern edge so the square stays inside
    geom = parse_geojson(catalogue.square(lon, lat, size))
    assert tm3_zone(geom.centroid.x) == zone
    assert area_m2(geom, WGS84) == pytest.approx(size * size, rel=1e-9, abs=1e-3)


def test_the_margin_never_reaches_beyond_indonesia() -> None:
    # DGN95 / UTM zone 46N starts at 92 degrees; the registry still stops at 94.
    geom = transform(shapely.box(93.8, 2.0, 93.81, 2.01), WGS84, 23866)
    assert refused(check_area_of_use, geom, 23866).code == "outside_crs_area"
