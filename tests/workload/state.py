"""What the workload remembers between commands: its parcels, their rights, and the report."""
from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from benchmarks.people import People, Pool
from registry.application.registry import Registry, Result
from registry.domain.errors import RegistryError
from registry.domain.values import Actor
from tests.workload.space import Grid, Rect

SURVEYOR = Actor("surveyor-workload", "surveyor")
OFFICER = Actor("officer-workload", "officer")
SYSTEM = Actor("scheduler-workload", "system")
EXPECT_VERSION = 0.25  # share of commands that say which version they expect
STALE_VERSION = 0.12  # share of those whose expected version is wrong
SAMPLES = 16  # parcels looked at before a command gives way to a survey


@dataclass
class WorkloadReport:
    """Per command name: accepted count, and rejected counts by error class name; the NIBs made."""

    commands: int = 0
    accepted: Counter[str] = field(default_factory=Counter)
    rejected: dict[str, Counter[str]] = field(default_factory=dict)
    transfers: Counter[str] = field(default_factory=Counter)  # accepted transfers by kind
    nibs: list[str] = field(default_factory=list)

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    @property
    def total_rejected(self) -> int:
        return sum(sum(errors.values()) for errors in self.rejected.values())

    def rejections(self, error: str) -> int:
        """How many commands of any name were refused with the error class named `error`."""
        return sum(errors[error] for errors in self.rejected.values())


@dataclass
class Right:
    """A registered title as the workload believes it to be."""

    right_type: str
    holders: list[dict[str, str]]
    ends_on: str | None
    status: str = "active"  # active, expired or cancelled (a closed title leaves with its parcel)
    mortgages: dict[str, int] = field(default_factory=dict)  # active mortgage id -> rank
    blocks: dict[str, str | None] = field(default_factory=dict)  # active block id -> until

    def ended(self, today: date) -> bool:
        return self.ends_on is not None and self.ends_on < today.isoformat()

    def usable(self, today: date) -> bool:
        """Active with its term running: the registry will record changes on it."""
        return self.status == "active" and not self.ended(today)

    def frozen(self, today: date) -> bool:
        return any(until is None or until >= today.isoformat() for until in self.blocks.values())

    def free(self, today: date) -> bool:
        return self.usable(today) and not self.frozen(today)

    def successor(self) -> Right:
        """The title a child parcel receives: same right, holders and term, the mortgages follow."""
        holders = [dict(h) for h in self.holders]
        return replace(self, holders=holders, mortgages=dict(self.mortgages), blocks={})


@dataclass
class Plot:
    """A parcel the workload made: its rectangle, input CRS, right, and merger partner."""

    nib: str
    rect: Rect
    crs: str | None
    right: Right | None = None
    partner: str | None = None
    whole: bool = True  # still exactly the surveyed cell

    def live_right(self) -> Right | None:
        """The right the registry carries along (expired and cancelled ones stay behind)."""
        return self.right if self.right is not None and self.right.status == "active" else None

    def changeable(self, today: date) -> bool:
        """May be subdivided, separated or merged: untitled in effect, or titled and free."""
        right = self.live_right()
        return right is None or right.free(today)


class Run:
    """One workload run: the registry, the seeded generator, the clock, the parcels and the report."""

    def __init__(self, registry: Registry, seed: int, village: str, origin: tuple[float, float]) -> None:
        self.registry = registry
        self.seed = seed
        self.village = village
        self.rng = random.Random(seed)
        self.today: date = registry.clock()
        self.grid = Grid(origin)
        self.people = People(self.rng)
        self.report = WorkloadReport()
        self.index = 0
        self.plots: dict[str, Plot] = {}
        # Active parcels; those with a term, a block or a mortgage; west halves of intact pairs.
        self.active, self.termed, self.blocked, self.mortgaged, self.pairs = (Pool() for _ in range(5))
        self.waiting: tuple[Rect, str | None, str] | None = None  # east cell of a pair, its CRS, west NIB
        self.last: tuple[Callable[[], Result], Result] | None = None

    # -- the clock and the paper trail -----------------------------------------------------

    def advance_clock(self, days: int) -> None:
        """Move the registry's legal day forward, so terms and blocks run out (never back)."""
        self.today += timedelta(days=days)
        self.registry.clock = lambda day=self.today: day  # type: ignore[misc]

    def command_id(self) -> str:
        return f"workload-{self.seed}-{self.index:07d}"

    def _paper(self, prefix: str) -> tuple[str, str, str]:
        day = self.today - timedelta(days=self.rng.randint(0, 7))
        number = f"{prefix}-{self.index:07d}/{day.year}"
        digest = hashlib.sha256(f"landreg workload {self.seed} {number}".encode()).hexdigest()
        return number, day.isoformat(), digest

    def document(self, kind: str, prefix: str) -> dict[str, str]:
        number, day, digest = self._paper(prefix)
        return {"kind": kind, "number": number, "date": day, "sha256": digest}

    def survey_document(self) -> dict[str, str]:
        number, day, digest = self._paper("GU")
        return {"document_number": number, "surveyed_on": day, "document_sha256": digest}

    def later(self, low: int, high: int, after: str | None = None) -> str:
        start = date.fromisoformat(after) if after is not None else self.today
        return (start + timedelta(days=self.rng.randint(low, high))).isoformat()

    # -- parcels ----------------------------------------------------------------------------

    def pick(self, pool: Pool, test: Callable[[Plot], bool]) -> Plot | None:
        """A random parcel of the pool that passes `test`, or None after a few looks."""
        for _ in range(SAMPLES if len(pool) else 0):
            plot = self.plots[pool.choice(self.rng)]
            if test(plot):
                return plot
        return None

    def keep(self, plot: Plot) -> None:
        """Remember a new parcel (and its right) in every pool it belongs to."""
        self.plots[plot.nib] = plot
        self.active.add(plot.nib)
        self.report.nibs.append(plot.nib)
        if plot.right is not None:
            self.track(plot)

    def track(self, plot: Plot) -> None:
        """Re-sort a parcel into the pools after its right changed."""
        right = plot.right
        for pool, member in ((self.termed, right is not None and right.ends_on is not None),
                             (self.blocked, right is not None and bool(right.blocks)),
                             (self.mortgaged, right is not None and bool(right.mortgages))):
            (pool.add if member else pool.discard)(plot.nib)

    def forget(self, nib: str) -> None:
        """A parcel retired: it leaves every pool, and its merger partner loses its pair."""
        plot = self.plots.pop(nib)
        for pool in (self.active, self.termed, self.blocked, self.mortgaged, self.pairs):
            pool.discard(nib)
        if plot.partner is not None:
            self.pairs.discard(plot.partner)

    # -- running one command ----------------------------------------------------------------

    def expected(self, version: Callable[[], int]) -> int | None:
        """Mostly no expected version; else the current one, and sometimes a stale one."""
        if self.rng.random() >= EXPECT_VERSION:
            return None
        current = version()
        if self.rng.random() < STALE_VERSION:
            return current - 1 if current > 1 else current + 1
        return current

    def parcel_version(self, nib: str) -> Callable[[], int]:
        """The parcel resource's version, as a client reads it from ETag."""
        return lambda: self.registry.resource_version(nib)

    def title_version(self, nib: str) -> Callable[[], int]:
        """The same version: a title command's If-Match names the parcel resource's version too."""
        return self.parcel_version(nib)

    def attempt(self, name: str, command: Callable[[str], Result]) -> Result | None:
        """Run `command` with the next command id. A RegistryError is a counted rejection;
        anything else is a bug and propagates."""
        self.report.commands += 1
        call = partial(command, self.command_id())
        try:
            result = call()
        except RegistryError as error:
            self.report.rejected.setdefault(name, Counter())[type(error).__name__] += 1
            return None
        self.report.accepted[name] += 1
        self.last = (call, result)
        return result

    def replay(self) -> bool:
        """Send the last accepted command again with its command id: the first result comes back."""
        if self.last is None:
            return False
        call, first = self.last
        again = self.attempt("replay", lambda _: call())
        if again is not None and again != first:
            raise AssertionError(f"a replayed command returned {again!r}, not its first result {first!r}")
        self.last = (call, first)
        return True

    def surprise(self, name: str, result: Result) -> None:
        """A command that had to be refused was accepted: the registry broke an invariant."""
        raise AssertionError(f"{name} should have been rejected but was accepted: {result!r}")
