"""One village's register as the cadastre generator predicts it: parcels, titles, serials.

The registry allocates NIBs and certificate numbers per village in the order commands land, and
mortgage and block ids per title; the book allocates them the same way (see registry/
unit_of_work.py and Title._next_id), so a later command can name what an earlier one created.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shapely import Polygon

from benchmarks import cadastre_land as land
from benchmarks.people import People, Pool
from registry.domain.identifiers import make_certificate_number, make_nib
from registry.domain.rights import add_years
from registry.persistence.settings import DEFAULT_RIGHT_TYPE_DIGITS
from spatial.geometry import Surface

Command = dict[str, Any]
SAMPLES = 16  # parcels looked at before an action gives way to another
RIGHT_TYPES = {"HM": 80, "HGB": 15, "HP": 5}  # weights of the rights registered
FIRST_GRANT_YEARS = 30  # of HGB and HP (PP 18/2021 art. 37, 49)


@dataclass
class Right:
    """A title as the registry will hold it: what commands need, and the next ids it will give."""

    certificate_number: str
    right_type: str
    holders: list[dict[str, str]]
    ends_on: str | None
    mortgages: list[str] = field(default_factory=list)  # active mortgage ids, oldest first
    last_mortgage: int = 0  # the highest HT number the title has seen
    blocks: list[str] = field(default_factory=list)  # active block ids
    last_block: int = 0
    extended: bool = False  # the one extension the law allows was used

    def free(self) -> bool:
        """Not frozen by a block: it may be transferred, mortgaged, subdivided or merged."""
        return not self.blocks


@dataclass
class Lot:
    """An active parcel: its NIB, its shape in TM-3 metres and its title, if any."""

    nib: str
    shape: Surface
    right: Right | None = None

    def plain(self) -> bool:
        """One polygon without holes: the only kind the generator subdivides or merges."""
        return isinstance(self.shape, Polygon) and not self.shape.interiors


class Book:
    """The village's parcels and titles, its serials, and pools to draw parcels from."""

    def __init__(self, code: str, seed: int, people: People, rng: random.Random, year_end: date) -> None:
        self.code = code
        self.seed = seed
        self.people = people
        self.rng = rng
        self.year_end = year_end  # the last day of the generated year
        self.lots: dict[str, Lot] = {}
        self.nib_serial = 0
        self.right_serials: dict[str, int] = {}
        self.papers = 0
        self.stock: list[Surface] = []  # land registered before the year
        self.reserve: list[Surface] = []  # land surveyed during the year, from the end
        # Titled, untitled, mortgaged and blocked parcels, by NIB.
        self.titled, self.untitled, self.mortgaged, self.blocked = Pool(), Pool(), Pool(), Pool()
        self._edges: dict[tuple[float, float, float, float], list[str]] | None = None

    # -- numbers the registry will allocate ----------------------------------------------

    def new_nib(self) -> str:
        self.nib_serial += 1
        return make_nib(self.code, self.nib_serial)

    def new_certificate_number(self, right_type: str) -> str:
        digit = DEFAULT_RIGHT_TYPE_DIGITS[right_type]
        self.right_serials[digit] = self.right_serials.get(digit, 0) + 1
        return make_certificate_number(self.code, digit, self.right_serials[digit])

    # -- paper ------------------------------------------------------------------------------

    def _paper(self, prefix: str, day: date) -> tuple[str, str]:
        self.papers += 1
        number = f"{prefix}-{self.papers:05d}/{self.code}/{day.year}"
        return number, hashlib.sha256(f"landreg cadastre {self.seed} {number}".encode()).hexdigest()

    def document(self, kind: str, prefix: str, day: date) -> dict[str, str]:
        number, digest = self._paper(prefix, day)
        return {"kind": kind, "number": number, "date": day.isoformat(), "sha256": digest}

    # -- parcels ----------------------------------------------------------------------------

    def survey(self, shape: Surface, day: date, emit: bool = True) -> tuple[Lot, Command]:
        """Pengukuran of a piece of land: the next NIB. Without `emit`, the geometry is left out."""
        lot = self.keep(Lot(self.new_nib(), shape))
        number, digest = self._paper("GU", day)
        return lot, {"command": "submit_survey", "args": {
            "village_code": self.code, "geometry": land.geojson(shape) if emit else None, "crs": land.CRS,
            "survey": {"document_number": number, "document_sha256": digest, "surveyed_on": day.isoformat()}}}

    def register(self, lot: Lot, day: date) -> Command:
        """Pembukuan hak on an untitled parcel: the next certificate number of its right.

        A term is a lawful first grant (at most 30 years from the decree, PP 18/2021) that ends more
        than a year after the generated year, so it still runs when the file is imported; land
        granted too early for that is held as hak milik instead."""
        right_type = self.rng.choices(list(RIGHT_TYPES), weights=list(RIGHT_TYPES.values()))[0]
        ends_on = None
        last, earliest = add_years(day, FIRST_GRANT_YEARS), self.year_end + timedelta(days=400)
        if right_type != "HM" and last < earliest:
            right_type = "HM"
        elif right_type != "HM":
            ends_on = (earliest + timedelta(days=self.rng.randint(0, (last - earliest).days))).isoformat()
        holders = self.people.holders(right_type)
        lot.right = Right(self.new_certificate_number(right_type), right_type, holders, ends_on)
        self.untitled.discard(lot.nib)
        self.titled.add(lot.nib)
        return {"command": "register_title", "args": {
            "nib": lot.nib, "right_type": right_type, "holders": holders, "ends_on": ends_on,
            "source": self.document("decree", "SK-HAK", day)}}

    def keep(self, lot: Lot) -> Lot:
        self.lots[lot.nib] = lot
        (self.titled if lot.right is not None else self.untitled).add(lot.nib)
        if lot.right is not None and lot.right.mortgages:
            self.mortgaged.add(lot.nib)
        if self._edges is not None:
            for edge in land.edges(lot.shape):
                self._edges.setdefault(edge, []).append(lot.nib)
        return lot

    def retire(self, lot: Lot) -> None:
        del self.lots[lot.nib]
        for pool in (self.titled, self.untitled, self.mortgaged, self.blocked):
            pool.discard(lot.nib)
        if self._edges is not None:
            for edge in land.edges(lot.shape):
                self._edges[edge].remove(lot.nib)

    def neighbours(self, lot: Lot) -> list[Lot]:
        """Active parcels sharing an edge with `lot` (the tiling shares vertices exactly)."""
        if self._edges is None:
            self._edges = {}
            for other in self.lots.values():
                for edge in land.edges(other.shape):
                    self._edges.setdefault(edge, []).append(other.nib)
        found: list[str] = []
        for edge in land.edges(lot.shape):
            found.extend(n for n in self._edges.get(edge, ()) if n != lot.nib and n not in found)
        return [self.lots[n] for n in found]

    def pick(self, pool: Pool, test: Callable[[Lot], bool]) -> Lot | None:
        """A random parcel of the pool that passes `test`, or None after a few looks."""
        for _ in range(SAMPLES if len(pool) else 0):
            lot = self.lots[pool.choice(self.rng)]
            if test(lot):
                return lot
        return None

    def track(self, lot: Lot) -> None:
        """Re-sort a titled parcel into the mortgage and block pools after its title changed."""
        right = lot.right
        for pool, member in ((self.mortgaged, right is not None and bool(right.mortgages)),
                             (self.blocked, right is not None and bool(right.blocks))):
            (pool.add if member else pool.discard)(lot.nib)
