"""A seeded, realistic random history of registry commands, for projection tests and benchmarks.

    report = run_workload(registry, 2_000, seed=7)

runs exactly 2,000 command attempts against an empty registry: surveys on a grid of 40 m
cells, titles, transfers, mortgages, blocks, term changes, splits and mergers, with a few
commands that must be refused (overlaps, invalid geometry, stale versions, ineligible buyers)
and replays of command ids. The same seed gives the same commands and the same report on
every backend. The registry's clock is moved forward as the history goes on, so terms and
blocks run out; it is left where the history ends.
"""
from __future__ import annotations

from collections.abc import Callable

from registry.application.registry import Registry
from tests.workload import parcels, terms, titles
from tests.workload.state import Run, WorkloadReport

__all__ = ["COMMANDS", "WorkloadReport", "run_workload"]

Command = Callable[[Run], bool]

# What a registry office does in a day, by weight. Names are workload actions; several send the
# same registry command (the report counts registry command names).
COMMANDS: dict[str, tuple[int, Command]] = {
    "survey": (18, parcels.survey),
    "survey_overlapping": (2, parcels.survey_overlapping),
    "survey_invalid": (2, parcels.survey_invalid),
    "correct_boundary": (3, parcels.correct_boundary),
    "subdivide": (3, parcels.subdivide),
    "separate": (3, parcels.separate),
    "merge": (3, parcels.merge),
    "register_title": (15, titles.register_title),
    "transfer_ownership": (12, titles.transfer_ownership),
    "correct_holder_data": (3, titles.correct_holder_data),
    "register_mortgage": (7, titles.register_mortgage),
    "release_mortgage": (4, titles.release_mortgage),
    "place_block": (3, titles.place_block),
    "lift_block": (2, titles.lift_block),
    "expire_block": (2, titles.expire_block),
    "extend_right": (2, terms.extend_right),
    "renew_right": (3, terms.renew_right),
    "expire_right": (2, terms.expire_right),
    "cancel_right": (1, terms.cancel_right),
    "replace_certificate": (2, terms.replace_certificate),
    "replay": (2, lambda run: run.replay()),
}
CLOCK_EVERY = 25  # commands between two moves of the registry's clock
CLOCK_DAYS = (10, 40)  # each move is this many days: about a day per command on average


def run_workload(
    registry: Registry, commands: int, seed: int = 7, village: str = "31740101",
    origin: tuple[float, float] = (106.80, -6.20), progress: Callable[[int], None] | None = None,
) -> WorkloadReport:
    """Send exactly `commands` command attempts to `registry` and report what was accepted.

    Only registry.domain.errors.RegistryError counts as a rejection; any other exception is a bug
    and propagates. Parcels are laid out north-east of `origin` in `village`, so run it on an
    empty registry (or give another origin or village).
    """
    run = Run(registry, seed, village, origin)
    names = list(COMMANDS)
    cumulative = _cumulative([COMMANDS[name][0] for name in names])
    for index in range(commands):
        run.index = index
        if index and index % CLOCK_EVERY == 0:
            run.advance_clock(run.rng.randint(*CLOCK_DAYS))
        action = COMMANDS[run.rng.choices(names, cum_weights=cumulative)[0]][1]
        if not action(run):
            parcels.survey(run)  # nothing fitted the chosen action: a survey always does
        if progress is not None:
            progress(index + 1)
    assert run.report.commands == commands, "every step must make exactly one command attempt"
    return run.report


def _cumulative(weights: list[int]) -> list[int]:
    total, sums = 0, []
    for weight in weights:
        total += weight
        sums.append(total)
    return sums
