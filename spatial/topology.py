"""Overlap, tiling (subdivision, pemecahan) and adjacency (merger, penggabungan), in metres."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely

from spatial.geometry import Surface


@dataclass(frozen=True)
class Overlap:
    """How much two parcels overlap: in m² and as a fraction of the smaller parcel."""

    area_m2: float
    fraction: float  # overlap area / area of the smaller of the two


@dataclass(frozen=True)
class TilingProblem:
    """One reason why parts do not tile their parent, e.g. field "parts[0],parts[3]"."""

    field: str
    reason: str


def overlap(a_metric: Surface, b_metric: Surface) -> Overlap:
    """Overlap of two parcels given in the same metric CRS.

    >>> from shapely import box
    >>> overlap(box(0, 0, 10, 10), box(5, 0, 25, 10))
    Overlap(area_m2=50.0, fraction=0.5)
    """
    if not a_metric.intersects(b_metric):
        return Overlap(0.0, 0.0)
    shared = float(shapely.intersection(a_metric, b_metric).area)
    smaller = min(a_metric.area, b_metric.area)
    return Overlap(shared, shared / smaller if smaller > 0 else 0.0)


def exceeds(ov: Overlap, tolerance_m2: float, tolerance_fraction: float) -> bool:
    """True when an overlap is not tolerated.

    An overlap is tolerated only if it is within both limits: area_m2 <= tolerance_m2 AND
    fraction <= tolerance_fraction. Beyond either one, it exceeds.

    >>> exceeds(Overlap(0.2, 0.00002), 0.5, 0.001), exceeds(Overlap(0.2, 0.02), 0.5, 0.001)
    (False, True)
    """
    return ov.area_m2 > tolerance_m2 or ov.fraction > tolerance_fraction


def tiling_problems(
    parent_metric: Surface,
    parts_metric: Sequence[Surface],
    area_tolerance_fraction: float = 0.001,
    boundary_tolerance_m2: float = 1.0,
) -> list[TilingProblem]:
    """Reasons why the parts do not tile the parent; an empty list means they do.

    All geometries are in the same metric CRS. The rules:
    - there are at least 2 parts, each a valid polygon;
    - no two parts overlap by more than boundary_tolerance_m2;
    - no part reaches more than boundary_tolerance_m2 outside the parent, and neither do all
      parts together (spill);
    - the parts leave at most boundary_tolerance_m2 of the parent uncovered (gap);
    - the parts' total area is within area_tolerance_fraction of the parent's area.
    Gap and spill use the absolute tolerance only, so a 1 m² slip fails however large the parent.
    """
    if len(parts_metric) < 2:
        return [
            TilingProblem("parts", f"a subdivision needs at least 2 parts, got {len(parts_metric)}")
        ]
    invalid = _invalid_parts(parts_metric)
    if invalid:
        # Overlay operations on invalid input fail or mislead; report these first.
        return invalid
    return [
        *_overlapping_parts(parts_metric, boundary_tolerance_m2),
        *_coverage(parent_metric, parts_metric, boundary_tolerance_m2),
        *_total_area(parent_metric, parts_metric, area_tolerance_fraction),
    ]


def touches_or_shares_boundary(
    a: Surface, b: Surface, min_shared_m: float = 0.01, max_overlap_m2: float = 1.0
) -> bool:
    """True when a and b share a boundary of at least min_shared_m metres and barely overlap.

    A single shared corner does not count. Shared edges are found by intersecting the two
    boundaries exactly, so adjoining parcels must use the same boundary vertices (as
    surveys against a neighbour and subdivisions do).

    >>> from shapely import box
    >>> touches_or_shares_boundary(box(0, 0, 10, 10), box(10, 0, 20, 10))
    True
    >>> touches_or_shares_boundary(box(0, 0, 10, 10), box(10, 10, 20, 20))
    False
    """
    if overlap(a, b).area_m2 > max_overlap_m2:
        return False
    shared = shapely.intersection(a.boundary, b.boundary)
    return bool(shared.length >= min_shared_m)


def _invalid_parts(parts: Sequence[Surface]) -> list[TilingProblem]:
    problems = []
    for i, part in enumerate(parts):
        reason = shapely.is_valid_reason(part)
        if reason != "Valid Geometry" or part.area <= 0:
            problems.append(
                TilingProblem(f"parts[{i}]", f"parts[{i}] is not a valid polygon: {reason}")
            )
    return problems


def _overlapping_parts(parts: Sequence[Surface], tolerance_m2: float) -> list[TilingProblem]:
    # An R-tree keeps this near-linear for subdivisions into hundreds of lots.
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    problems = []
    for i, j in sorted({(int(i), int(j)) for i, j in zip(left, right, strict=True) if i < j}):
        shared = shapely.intersection(parts[i], parts[j]).area
        if shared > tolerance_m2:
            problems.append(
                TilingProblem(
                    f"parts[{i}],parts[{j}]",
                    f"parts[{i}] and parts[{j}] overlap by {shared:.2f} m²{_within(tolerance_m2)}",
                )
            )
    return problems


def _coverage(parent: Surface, parts: Sequence[Surface], tolerance_m2: float) -> list[TilingProblem]:
    union = shapely.union_all(list(parts))
    problems = _spills(parent, parts, union, tolerance_m2)
    gap = shapely.difference(parent, union).area
    if gap > tolerance_m2:
        reason = f"the parts leave {gap:.2f} m² of the parent uncovered{_within(tolerance_m2)}"
        problems.append(TilingProblem("parts", reason))
    return problems


def _spills(
    parent: Surface, parts: Sequence[Surface], union: Surface, tolerance_m2: float
) -> list[TilingProblem]:
    problems = []
    for i, part in enumerate(parts):
        spill = shapely.difference(part, parent).area
        if spill > tolerance_m2:
            reason = f"parts[{i}] extends {spill:.2f} m² outside the parent{_within(tolerance_m2)}"
            problems.append(TilingProblem(f"parts[{i}]", reason))
    total = shapely.difference(union, parent).area
    # Many spills, each within the tolerance, can still add up to one beyond it.
    if not problems and total > tolerance_m2:
        reason = f"the parts together extend {total:.2f} m² outside the parent"
        problems.append(TilingProblem("parts", reason + _within(tolerance_m2)))
    return problems


def _total_area(
    parent: Surface, parts: Sequence[Surface], tolerance_fraction: float
) -> list[TilingProblem]:
    total = sum(part.area for part in parts)
    difference = abs(total - parent.area)
    if difference <= tolerance_fraction * parent.area:
        return []
    share = difference / parent.area if parent.area > 0 else float("inf")
    return [
        TilingProblem(
            "parts",
            f"the parts total {total:.2f} m² against the parent's {parent.area:.2f} m²: "
            f"they differ by {share:.3%} (tolerance {tolerance_fraction:.3%})",
        )
    ]


def _within(tolerance_m2: float) -> str:
    return f" (tolerance {tolerance_m2} m²)"
