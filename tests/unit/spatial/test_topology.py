"""Overlap tolerance, subdivision tiling and merger adjacency, all in metres."""

from __future__ import annotations

import itertools

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import Polygon

from spatial.crs import footprint
from spatial.topology import (
    Overlap,
    TilingProblem,
    exceeds,
    overlap,
    tiling_problems,
    touches_or_shares_boundary,
)
from tests import geometries as catalogue

# Near Jakarta in TM-3 zone 48.2, so coordinates have realistic magnitudes.
X0, Y0 = 233_000.0, 814_000.0
PARCEL = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
SLOW = settings(max_examples=50, deadline=None)


def strips(x: float, y: float, width: float, height: float, cuts: list[float]) -> list[Polygon]:
    """The rectangle cut by vertical lines at the given fractions of its width."""
    edges = [x, *(x + width * cut for cut in cuts), x + width]
    return [shapely.box(left, y, right, y + height) for left, right in itertools.pairwise(edges)]


def grid(x: float, y: float, width: float, height: float, columns: int, rows: int) -> list[Polygon]:
    dx, dy = width / columns, height / rows
    return [
        shapely.box(x + i * dx, y + j * dy, x + (i + 1) * dx, y + (j + 1) * dy)
        for j in range(rows)
        for i in range(columns)
    ]


def bump_bottom_edge(part: Polygon, outward_m: float) -> Polygon:
    """part with a new vertex pushed outward (south) from the middle of its bottom edge."""
    minx, miny, maxx, maxy = part.bounds
    middle = (minx + maxx) / 2
    return Polygon(
        [(minx, miny), (middle, miny - outward_m), (maxx, miny), (maxx, maxy), (minx, maxy)]
    )


# --- overlap and exceeds -------------------------------------------------------------------------


def test_adjacent_parcels_sharing_an_edge_do_not_overlap() -> None:
    east = shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)
    result = overlap(PARCEL, east)
    assert result == Overlap(0.0, 0.0)
    assert not exceeds(result, tolerance_m2=0.5, tolerance_fraction=0.001)


def test_separate_parcels_do_not_overlap() -> None:
    assert overlap(PARCEL, shapely.box(X0 + 500, Y0, X0 + 600, Y0 + 100)) == Overlap(0.0, 0.0)


def test_small_sliver_is_tolerated() -> None:
    # The neighbour reaches 2 mm into PARCEL along its 100 m edge: 0.2 m².
    neighbour = shapely.box(X0 + 99.998, Y0, X0 + 200, Y0 + 100)
    result = overlap(PARCEL, neighbour)
    assert result.area_m2 == pytest.approx(0.2, abs=1e-6)
    assert result.fraction == pytest.approx(0.2 / 10_000, rel=1e-6)
    assert not exceeds(result, tolerance_m2=0.5, tolerance_fraction=0.001)


def test_large_overlap_exceeds() -> None:
    result = overlap(PARCEL, shapely.box(X0 + 50, Y0, X0 + 150, Y0 + 100))
    assert (result.area_m2, result.fraction) == pytest.approx((5_000.0, 0.5))
    assert exceeds(result, tolerance_m2=0.5, tolerance_fraction=0.001)


def test_fraction_is_measured_against_the_smaller_parcel() -> None:
    small = shapely.box(X0 + 10, Y0 + 10, X0 + 12, Y0 + 12)
    assert overlap(PARCEL, small) == Overlap(4.0, 1.0)
    assert overlap(small, PARCEL) == Overlap(4.0, 1.0)


def test_overlap_is_tolerated_only_within_both_limits() -> None:
    assert not exceeds(Overlap(0.5, 0.001), 0.5, 0.001)
    assert exceeds(Overlap(0.6, 0.0001), 0.5, 0.001)  # too large in m²
    assert exceeds(Overlap(0.1, 0.01), 0.5, 0.001)  # small, but most of a tiny parcel


def test_overlap_of_catalogue_neighbours_is_zero() -> None:
    first, second = (
        footprint(square).metric for square in catalogue.grid_squares(106.8, -6.3, 20.0, 2)[:2]
    )
    assert overlap(first, second).area_m2 == pytest.approx(0.0, abs=1e-6)


# --- tiling --------------------------------------------------------------------------------------


def test_two_halves_tile_the_parcel() -> None:
    assert tiling_problems(PARCEL, strips(X0, Y0, 100, 100, [0.5])) == []


def test_one_part_is_not_a_subdivision() -> None:
    assert tiling_problems(PARCEL, [PARCEL]) == [
        TilingProblem("parts", "a subdivision needs at least 2 parts, got 1")
    ]


def test_invalid_part_is_reported_by_index() -> None:
    bow_tie = Polygon([(X0, Y0), (X0 + 50, Y0 + 100), (X0 + 50, Y0), (X0, Y0 + 100)])
    problems = tiling_problems(PARCEL, [shapely.box(X0 + 50, Y0, X0 + 100, Y0 + 100), bow_tie])
    assert [p.field for p in problems] == ["parts[1]"]
    assert "not a valid polygon" in problems[0].reason


def test_overlapping_parts_name_both_and_the_area() -> None:
    parts = [shapely.box(X0, Y0, X0 + 60, Y0 + 100), shapely.box(X0 + 50, Y0, X0 + 100, Y0 + 100)]
    problems = tiling_problems(PARCEL, parts)
    expected = "parts[0] and parts[1] overlap by 1000.00 m² (tolerance 1.0 m²)"
    assert TilingProblem("parts[0],parts[1]", expected) in problems
    assert any("total" in p.reason for p in problems)  # 11,000 m² of parts for a 10,000 m² parent


def test_part_reaching_outside_the_parent_is_named() -> None:
    parts = strips(X0, Y0, 100, 100, [0.5])
    parts[1] = bump_bottom_edge(parts[1], 5.0)  # a 125 m² triangle outside the parent
    problems = tiling_problems(PARCEL, parts)
    assert problems[0].field == "parts[1]"
    assert "extends 125.00 m² outside the parent" in problems[0].reason


def test_missing_part_leaves_a_gap() -> None:
    parts = strips(X0, Y0, 100, 100, [0.3, 0.6])[:2]
    problems = tiling_problems(PARCEL, parts)
    expected = "the parts leave 4000.00 m² of the parent uncovered (tolerance 1.0 m²)"
    assert TilingProblem("parts", expected) in problems


def test_gap_of_two_square_metres_fails_even_on_a_large_parent() -> None:
    big = shapely.box(X0, Y0, X0 + 1_000, Y0 + 1_000)
    parts = [
        shapely.box(X0, Y0, X0 + 500, Y0 + 1_000),
        shapely.box(X0 + 500.002, Y0, X0 + 1_000, Y0 + 1_000),
    ]
    problems = tiling_problems(big, parts)
    assert [p.field for p in problems] == ["parts"] and "uncovered" in problems[0].reason


def test_many_tiny_spills_add_up() -> None:
    parts = grid(X0, Y0, 100, 100, 4, 1)
    parts = [bump_bottom_edge(part, 0.06) for part in parts]  # 0.75 m² each, 3 m² together
    problems = tiling_problems(PARCEL, parts, area_tolerance_fraction=0.01)
    assert [p.field for p in problems] == ["parts"]
    assert "together extend 3.00 m² outside" in problems[0].reason


def test_total_area_must_match_within_the_fraction() -> None:
    # Inside tolerances for gap and overlap, the area rule alone is tested by a tight fraction.
    parts = strips(X0, Y0, 100, 100, [0.5])
    parts[0] = shapely.box(X0, Y0, X0 + 49.995, Y0 + 100)  # 0.5 m² gap
    assert tiling_problems(PARCEL, parts) == []
    problems = tiling_problems(PARCEL, parts, area_tolerance_fraction=0.00001)
    assert [p.field for p in problems] == ["parts"] and "differ by 0.005%" in problems[0].reason


def test_subdivision_of_catalogue_squares_tiles_their_union() -> None:
    metric = [footprint(square).metric for square in catalogue.grid_squares(106.8, -6.3, 20.0, 3)]
    parent = shapely.union_all(metric)
    assert tiling_problems(parent, metric) == []


rectangles = st.tuples(
    st.floats(-5_000, 5_000),  # offset from (X0, Y0)
    st.floats(-5_000, 5_000),
    st.floats(20, 2_000),  # width
    st.floats(20, 2_000),  # height
    st.floats(0, 180),  # rotation in degrees
)
# 2..6 parts whose widths differ at most fourfold, so each is at least 1/21 of the whole
# (about 1 m on the narrowest rectangle).
cut_fractions = st.lists(st.floats(1, 4), min_size=2, max_size=6).map(
    lambda widths: [sum(widths[:i]) / sum(widths) for i in range(1, len(widths))]
)


def rotated(parent: Polygon, parts: list[Polygon], angle: float) -> tuple[Polygon, list[Polygon]]:
    centre = parent.centroid
    turn = [affinity.rotate(g, angle, origin=centre) for g in [parent, *parts]]
    return turn[0], turn[1:]


@SLOW
@given(rectangle=rectangles, cuts=cut_fractions)
def test_parallel_cuts_tile_any_rectangle(rectangle: tuple[float, ...], cuts: list[float]) -> None:
    dx, dy, width, height, angle = rectangle
    parent = shapely.box(X0 + dx, Y0 + dy, X0 + dx + width, Y0 + dy + height)
    parts = strips(X0 + dx, Y0 + dy, width, height, cuts)
    assert 2 <= len(parts) <= 6
    assert tiling_problems(*rotated(parent, parts, angle)) == []


@SLOW
@given(rectangle=rectangles, columns=st.integers(1, 3), rows=st.integers(2, 2))
def test_a_grid_tiles_any_rectangle(rectangle: tuple[float, ...], columns: int, rows: int) -> None:
    dx, dy, width, height, angle = rectangle
    parent = shapely.box(X0 + dx, Y0 + dy, X0 + dx + width, Y0 + dy + height)
    parts = grid(X0 + dx, Y0 + dy, width, height, columns, rows)
    assert tiling_problems(*rotated(parent, parts, angle)) == []


@SLOW
@given(radius=st.floats(10, 1_000), cuts=cut_fractions)
def test_parallel_cuts_tile_a_round_parcel(radius: float, cuts: list[float]) -> None:
    parent = shapely.Point(X0, Y0).buffer(radius, quad_segs=16)
    bands = strips(X0 - radius, Y0 - radius, 2 * radius, 2 * radius, cuts)
    parts = [shapely.intersection(parent, band) for band in bands]
    assert tiling_problems(parent, parts) == []


@SLOW
@given(rectangle=rectangles, cuts=cut_fractions, data=st.data())
def test_pushing_a_boundary_vertex_out_by_5_m_fails(
    rectangle: tuple[float, ...], cuts: list[float], data: st.DataObject
) -> None:
    dx, dy, width, height, angle = rectangle
    parent = shapely.box(X0 + dx, Y0 + dy, X0 + dx + width, Y0 + dy + height)
    parts = strips(X0 + dx, Y0 + dy, width, height, cuts)
    moved = data.draw(st.integers(0, len(parts) - 1), label="moved part")
    parts[moved] = bump_bottom_edge(parts[moved], 5.0)  # spill >= 0.5 * 1 m * 5 m
    problems = tiling_problems(*rotated(parent, parts, angle))
    assert problems[0].field == f"parts[{moved}]" and "outside the parent" in problems[0].reason


@SLOW
@given(rectangle=rectangles, cuts=cut_fractions, data=st.data())
def test_overlapping_parts_fail(
    rectangle: tuple[float, ...], cuts: list[float], data: st.DataObject
) -> None:
    dx, dy, width, height, angle = rectangle
    parent = shapely.box(X0 + dx, Y0 + dy, X0 + dx + width, Y0 + dy + height)
    parts = strips(X0 + dx, Y0 + dy, width, height, cuts)
    grown = data.draw(st.integers(0, len(parts) - 2), label="grown part")
    minx, miny, maxx, maxy = parts[grown].bounds
    parts[grown] = shapely.box(minx, miny, maxx + 0.5, maxy)  # 0.5 m into its eastern neighbour
    problems = tiling_problems(*rotated(parent, parts, angle))
    assert f"parts[{grown}],parts[{grown + 1}]" in [p.field for p in problems]


@SLOW
@given(rectangle=rectangles, cuts=cut_fractions.filter(lambda cuts: len(cuts) >= 2), data=st.data())
def test_a_missing_part_leaves_a_gap(
    rectangle: tuple[float, ...], cuts: list[float], data: st.DataObject
) -> None:
    dx, dy, width, height, angle = rectangle
    parent = shapely.box(X0 + dx, Y0 + dy, X0 + dx + width, Y0 + dy + height)
    parts = strips(X0 + dx, Y0 + dy, width, height, cuts)
    del parts[data.draw(st.integers(0, len(parts) - 1), label="missing part")]
    problems = tiling_problems(*rotated(parent, parts, angle))
    assert any("uncovered" in p.reason for p in problems)


# --- mergers -------------------------------------------------------------------------------------


def test_parcels_sharing_an_edge_can_merge() -> None:
    assert touches_or_shares_boundary(PARCEL, shapely.box(X0 + 100, Y0 + 50, X0 + 150, Y0 + 150))


def test_parcels_meeting_at_one_corner_do_not_share_a_boundary() -> None:
    assert not touches_or_shares_boundary(
        PARCEL, shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)
    )


def test_separate_parcels_do_not_share_a_boundary() -> None:
    assert not touches_or_shares_boundary(PARCEL, shapely.box(X0 + 101, Y0, X0 + 200, Y0 + 100))


def test_overlapping_parcels_are_not_merged_as_neighbours() -> None:
    assert not touches_or_shares_boundary(PARCEL, shapely.box(X0 + 90, Y0, X0 + 200, Y0 + 100))


def test_a_shared_edge_shorter_than_the_minimum_does_not_count() -> None:
    neighbour = shapely.box(X0 + 100, Y0 + 99.995, X0 + 200, Y0 + 200)  # 5 mm of common edge
    assert not touches_or_shares_boundary(PARCEL, neighbour, min_shared_m=0.01)
    assert touches_or_shares_boundary(PARCEL, neighbour, min_shared_m=0.001)


def test_catalogue_grid_neighbours_share_a_boundary() -> None:
    metric = [footprint(square).metric for square in catalogue.grid_squares(106.8, -6.3, 20.0, 2)]
    assert touches_or_shares_boundary(metric[0], metric[1])  # west-east neighbours
    assert touches_or_shares_boundary(metric[0], metric[2])  # south-north neighbours
    assert not touches_or_shares_boundary(metric[0], metric[3])  # diagonal: one corner only
