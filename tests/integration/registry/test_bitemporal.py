"""Property (issue 17): for random histories of dealings, annulments among them, the parcel read at
any (effective_on, as_of) is a fold of exactly the dealings recorded by as_of that were in force
on effective_on (dated on or before it, not annulled by an annulment recorded by then), on both
stores; and now-and-today equals the live read model."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Services
from projections.history import parcel_events, state_after
from registry.domain import errors
from tests.support import COURT, DEED, LAT, LON, OFFICER, citizen, survey

REGISTERED = date(2025, 2, 1)  # DEED's date
TODAY = date(2026, 6, 1)  # tests/conftest.py
places = itertools.count()
Action = tuple[str, int, int]  # kind, days after registration, a choice among people or entries


@dataclass
class Dealing:
    """One accepted command as the oracle keeps it, independent of the registry's events."""

    kind: str
    on: str
    dealing_id: str | None = None
    holders: str | None = None
    target: str | None = None  # the mortgage or block it registers or ends
    annuls: str | None = None  # for an annulment, the dealing it voids


@dataclass
class Oracle:
    dealings: list[Dealing] = field(default_factory=list)

    def standing(self) -> list[Dealing]:
        void = {d.annuls for d in self.dealings if d.annuls}
        return [d for d in self.dealings if d.dealing_id and d.dealing_id not in void]

    def state(self, recorded: int, effective_on: str) -> dict[str, Any]:
        """Holders, mortgages and blocks folded from the first `recorded` dealings in force on the date."""
        known = self.dealings[:recorded]
        void = {d.annuls for d in known if d.annuls}
        holders, mortgages, blocks = "budi", {}, {}
        for d in known:
            if d.on > effective_on or d.dealing_id in void or d.annuls:
                continue
            if d.kind == "transfer":
                holders = d.holders or holders
            elif d.kind in ("mortgage", "block"):
                (mortgages if d.kind == "mortgage" else blocks)[d.target] = "active"
            elif d.target in mortgages and d.kind == "release":
                mortgages[d.target] = "released"
            elif d.target in blocks and d.kind == "lift":
                blocks[d.target] = "lifted"
        return {"holders": holders, "mortgages": mortgages, "blocks": blocks}


def observed(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None or row["title"] is None:
        return None
    title = row["title"]
    return {"holders": title["holders"][0]["id"], "mortgages": {k: m["status"] for k, m in title["mortgages"].items()},
            "blocks": {k: b["status"] for k, b in title["blocks"].items()}}


def run(services: Services, nib: str, action: Action, oracle: Oracle) -> None:
    """Send one command; an accepted one is kept by the oracle with the id the registry answered."""
    kind, days, pick = action
    on = min(REGISTERED + timedelta(days=days), TODAY).isoformat()
    registry, deed = services.registry, {**DEED, "date": on}
    live = oracle.state(len(oracle.dealings), TODAY.isoformat())
    try:
        if kind == "transfer":
            who = f"holder-{pick % 3}"
            answer = registry.transfer_ownership(nib, "sale", [citizen(who)], on, deed, actor=OFFICER)
            oracle.dealings.append(Dealing(kind, on, answer["dealing_id"], holders=who))
        elif kind == "mortgage":
            answer = registry.register_mortgage(nib, {"id": "bank", "name": "Bank"}, "1000.00", deed, actor=OFFICER)
            oracle.dealings.append(Dealing(kind, on, answer["dealing_id"], target=answer["mortgage_id"]))
        elif kind == "block":
            answer = registry.place_block(nib, "blokir", f"court {pick}", None, {**COURT, "date": on}, "court",
                                          actor=OFFICER)
            oracle.dealings.append(Dealing(kind, on, answer["dealing_id"], target=answer["block_id"]))
        elif kind in ("release", "lift"):
            table = live["mortgages" if kind == "release" else "blocks"]
            targets = sorted(k for k, status in table.items() if status == "active")
            if not targets:
                return
            target = targets[pick % len(targets)]
            end = registry.release_mortgage if kind == "release" else registry.lift_block
            answer = end(nib, target, {**COURT, "date": on}, actor=OFFICER)
            oracle.dealings.append(Dealing(kind, on, answer["dealing_id"], target=target))
        else:
            standing = oracle.standing()
            if not standing:
                return
            latest = standing[-1]
            on = max(on, latest.on)
            registry.annul_dealing(nib, latest.dealing_id, "court_decision", {**COURT, "date": on}, actor=OFFICER)
            oracle.dealings.append(Dealing(kind, on, annuls=latest.dealing_id))
    except (errors.TitleBlocked, errors.InvalidInput, errors.MortgageError, errors.DuplicateBlock):
        return  # refused (a block stands, a date before the title): nothing written, nothing kept


ACTIONS = st.lists(st.tuples(st.sampled_from(["transfer", "mortgage", "block", "release", "lift", "annul", "annul"]),
                             st.integers(0, 480), st.integers(0, 9)), min_size=1, max_size=9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_every_read_on_both_axes_is_the_fold_of_the_dealings_in_force_as_recorded(
    services: Services, actions: list[Action],
) -> None:
    registry = services.registry
    nib = survey(registry, 30, lon=LON + 0.001 * next(places), lat=LAT)
    registry.register_title(nib, "HM", [citizen("budi")], None, DEED, actor=OFFICER)
    oracle = Oracle()
    for action in actions:
        run(services, nib, action, oracle)
    with services.queries.engine.connect() as connection:
        events = parcel_events(connection, nib)
    dealings = [e for e in events if e.kind.startswith("Title.") and e.kind != "Title.RightRegistered"]
    assert len(dealings) == len(oracle.dealings)
    days = sorted({d.on for d in oracle.dealings} | {REGISTERED.isoformat(), TODAY.isoformat()})
    dates = sorted({shifted for day in days for shifted in (day, (date.fromisoformat(day) - timedelta(days=1))
                                                            .isoformat())})
    for recorded in range(len(dealings) + 1):
        as_of = (dealings[recorded - 1] if recorded else events[2]).recorded_at
        for day in dates:
            expected = oracle.state(recorded, day) if day >= REGISTERED.isoformat() else None
            got = observed(state_after(events, recorded_by=as_of, effective_on=day))
            assert got == expected, (recorded, day, oracle.dealings)
    live = services.queries.parcel(nib)
    folded = state_after(events)
    assert live is not None and folded is not None
    assert live["title"]["edition"] == folded["title"]["edition"] == 1 + len(oracle.dealings) - sum(
        d.kind in ("mortgage", "block", "release", "lift") for d in oracle.dealings)
    assert observed(live) == observed(folded) == oracle.state(len(oracle.dealings), TODAY.isoformat())
