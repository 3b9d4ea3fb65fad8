"""Overlapping legacy certificates (sertipikat ganda, tumpang tindih): recorded on both parcels of
each pair instead of refused, and resolved by a boundary correction that removes the overlap or by
a court's cancellation of one certificate. Only the legacy stock path records conflicts; every
other command still refuses a new overlap (registry/application/guard.py)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from registry.application.unit_of_work import UnitOfWork
from registry.domain.parcel import Parcel
from registry.domain.provenance import Provenance

Pair = tuple[Parcel, str, float]  # a new parcel, the NIB it overlaps, the overlap in m²


def record(pairs: list[Pair], provenance_of: Callable[[Parcel], Provenance],
           load: Callable[[str], Parcel], new: dict[str, Parcel]) -> list[Parcel]:
    """One ConflictRecorded on each parcel of the pairs (with every NIB it meets and the area);
    `new` are the parcels being created, `load` reads any other. Returns the stored parcels changed."""
    met: dict[str, dict[str, str]] = defaultdict(dict)
    cause: dict[str, Parcel] = {}
    for parcel, other, area in pairs:
        met[parcel.nib][other] = met[other][parcel.nib] = f"{area:.2f}"
        cause.setdefault(parcel.nib, parcel)
        cause.setdefault(other, parcel)
    stored = [load(nib) for nib in sorted(met) if nib not in new]
    for parcel in [*(new[n] for n in sorted(met) if n in new), *stored]:
        parcel.record_conflicts(met[parcel.nib], provenance_of(cause[parcel.nib]))
    return stored


def resolve(unit: UnitOfWork, parcel: Parcel, how: str, provenance: Provenance) -> list[Parcel]:
    """End every open conflict of `parcel`, on it and on each parcel it met; returns those to save.
    (Safe to load here: every writer holds the events table's lock.)"""
    nibs = sorted(parcel.open_conflicts)
    if not nibs:
        return []
    others = [unit.parcel(nib) for nib in nibs]
    parcel.resolve_conflicts(nibs, how, provenance)
    for other in others:
        other.resolve_conflicts([parcel.nib], how, provenance)
    return others
