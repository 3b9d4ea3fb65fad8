"""A streaming synthetic cadastre: JSON lines of registry commands for `landreg import`.

    python -m benchmarks generate --parcels 100000 --seed 1 --out /tmp/year.jsonl --activity 0.1
    for command in generate(10_000, seed=1): ...   # {"command": "submit_survey", "args": {...}}

The file holds, in this order:
1. the stock, village by village: one `register_parcel` line per parcel (surveyed and titled at
   once, the import's bulk path), or with `bulk_stock=False` the two commands `submit_survey`
   and `register_title`; dated from 1997 to a few months before the year;
2. a year of activity (by default 2025-06-01..2026-05-31), village by village and in date
   order within each village: surveys and first registrations of new parcels, transfers of
   every kind, mortgages and releases, blocks placed and lifted, subdivisions and mergers, and
   a few corrections, replacements and extensions, mixed by the weights of `MIX`.

Villages have 8-digit codes (province, regency, district, village) and are squares of land side
by side in TM-3 zone 48.2 (EPSG:23834); each is tiled exactly by its parcels (see
cadastre_land). Holders are drawn from a generated pool per village (people.People),
never real people. Documents are dated on or before the command's effective date.

The file is right only under these assumptions, which the generator cannot check:
- Its villages have no parcels in the target store, and never had (their serials start at 1).
  The registry allocates NIBs and certificate numbers per village, mortgage ids (HT1, HT2...)
  and block ids (BL1...) per title; the generator predicts each of them, so later lines can name
  what earlier lines created. Import a file once, whole and in order, into such a store.
- Every line is accepted: a refused line would shift the serials of its village after it.
- The registry uses the default right-type digits (LANDREG_RIGHT_TYPE_DIGITS unset).
- The registry's legal day is on or after the year's last day (the tests use 2026-06-01). HGB
  and HP terms end 10 to 30 years after the year and blocks run until lifted, so later imports
  are accepted too.

Memory is bounded by one village: the stock phase and the year phase each rebuild a village
from its seed. The same seed and sizes give byte-identical output (on the same GEOS). The land
kept unsurveyed for the year's surveys grows with `activity`, so the stock's parcels differ
from one activity to another.
"""
from __future__ import annotations

import math
import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import orjson
from shapely import Polygon

from api import importer
from benchmarks import cadastre_land as land
from benchmarks.cadastre_book import Book, Command
from benchmarks.cadastre_year import ACTIONS
from benchmarks.people import ENTITY_WORDS, People, word
from registry.application.registry import Registry
from registry.domain.values import Actor
from spatial.geometry import Surface

# What a land office does in a year, by weight. Transfers are keyed by their kind; a merger is
# two lines (a sale to the neighbour's owner, then the merger).
MIX: dict[str, float] = {
    "submit_survey": 8, "register_title": 7,
    "sale": 25, "inheritance": 9, "gift": 5, "auction": 1, "exchange": 1,
    "inbreng": 1, "apbh": 1, "company_merger": 1, "court_decision": 1,
    "register_mortgage": 18, "release_mortgage": 12,
    "place_block": 2, "lift_block": 2,
    "subdivide": 4, "merge": 2,
    "correct_holder_data": 1, "replace_certificate": 2, "extend_right": 1,
}
FALLBACKS = ("sale", "replace_certificate")  # when nothing fits the drawn action
PARCELS_PER_VILLAGE = 2_500
YEAR_START = date(2025, 6, 1)
STOCK_SINCE = date(1997, 1, 1)  # PP 24/1997, the current land registration regulation
STOCK_UNTIL = 120  # days before the year: the last survey of the stock
# Village codes: 10 villages a district, 10 districts a regency, 10 regencies a province.
PROVINCES = ("32", "36", "31", "33", "35", "34", "51", "52", "16", "18")
SURVEY_RESERVE = 1.5  # land left unsurveyed, against the surveys the year is expected to make

LOADER = Actor("bench-load", "system")  # who registers a stock that `load` fills a store with


def village_code(index: int) -> str:
    """The 8-digit code of the index-th village.

    >>> village_code(0), village_code(1234)
    ('32010101', '36030405')
    """
    if index >= 1_000 * len(PROVINCES):
        raise ValueError(f"at most {1_000 * len(PROVINCES)} villages")
    province = PROVINCES[index // 1_000]
    return f"{province}{index // 100 % 10 + 1:02d}{index // 10 % 10 + 1:02d}{index % 10 + 1:02d}"


@dataclass(frozen=True)
class Plan:
    """How big the cadastre is and how busy its year: everything the output depends on."""

    parcels: int
    seed: int = 1
    activity: float = 0.1  # commands in the year per parcel of the stock
    start: date = YEAR_START
    mix: Mapping[str, float] = field(default_factory=lambda: dict(MIX))
    per_village: int = PARCELS_PER_VILLAGE
    # The stock as one `register_parcel` line per parcel (the import's bulk path), or as the
    # two commands a land office sends for a new parcel (`submit_survey`, `register_title`).
    bulk_stock: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.mix) - set(ACTIONS))
        if unknown or not any(weight > 0 for weight in self.mix.values()):
            raise ValueError(f"mix: unknown actions {unknown} or no positive weight; known: {sorted(ACTIONS)}")
        if self.parcels < 1 or self.activity < 0 or not 1 <= self.per_village <= 20_000:
            raise ValueError("parcels >= 1, activity >= 0 and 1 <= per_village <= 20,000")
        village_code(self.villages - 1)

    @property
    def villages(self) -> int:
        return -(-self.parcels // self.per_village)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=364)

    def stock(self, index: int) -> int:
        """Parcels of the village's stock: `per_village`, the last village the rest."""
        return min(self.per_village, self.parcels - index * self.per_village)

    def commands(self, index: int) -> int:
        """Lines of the village's year."""
        return round(self.stock(index) * self.activity)

    def reserve(self, index: int) -> int:
        """Pieces of the village left unsurveyed for the year's surveys."""
        return self._reserve(self.stock(index))

    def _reserve(self, stock: int) -> int:
        share = self.mix.get("submit_survey", 0) / sum(self.mix.values())
        return math.ceil(round(stock * self.activity) * share * SURVEY_RESERVE)

    @property
    def slot(self) -> float:
        """Side of the square slot of each village: that of a full village."""
        return land.village_side(self.per_village + self._reserve(self.per_village))

    def lines(self) -> int:
        return (1 if self.bulk_stock else 2) * self.parcels + sum(self.commands(i) for i in range(self.villages))


def generate(
    parcels: int, seed: int = 1, activity: float = 0.1, *, start: date = YEAR_START,
    mix: Mapping[str, float] = MIX, per_village: int = PARCELS_PER_VILLAGE, bulk_stock: bool = True,
) -> Iterator[Command]:
    """The commands, lazily: the stock of every village, then every village's year."""
    plan = Plan(parcels, seed, activity, start, dict(mix), per_village, bulk_stock)
    for index in range(plan.villages):
        yield from _stock(plan, index, _open(plan, index), emit=True)
    for index in range(plan.villages):
        book = _open(plan, index)
        for _ in _stock(plan, index, book, emit=False):
            pass
        yield from _year(plan, index, book)


def write(
    path: Path | str, parcels: int, seed: int = 1, activity: float = 0.1, *,
    progress: Callable[[int], None] = lambda lines: None, **options: object,
) -> Counter[str]:
    """Write `generate(...)` as JSON lines; returns the lines per command. `progress` is told
    the lines written so far every thousand lines and at the end."""
    counts: Counter[str] = Counter()
    written = 0
    with open(path, "wb") as out:
        for command in generate(parcels, seed, activity, **options):  # type: ignore[arg-type]
            out.write(orjson.dumps(command) + b"\n")
            counts[command["command"]] += 1
            written += 1
            if written % 1_000 == 0:
                progress(written)
    progress(written)
    return counts


def load(registry: Registry, parcels: int, seed: int = 1, *, progress: Callable[[int], None] = lambda lines: None,
         **options: object) -> int:
    """Fill a store with the stock alone (no year), through the import's bulk path: every rule and
    the guard, as `landreg import` would. Returns the parcels registered; refuses a store that
    refused any line (the file would not be what the generator predicts). `progress` is told the
    parcels imported so far after each batch."""
    done = [0]

    def advance(lines: int) -> None:
        done[0] += lines
        progress(done[0])

    with tempfile.TemporaryDirectory(prefix="landreg-cadastre-") as folder:
        path = Path(folder) / "stock.jsonl"
        write(path, parcels, seed, 0.0, **options)  # type: ignore[arg-type]
        report = importer.run(registry, path, LOADER, advance=advance)
    if report.rejected:
        raise RuntimeError(f"the store refused {len(report.rejected)} stock lines, first: {report.rejected[0]}")
    return report.accepted


def village_land(plan: Plan, index: int) -> tuple[Polygon, list[Surface]]:
    """The village's square and the parcels that tile it (the stock and the unsurveyed reserve)."""
    cells = plan.stock(index) + plan.reserve(index)
    square = land.village_square(index, plan.slot, min(plan.slot, land.village_side(cells)))
    return square, land.tile(square, cells, random.Random(f"{plan.seed}:{index}:land"))


def book_after_year(plan: Plan, index: int) -> Book:
    """The village's register as the generator predicts it once its year is imported."""
    book = _open(plan, index)
    for _ in _stock(plan, index, book, emit=False):
        pass
    for _ in _year(plan, index, book):
        pass
    return book


def _open(plan: Plan, index: int) -> Book:
    """A village's empty book, its people, and its land (the reserve set aside)."""
    count = plan.stock(index)
    people = People(random.Random(f"{plan.seed}:{index}:people"), citizens=max(30, count // 3),
                    entities=max(4, count // 250), foreigners=max(4, count // 250))
    people.creditors = _banks(plan.seed)
    book = Book(village_code(index), plan.seed, people, random.Random(f"{plan.seed}:{index}:book"), plan.end)
    _, parcels = village_land(plan, index)
    reserved = book.rng.sample(range(len(parcels)), plan.reserve(index))
    book.reserve = [parcels[i] for i in reserved]
    chosen = set(reserved)
    book.stock = [shape for i, shape in enumerate(parcels) if i not in chosen]
    return book


def _stock(plan: Plan, index: int, book: Book, emit: bool) -> Iterator[Command]:
    """Survey then title every parcel of the stock, in survey order (NIB order is date order)."""
    first, last = STOCK_SINCE.toordinal(), (plan.start - timedelta(days=STOCK_UNTIL)).toordinal()
    days = sorted(book.rng.randint(first, last) for _ in book.stock)
    for shape, day in zip(book.stock, days, strict=True):
        lot, survey = book.survey(shape, date.fromordinal(day), emit)
        title = book.register(lot, date.fromordinal(day) + timedelta(days=book.rng.randint(14, STOCK_UNTIL - 1)))
        if plan.bulk_stock:
            yield {"command": "register_parcel", "args": {
                **survey["args"], **{k: v for k, v in title["args"].items() if k != "nib"}}}
        else:
            yield from (survey, title)


def _year(plan: Plan, index: int, book: Book) -> Iterator[Command]:
    """The village's year: exactly `plan.commands(index)` lines, in date order."""
    total = plan.commands(index)
    days = sorted(plan.start + timedelta(days=book.rng.randrange(365)) for _ in range(total))
    names = list(plan.mix)
    weights = list(plan.mix.values())
    sent = 0
    lines: list[Command] | None = None
    while sent < total:
        drawn = book.rng.choices(names, weights=weights)[0]
        for name in (drawn, *FALLBACKS):
            lines = None if name == "merge" and total - sent < 2 else ACTIONS[name](book, days[sent])
            if lines:
                break
        if not lines:
            raise RuntimeError(f"village {book.code}: no parcel fits any action")
        yield from lines
        sent += len(lines)


@cache
def _banks(seed: int) -> list[dict[str, str]]:
    """Creditors (kreditur), the same in every village."""
    rng = random.Random(f"{seed}:banks")
    return [{"id": f"BANK-{index:03d}", "name": f"Bank {word(rng)} {rng.choice(ENTITY_WORDS)}"} for index in range(8)]
