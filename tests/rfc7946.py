"""An RFC 7946 check of GeoJSON the API answers, written apart from the code that makes it: media
type, coordinate precision, ring orientation (right-hand rule) and bounding boxes."""
from __future__ import annotations

from typing import Any

from shapely.geometry import LinearRing, shape

MEDIA_TYPE = "application/geo+json"
DIGITS = 7


def assert_geojson_response(response: Any) -> dict[str, Any]:
    """The response is application/geo+json and its body passes `assert_rfc7946`; returns the body."""
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPE, response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert_rfc7946(body)
    return body


def assert_rfc7946(document: dict[str, Any]) -> None:
    """A Feature or FeatureCollection: every geometry checked, every bbox exact around its content."""
    if document["type"] == "FeatureCollection":
        for feature in document["features"]:
            assert_rfc7946(feature)
        if document["features"]:
            boxes = [f["bbox"] for f in document["features"]]
            around = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                      max(b[3] for b in boxes)]
            assert document["bbox"] == around, (document["bbox"], around)
        return
    assert document["type"] == "Feature", document["type"]
    geometry = document["geometry"]
    assert_geometry(geometry)
    assert document["bbox"] == list(shape(geometry).bounds), (document["bbox"], shape(geometry).bounds)


def assert_geometry(geometry: dict[str, Any]) -> None:
    """Positions of at most 7 decimals in degrees; exterior rings counter-clockwise, holes clockwise."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    assert geometry["type"] in ("Polygon", "MultiPolygon"), geometry["type"]
    for rings in polygons:
        for index, ring in enumerate(rings):
            for x, y in ring:
                assert -180 <= x <= 180 and -90 <= y <= 90, (x, y)
                assert decimals(x) <= DIGITS and decimals(y) <= DIGITS, (x, y)
            counter_clockwise = LinearRing(ring).is_ccw
            assert counter_clockwise == (index == 0), f"ring {index} is {'counter-' * counter_clockwise}clockwise"


def decimals(value: float) -> int:
    """Decimal places of a number as JSON writes it (shortest round-trip form)."""
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        return max(0, len(mantissa.partition(".")[2].rstrip("0")) - int(exponent))
    return len(text.partition(".")[2].rstrip("0"))
