"""A legacy stock with overlapping certificates (tumpang tindih, sertipikat ganda), for the import's
conflict path: the stock of `cadastre.generate` (no year), then, for a seeded share of its parcels,
one more legacy certificate over the same land. Half of them are the same certificate registered
twice (the same shape and document: a duplicate), half a shape shifted by a fifth of its width
(overlapping it and its neighbours). Every line is accepted: overlaps are recorded, not refused.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from benchmarks import cadastre
from benchmarks.cadastre_book import Command


def generate(parcels: int, overlapping: float, seed: int = 1) -> Iterator[Command]:
    """The stock's lines, then the overlapping ones (about `overlapping` x `parcels` of them)."""
    if not 0 <= overlapping <= 0.5:
        raise ValueError("overlapping is a share of the parcels, 0..0.5")
    rng = random.Random(f"{seed}:conflicts")
    extra: list[Command] = []
    for command in cadastre.generate(parcels, seed, activity=0):
        yield command
        if rng.random() < overlapping:
            extra.append(_overlapping(command, rng))
    yield from extra


def _overlapping(command: Command, rng: random.Random) -> Command:
    args: dict[str, Any] = dict(command["args"])
    if rng.random() < 0.5:  # the same certificate twice: same land, same document
        return {"command": "register_parcel", "args": args}
    surface = shape(args["geometry"])
    minx, _, maxx, _ = surface.bounds
    moved = shapely.affinity.translate(surface, xoff=(maxx - minx) / 5)
    source = {**args["source"], "number": args["source"]["number"] + "-B"}
    return {"command": "register_parcel", "args": {**args, "geometry": _rounded(mapping(moved)), "source": source}}


def _rounded(geometry: Any) -> dict[str, Any]:
    """GeoJSON with coordinates to the centimetre, as the stock's lines are."""
    def ring(points: Any) -> list[list[float]]:
        return [[round(x, 2), round(y, 2)] for x, y in points]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in p] for p in geometry["coordinates"]]}
