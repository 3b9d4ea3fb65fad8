"""Property: a random parcel cut into k parts subdivides; one vertex pushed out by 5 m does not.

Runs through the registry on both backends, with parcels submitted in a TM-3 zone.
"""
from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from registry.application.registry import Registry
from registry.domain import errors
from spatial.geometry import to_geojson
from tests.support import DEED, OFFICER, SURVEY, SURVEYOR, VILLAGE, store_state

TM3 = "EPSG:23834"  # zone 48.2, around Jakarta
ORIGIN_X, ORIGIN_Y = 233_000.0, 814_000.0
_places = itertools.count()


@st.composite
def star_polygons(draw: st.DrawFn) -> Polygon:
    """A star-shaped polygon (always simple) of 6 to 12 vertices, 30 to 90 m from its centre."""
    count = draw(st.integers(6, 12))
    angles = sorted(draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=count,
                                  max_size=count, unique=True)))
    gaps = [b - a for a, b in zip(angles, angles[1:] + [angles[0] + 2 * math.pi])]
    # Simple only if every gap is under half a turn (else an edge passes the wrong side of the
    # centre and may cross others); not too thin either. Otherwise: evenly spaced angles.
    if min(gaps) < 0.15 or max(gaps) > 2.5:
        angles = [i * 2 * math.pi / count for i in range(count)]
    radii = draw(st.lists(st.floats(30, 90), min_size=count, max_size=count))
    return Polygon([(r * math.cos(a), r * math.sin(a)) for r, a in zip(radii, angles)])


def cut(polygon: Polygon, fractions: list[float]) -> list[Polygon]:
    """Vertical strips of the polygon at the given fractions of its width."""
    minx, miny, maxx, maxy = polygon.bounds
    edges = [minx] + [minx + f * (maxx - minx) for f in sorted(fractions)] + [maxx]
    return [polygon.intersection(box(a, miny - 1, b, maxy + 1)) for a, b in itertools.pairwise(edges)]


def placed(geometry: Polygon, offset: float) -> dict:
    """The geometry moved to its own place in the test village (500 m apart), as GeoJSON."""
    from shapely import affinity

    return to_geojson(affinity.translate(geometry, ORIGIN_X + offset, ORIGIN_Y))


def push_out(part: Polygon, metres: float) -> Polygon:
    """Move the part's vertex farthest from its centre outwards by `metres`."""
    centre = part.centroid
    coords = list(part.exterior.coords)[:-1]
    index = max(range(len(coords)), key=lambda i: math.dist(coords[i], (centre.x, centre.y)))
    x, y = coords[index]
    length = math.dist((x, y), (centre.x, centre.y))
    coords[index] = (x + (x - centre.x) / length * metres, y + (y - centre.y) / length * metres)
    return Polygon(coords)


fractions = st.lists(st.floats(0.2, 0.8), min_size=1, max_size=3, unique=True).filter(
    lambda fs: all(abs(a - b) > 0.1 for a, b in itertools.combinations(fs, 2))
)
examples = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@examples
@given(parent=star_polygons(), cuts=fractions)
def test_random_parcel_cut_into_parts_subdivides(registry: Registry, parent: Polygon, cuts: list[float]) -> None:
    offset = next(_places) * 500.0
    nib = registry.submit_survey(VILLAGE, placed(parent, offset), SURVEY, crs=TM3, actor=SURVEYOR)["nib"]
    parts = [{"geometry": placed(p, offset), "crs": TM3} for p in cut(parent, cuts)]
    children = registry.subdivide(nib, parts, DEED, actor=OFFICER)["children"]
    assert len(children) == len(cuts) + 1
    total = sum(registry.get_parcel(c).area_m2 for c in children)
    assert float(total) == pytest.approx(parent.area, rel=1e-6, abs=0.05)


@examples
@given(parent=star_polygons(), cuts=fractions, which=st.integers(0, 3))
def test_one_vertex_pushed_beyond_the_tolerance_fails(
    registry: Registry, parent: Polygon, cuts: list[float], which: int,
) -> None:
    offset = next(_places) * 500.0
    nib = registry.submit_survey(VILLAGE, placed(parent, offset), SURVEY, crs=TM3, actor=SURVEYOR)["nib"]
    pieces = cut(parent, cuts)
    index = which % len(pieces)
    if pieces[index].geom_type != "Polygon":
        return  # a strip in two pieces: the pushed vertex is defined on single polygons only
    pieces[index] = push_out(pieces[index], 5.0)
    parts = [{"geometry": placed(p, offset), "crs": TM3} for p in pieces]
    before = store_state(registry)
    with pytest.raises((errors.SubdivisionError, errors.InvalidGeometry)):
        registry.subdivide(nib, parts, DEED, actor=OFFICER)
    assert store_state(registry) == before
