"""The synthetic cadastre's land: square villages in TM-3 zone 48.2, tiled exactly by parcels.

Parcels are Voronoi cells of jittered points, denser in some blocks of the village than in
others, clipped to the village and rounded to the centimetre. Adjoining parcels share the very
same vertices, so the tiling is exact (no gap, no overlap) and stays so after rounding; a few
parcels carry a hole that is itself a parcel, and a few are multipart (a cell plus an island cut
out of a neighbour). Subdivisions cut along a diagonal between existing vertices, so they add
no vertex a neighbour lacks.
"""
from __future__ import annotations

import math
import random
from itertools import pairwise
from typing import Any

import numpy as np
import shapely
from shapely import MultiPolygon, Polygon, affinity

from spatial.geometry import Surface

TM3 = 23834  # DGN95 / Indonesia TM-3 zone 48.2 (105..108 E)
CRS = f"EPSG:{TM3}"
ORIGIN = (180_000.0, 700_000.0)  # south-west corner of village 0, about 106.3 E, 7.2 S
COLUMNS = 64  # villages per row; rows grow northwards
MEAN_AREA_M2 = 600.0  # village area per parcel
POINTS_PER_BLOCK = 100  # a village is cut into square blocks of about this many parcels ...
DENSITY_RANGE = 20.0  # ... whose parcel density differs by up to this factor (kampung to fields)
HOLE_SHARE = 0.01  # parcels that are an island inside another parcel
MULTIPART_SHARE = 0.005  # parcels that also own an island inside a neighbour
HOST_MIN_AREA_M2 = 800.0  # a parcel must be this large to take an island ...
ISLAND_SCALE = 0.3  # ... which is the parcel shrunk about its Voronoi point by this factor
CENTIMETRE = 2  # decimals kept in coordinates


def village_square(index: int, slot: float, side: float) -> Polygon:
    """The village's square of land in the south-west corner of its slot, in a grid of
    `COLUMNS` slots a row (a village smaller than the others leaves the rest of its slot empty).

    >>> village_square(1, 1000.0, 800.0).bounds
    (181000.0, 700000.0, 181800.0, 700800.0)
    """
    x = ORIGIN[0] + (index % COLUMNS) * slot
    y = ORIGIN[1] + (index // COLUMNS) * slot
    return shapely.box(x, y, x + side, y + side)


def village_side(cells: int) -> float:
    """Side in whole metres of a village of `cells` parcels of `MEAN_AREA_M2` on average."""
    return float(max(10, round(math.sqrt(cells * MEAN_AREA_M2))))


def tile(village: Polygon, cells: int, rng: random.Random) -> list[Surface]:
    """`cells` parcels that tile `village` exactly, in a spatial order (block by block).

    A rare rounding accident (a vertex crossing an edge) is caught and the village drawn again.
    """
    holes = round(cells * HOLE_SHARE) if cells > 2 else 0
    multiparts = round(cells * MULTIPART_SHARE) if cells > 2 else 0
    for _ in range(10):
        generator = np.random.default_rng(rng.getrandbits(64))
        points = _points(village, cells - holes, generator)
        parcels = _with_islands(_voronoi(village, points), points, holes, multiparts, rng)
        if parcels is not None and _tiles(village, parcels):
            return parcels
    raise RuntimeError("no valid tiling after 10 draws")  # never seen; a bug if it happens


def _points(village: Polygon, count: int, generator: np.random.Generator) -> np.ndarray:
    """Jittered-grid points, spread over blocks of the village in proportion to random densities."""
    west, south, east, _ = village.bounds
    per_side = max(1, round(math.sqrt(count / POINTS_PER_BLOCK)))
    block = (east - west) / per_side
    density = np.exp(generator.uniform(0.0, math.log(DENSITY_RANGE), per_side * per_side))
    share = density / density.sum() * count
    counts = np.floor(share).astype(int)
    counts[np.argsort(counts - share, kind="stable")[: count - int(counts.sum())]] += 1
    found = []
    for index, number in enumerate(counts.tolist()):
        if number == 0:
            continue
        grid = math.ceil(math.sqrt(number))
        slots = generator.choice(grid * grid, size=number, replace=False)
        jitter = generator.uniform(0.1, 0.9, size=(number, 2))
        spacing = block / grid
        x = west + (index % per_side) * block + (slots % grid + jitter[:, 0]) * spacing
        y = south + (index // per_side) * block + (slots // grid + jitter[:, 1]) * spacing
        found.append(np.column_stack([x, y]))
    return np.concatenate(found)


def _voronoi(village: Polygon, points: np.ndarray) -> list[Surface]:
    """The cells of `points` clipped to the village, rounded to the centimetre, in point order."""
    if len(points) == 1:
        return [village]
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=village, ordered=True)
    cells = shapely.get_parts(diagram)
    bounds = shapely.bounds(cells)
    west, south, east, north = village.bounds
    outside = (bounds[:, 0] < west) | (bounds[:, 1] < south) | (bounds[:, 2] > east) | (bounds[:, 3] > north)
    clipped = cells.copy()
    clipped[outside] = shapely.intersection(cells[outside], village)  # the others lie inside already
    # Shared vertices are the same doubles in both cells, so rounding keeps them shared.
    return list(shapely.remove_repeated_points(rounded(clipped)))


def rounded(geometries: Any) -> Any:
    """Coordinates rounded to the centimetre (the same double always rounds the same way)."""
    return shapely.transform(geometries, lambda xy: np.round(xy, CENTIMETRE))


def _with_islands(
    cells: list[Surface], points: np.ndarray, holes: int, multiparts: int, rng: random.Random,
) -> list[Surface] | None:
    """Cut islands out of large cells: `holes` become parcels of their own, placed right after
    their host; `multiparts` are given to a neighbour of their host. None if too few fit."""
    tree = shapely.STRtree(cells)
    islands: dict[int, Polygon] = {}
    taken: set[int] = set()
    given = 0
    for host in _hosts(cells, rng):
        if len(islands) == holes and given == multiparts:
            break
        island = None if host in taken else _island(cells[host], points[host])
        if island is None:
            continue
        if given < multiparts:
            neighbour = _plain_neighbour(cells, tree, host, taken)
            if neighbour is None:
                continue
            cells[neighbour] = MultiPolygon([cells[neighbour], island])
            taken.add(neighbour)
            given += 1
        else:
            islands[host] = island
        cells[host] = Polygon(cells[host].exterior, [island.exterior])
        taken.add(host)
    if len(islands) < holes or given < multiparts:
        return None
    return [parcel for index, cell in enumerate(cells) for parcel in (cell, islands.get(index)) if parcel is not None]


def _hosts(cells: list[Surface], rng: random.Random) -> list[int]:
    """Large cells in random order, then the rest from the largest down."""
    areas = [cell.area for cell in cells]
    large = [i for i, area in enumerate(areas) if area >= HOST_MIN_AREA_M2]
    rng.shuffle(large)
    rest = sorted((i for i, area in enumerate(areas) if area < HOST_MIN_AREA_M2), key=lambda i: -areas[i])
    return large + rest


def _plain(cell: Surface) -> bool:
    return isinstance(cell, Polygon) and not cell.interiors


def _island(cell: Surface, point: np.ndarray) -> Polygon | None:
    """The cell shrunk about its point, well inside it; None when it would be too small."""
    if not _plain(cell):
        return None
    shrunk = affinity.scale(cell, ISLAND_SCALE, ISLAND_SCALE, origin=(float(point[0]), float(point[1])))
    island = shapely.remove_repeated_points(rounded(shrunk))
    if not island.is_valid or island.area < 10.0 or not cell.contains(island):
        return None
    return island if island.exterior.distance(cell.exterior) > 0.5 else None


def _plain_neighbour(cells: list[Surface], tree: shapely.STRtree, host: int, taken: set[int]) -> int | None:
    """A plain cell not yet changed that shares an edge (not just a corner) with the host."""
    for other in sorted(int(i) for i in tree.query(cells[host], predicate="touches")):
        if other not in taken and _plain(cells[other]) \
                and cells[other].boundary.intersection(cells[host].exterior).length > 1.0:
            return other
    return None


def _tiles(village: Polygon, parcels: list[Surface]) -> bool:
    """All valid, and the areas add up to the village's.

    Adjoining parcels share their vertices, so the signed areas always add up; the plain
    areas add up too only if no parcel flipped over a neighbour in rounding (none overlap).
    """
    total = float(shapely.area(parcels).sum())
    return bool(shapely.is_valid(parcels).all()) and abs(total - village.area) <= 0.01


def split(polygon: Polygon, parts: int, rng: random.Random, min_area: float = 60.0) -> list[Polygon] | None:
    """Cut a hole-free polygon into 2 or 3 along diagonals between its own vertices, as evenly
    as possible; None when no cut leaves every part valid and at least `min_area` m².

    >>> [p.area for p in split(shapely.box(0, 0, 20, 10), 2, random.Random(1))]
    [100.0, 100.0]
    """
    halves = _best_diagonal(polygon, min_area)
    if halves is None or parts < 3:
        return halves
    small, large = sorted(halves, key=lambda p: p.area)
    rest = _best_diagonal(large, min_area)
    return halves if rest is None else [small, *rest]


def _best_diagonal(polygon: Polygon, min_area: float) -> list[Polygon] | None:
    ring = list(polygon.exterior.coords)[:-1]
    count = len(ring)
    best: tuple[float, list[Polygon]] | None = None
    for first in range(count):
        for second in range(first + 2, count if first else count - 1):
            one = Polygon(ring[first:second + 1])
            other = Polygon(ring[second:] + ring[:first + 1])
            smaller = min(one.area, other.area)
            if smaller < min_area or abs(one.area + other.area - polygon.area) > 1e-6 * polygon.area:
                continue  # too small, or the diagonal leaves the (non-convex) polygon
            if (best is None or smaller > best[0]) and one.is_valid and other.is_valid:
                best = (smaller, [one, other])
    return None if best is None else best[1]


def geojson(surface: Surface) -> dict[str, Any]:
    """A GeoJSON geometry with plain lists (faster than shapely's mapping for many parcels)."""
    if isinstance(surface, MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_rings(part) for part in surface.geoms]}
    return {"type": "Polygon", "coordinates": _rings(surface)}


def _rings(polygon: Polygon) -> list[Any]:
    return [shapely.get_coordinates(ring).tolist() for ring in (polygon.exterior, *polygon.interiors)]


def edges(surface: Surface) -> list[tuple[float, float, float, float]]:
    """Every boundary segment as a key that is the same from either side."""
    found = []
    for part in getattr(surface, "geoms", [surface]):
        for ring in (part.exterior, *part.interiors):
            xy = shapely.get_coordinates(ring).tolist()
            for (x1, y1), (x2, y2) in pairwise(xy):
                found.append((x1, y1, x2, y2) if (x1, y1) <= (x2, y2) else (x2, y2, x1, y1))
    return found
