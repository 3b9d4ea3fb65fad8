"""Parsing, validation and serialisation of parcel geometries."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon

from spatial.geometry import (
    GeometryError,
    from_wkb_hex,
    parse_geojson,
    to_geojson,
    to_wkb_hex,
    validate,
)
from tests import geometries as catalogue

RING = [[106.8, -6.2], [106.801, -6.2], [106.801, -6.199], [106.8, -6.199], [106.8, -6.2]]


def polygon(*rings: Any) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def rejection(obj: object, **kwargs: Any) -> GeometryError:
    with pytest.raises(GeometryError) as caught:
        parse_geojson(obj, **kwargs)
    return caught.value


def test_error_names_field_and_reason() -> None:
    error = GeometryError("geometry.coordinates[0]", "ring is not closed", "unclosed_ring")
    assert (error.field, error.reason, error.code) == (
        "geometry.coordinates[0]",
        "ring is not closed",
        "unclosed_ring",
    )
    assert str(error) == "geometry.coordinates[0]: ring is not closed"
    assert isinstance(error, ValueError)


def test_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(GeometryError("crs", "no such CRS", "unknown_crs")))
    assert (error.field, error.reason, error.code) == ("crs", "no such CRS", "unknown_crs")


def test_valid_square_is_accepted() -> None:
    geom = parse_geojson(catalogue.VALID_SQUARE)
    assert isinstance(geom, Polygon) and geom.is_valid and geom.area > 0


def test_polygon_with_hole_keeps_the_hole() -> None:
    geom = parse_geojson(catalogue.WITH_HOLE)
    assert isinstance(geom, Polygon) and len(geom.interiors) == 1


def test_multipolygon_keeps_every_part() -> None:
    geom = parse_geojson(catalogue.MULTIPART)
    assert isinstance(geom, MultiPolygon) and len(geom.geoms) == 2


def test_sliver_is_a_valid_geometry() -> None:
    assert parse_geojson(catalogue.SLIVER).area > 0


def test_z_values_are_ignored() -> None:
    geom = parse_geojson(polygon([[x, y, 12.5] for x, y in RING]))
    assert not geom.has_z
    assert geom.equals(parse_geojson(polygon(RING)))


def test_tuples_are_accepted_as_lists() -> None:
    assert (
        parse_geojson({"type": "Polygon", "coordinates": (tuple(tuple(p) for p in RING),)}).area > 0
    )


@pytest.mark.parametrize("name", [n for n in catalogue.INVALID if n != "OUTSIDE_INDONESIA"])
def test_every_invalid_catalogue_entry_is_rejected_with_its_code(name: str) -> None:
    geojson, code = catalogue.INVALID[name]
    assert rejection(geojson).code == code


@pytest.mark.parametrize("obj", [None, "POLYGON((0 0,1 0,1 1,0 0))", [RING], 42])
def test_non_dict_is_malformed(obj: object) -> None:
    error = rejection(obj)
    assert (error.code, error.field) == ("malformed", "geometry")
    assert "GeoJSON geometry object" in error.reason


def test_missing_type_is_malformed() -> None:
    error = rejection({"coordinates": [RING]})
    assert error.code == "malformed" and "missing 'type'" in error.reason


def test_missing_coordinates_is_malformed() -> None:
    error = rejection({"type": "Polygon"})
    assert error.code == "malformed" and "missing 'coordinates'" in error.reason


@pytest.mark.parametrize(
    ("coordinates", "field", "words"),
    [
        ("0 0, 1 0", "geometry.coordinates", "list of linear rings"),
        ([], "geometry.coordinates", "exterior ring"),
        (["ring"], "geometry.coordinates[0]", "list of positions"),
        ([[[106.8, -6.2], 5]], "geometry.coordinates[0][1]", "position"),
        ([[[106.8, "-6.2"]]], "geometry.coordinates[0][0]", "'-6.2' is not a number"),
        ([[[106.8, None]]], "geometry.coordinates[0][0]", "None is not a number"),
        ([[[106.8]]], "geometry.coordinates[0][0]", "2 or 3 numbers"),
        ([[[1, 2, 3, 4]]], "geometry.coordinates[0][0]", "2 or 3 numbers"),
    ],
)
def test_badly_nested_coordinates_are_malformed(
    coordinates: object, field: str, words: str
) -> None:
    error = rejection({"type": "Polygon", "coordinates": coordinates})
    assert (error.code, error.field) == ("malformed", field)
    assert words in error.reason


def test_boolean_is_not_a_coordinate() -> None:
    ring = copy.deepcopy(RING)
    ring[2][0] = True
    error = rejection(polygon(ring))
    assert (error.code, error.field) == ("malformed", "geometry.coordinates[0][2]")
    assert "True is not a number" in error.reason


def test_empty_multipolygon_is_malformed() -> None:
    error = rejection({"type": "MultiPolygon", "coordinates": []})
    assert error.code == "malformed" and "at least one polygon" in error.reason


@pytest.mark.parametrize(
    "obj",
    [
        catalogue.POINT,
        {"type": "LineString", "coordinates": RING},
        {"type": "GeometryCollection", "geometries": [polygon(RING)]},
        {"type": "Circle", "coordinates": [0, 0]},
    ],
)
def test_non_polygon_types_are_wrong_type(obj: dict[str, Any]) -> None:
    error = rejection(obj)
    assert (error.code, error.field) == ("wrong_type", "geometry")
    assert f"{obj['type']} is not accepted" in error.reason


def test_feature_is_refused_because_a_geometry_is_expected() -> None:
    feature = {"type": "Feature", "geometry": polygon(RING), "properties": {}}
    error = rejection(feature)
    assert error.code == "wrong_type"
    assert "a geometry object is expected, not a Feature" in error.reason


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_coordinates_are_rejected(bad: float) -> None:
    ring = copy.deepcopy(RING)
    ring[1][1] = bad
    error = rejection(polygon(ring))
    assert (error.code, error.field) == ("non_finite", "geometry.coordinates[0][1]")
    assert "not finite" in error.reason


def test_ring_of_three_positions_has_too_few_points() -> None:
    error = rejection(catalogue.TOO_FEW_POINTS)
    assert (error.code, error.field) == ("too_few_points", "geometry.coordinates[0]")
    assert "at least 4 positions" in error.reason and "got 3" in error.reason


def test_unclosed_ring_is_rejected_not_repaired() -> None:
    error = rejection(catalogue.UNCLOSED)
    assert (error.code, error.field) == ("unclosed_ring", "geometry.coordinates[0]")
    assert error.reason == (
        "ring is not closed: first position (106.8, -6.2) differs from last (106.8, -6.199)"
    )


def test_unclosed_hole_is_located_by_ring_and_part() -> None:
    hole = [[106.8002, -6.1998], [106.8002, -6.1995], [106.8005, -6.1995]] * 2
    error = rejection({"type": "MultiPolygon", "coordinates": [[RING], [RING, hole]]})
    assert (error.code, error.field) == ("unclosed_ring", "geometry.coordinates[1][1]")


def test_more_positions_than_the_limit_are_refused() -> None:
    error = rejection(catalogue.VALID_SQUARE, max_vertices=4)
    assert (error.code, error.field) == ("too_many_vertices", "geometry.coordinates")
    assert "5 positions exceed the limit of 4" in error.reason


def test_vertex_limit_is_checked_before_the_numbers() -> None:
    # A huge payload is refused on its size before any coordinate is read.
    ring = [["not", "numbers"]] * 50
    assert rejection(polygon(ring), max_vertices=10).code == "too_many_vertices"


def test_bow_tie_is_a_self_intersection_with_its_location() -> None:
    error = rejection(catalogue.SELF_INTERSECTING)
    assert (error.code, error.field) == ("self_intersection", "geometry")
    assert error.reason.startswith("self-intersection at (106.8005")


def test_collinear_ring_has_zero_area() -> None:
    error = rejection(catalogue.ZERO_AREA)
    assert error.code == "zero_area" and "zero area" in error.reason


def test_hole_outside_its_shell_is_refused() -> None:
    hole = [[106.9, -6.2], [106.901, -6.2], [106.901, -6.199], [106.9, -6.2]]
    error = rejection(polygon(RING, hole))
    assert error.code == "self_intersection" and "hole lies outside shell" in error.reason


def test_overlapping_parts_of_a_multipolygon_are_refused() -> None:
    shifted = [[x + 0.0005, y] for x, y in RING]
    error = rejection({"type": "MultiPolygon", "coordinates": [[RING], [shifted]]})
    assert error.code == "self_intersection"


def test_validate_uses_the_given_field() -> None:
    with pytest.raises(GeometryError) as caught:
        validate(Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), field="parts[2]")
    assert (
        caught.value.field == "parts[2]"
        and caught.value.reason == "self-intersection at (0.5, 0.5)"
    )


def test_validate_names_the_degenerate_part_of_a_multipolygon() -> None:
    flat = Polygon([(5, 5), (6, 5), (7, 5), (5, 5)])
    with pytest.raises(GeometryError) as caught:
        validate(MultiPolygon([shapely.box(0, 0, 1, 1), flat]))
    assert caught.value.code == "zero_area" and "polygon 1" in caught.value.reason


def test_validate_refuses_an_empty_polygon() -> None:
    with pytest.raises(GeometryError) as caught:
        validate(Polygon())
    assert caught.value.code == "zero_area"


def test_wkb_hex_round_trip_keeps_every_double() -> None:
    geom = parse_geojson(catalogue.WITH_HOLE)
    back = from_wkb_hex(to_wkb_hex(geom))
    assert shapely.equals_exact(back, geom, tolerance=0)
    assert back.wkb == geom.wkb


def test_wkb_that_is_not_a_parcel_is_refused() -> None:
    with pytest.raises(GeometryError) as caught:
        from_wkb_hex(shapely.to_wkb(shapely.Point(1, 2), hex=True))
    assert caught.value.code == "wrong_type"
    with pytest.raises(GeometryError) as caught:
        from_wkb_hex("zz")
    assert caught.value.code == "malformed"


def test_to_geojson_gives_plain_lists_that_parse_back() -> None:
    geom = parse_geojson(catalogue.MULTIPART)
    out = to_geojson(geom)
    assert out["type"] == "MultiPolygon"
    assert isinstance(out["coordinates"][0][0][0], list)
    assert out == catalogue.MULTIPART
    assert parse_geojson(out).equals(geom)


coordinate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(x=coordinate, y=coordinate, width=st.floats(1e-3, 1e4), height=st.floats(1e-3, 1e4))
def test_any_rectangle_round_trips_through_wkb_and_geojson(
    x: float, y: float, width: float, height: float
) -> None:
    geom = shapely.box(x, y, x + width, y + height)
    if geom.area <= 0:
        return  # the width vanished in floating point next to a large x
    assert shapely.equals_exact(from_wkb_hex(to_wkb_hex(geom)), geom, tolerance=0)
    assert shapely.equals_exact(parse_geojson(to_geojson(geom)), geom, tolerance=0)
