"""Parcel commands of the workload: surveys (good, overlapping, invalid), corrections, splits, mergers.

Each function makes exactly one command attempt and returns True, or returns False before
attempting anything when no parcel fits (the run then surveys instead).
"""
from __future__ import annotations

from tests.workload.space import Rect, halves, joined, quarters, shifted, shrunk, smallest_side
from tests.workload.state import OFFICER, SURVEYOR, Plot, Right, Run

TM3_INPUT = 0.25  # share of surveys sent in TM-3 metres rather than EPSG:4326
PAIR = 0.3  # share of fresh surveys that reserve two adjacent cells for a later merger
MIN_SIDE_M = 10.0  # smaller pieces are not split further


def _crs(run: Run) -> str | None:
    return run.grid.tm3_crs if run.rng.random() < TM3_INPUT else None


def survey(run: Run) -> bool:
    """Pengukuran of a fresh cell; the east cell of a pair is surveyed right after its west cell."""
    partner, east = None, None
    if run.waiting is not None:
        (rect, crs, partner), run.waiting = run.waiting, None
    elif run.rng.random() < PAIR:
        (rect, east), crs = run.grid.pair(), _crs(run)
    else:
        rect, crs = run.grid.cell(), _crs(run)
    geometry, document = run.grid.geometry(rect, crs), run.survey_document()
    result = run.attempt("submit_survey", lambda cid: run.registry.submit_survey(
        run.village, geometry, document, crs, actor=SURVEYOR, command_id=cid))
    if result is None:
        return True
    plot = Plot(result["nib"], rect, crs)
    run.keep(plot)
    if east is not None:
        run.waiting = (east, crs, plot.nib)
    if partner in run.plots:  # the west cell may have been split while this one waited
        plot.partner, run.plots[partner].partner = partner, plot.nib
        run.pairs.add(partner)
    return True


def survey_overlapping(run: Run) -> bool:
    """A survey over part of an existing parcel: must be refused with OverlapError."""
    plot = run.pick(run.active, lambda p: True)
    if plot is None:
        return False
    crs = _crs(run)
    geometry, document = run.grid.geometry(shifted(plot.rect), crs), run.survey_document()
    result = run.attempt("submit_survey", lambda cid: run.registry.submit_survey(
        run.village, geometry, document, crs, actor=SURVEYOR, command_id=cid))
    if result is not None:
        run.surprise("an overlapping survey", result)
    return True


def survey_invalid(run: Run) -> bool:
    """A self-intersecting survey in a fresh cell: must be refused with InvalidGeometry."""
    crs = _crs(run)
    geometry, document = run.grid.bow_tie(run.grid.cell(), crs), run.survey_document()
    result = run.attempt("submit_survey", lambda cid: run.registry.submit_survey(
        run.village, geometry, document, crs, actor=SURVEYOR, command_id=cid))
    if result is not None:
        run.surprise("a self-intersecting survey", result)
    return True


def correct_boundary(run: Run) -> bool:
    """Pengukuran ulang: the parcel shrinks a little on its east and north sides."""
    plot = run.pick(run.active, lambda p: smallest_side(p.rect) >= MIN_SIDE_M and _area_may_change(run, p))
    if plot is None:
        return False
    rect = shrunk(plot.rect, run.rng.choice((0.5, 1.0, 1.5)))
    geometry, document = run.grid.geometry(rect, plot.crs), run.survey_document()
    version = run.expected(run.parcel_version(plot.nib))
    if run.attempt("correct_boundary", lambda cid: run.registry.correct_boundary(
            plot.nib, geometry, document, plot.crs, actor=SURVEYOR, command_id=cid,
            expected_version=version)) is not None:
        plot.rect, plot.whole = rect, False
        run.pairs.discard(plot.nib)
        if plot.partner is not None:
            run.pairs.discard(plot.partner)
    return True


def _area_may_change(run: Run, plot: Plot) -> bool:
    """A titled parcel whose term has run out cannot take the new edition a new area needs."""
    right = plot.live_right()
    return right is None or right.usable(run.today)


def _splittable(run: Run) -> Plot | None:
    return run.pick(run.active, lambda p: smallest_side(p.rect) >= MIN_SIDE_M and p.changeable(run.today))


def _child(run: Run, parent: Plot, nib: str, rect: Rect) -> Plot:
    right = parent.live_right()
    return Plot(nib, rect, parent.crs, right.successor() if right is not None else None, whole=False)


def subdivide(run: Run) -> bool:
    """Pemecahan into two halves or four quarters; the parent retires and its title closes."""
    plot = _splittable(run)
    if plot is None:
        return False
    rects = quarters(plot.rect) if run.rng.random() < 0.4 else list(halves(plot.rect, run.rng.random() < 0.5))
    parts = [{"geometry": run.grid.geometry(rect, plot.crs), "crs": plot.crs} for rect in rects]
    document = run.document("other", "PERMOHONAN-PEMECAHAN")
    version = run.expected(run.parcel_version(plot.nib))
    consents = _consents(run, plot)
    result = run.attempt("subdivide", lambda cid: run.registry.subdivide(
        plot.nib, parts, document, consents, actor=OFFICER, command_id=cid, expected_version=version))
    if result is not None:
        run.forget(plot.nib)
        for nib, rect in zip(result["children"], rects, strict=True):
            run.keep(_child(run, plot, nib, rect))
    return True


def _consents(run: Run, plot: Plot) -> list[dict[str, object]]:
    """Each creditor's written consent to splitting mortgaged land (PP 24/1997 art. 48)."""
    right = plot.live_right()
    return [{"mortgage_id": m, "source": run.document("consent", "SP-KREDITUR")}
            for m in (right.mortgages if right is not None else [])]


def separate(run: Run) -> bool:
    """Pemisahan of the west or south half; the parcel keeps the other half and its title."""
    plot = _splittable(run)
    if plot is None:
        return False
    piece, rest = halves(plot.rect, run.rng.random() < 0.5)
    part = {"geometry": run.grid.geometry(piece, plot.crs), "crs": plot.crs}
    document = run.document("other", "PERMOHONAN-PEMISAHAN")
    version = run.expected(run.parcel_version(plot.nib))
    consents = _consents(run, plot)
    result = run.attempt("separate", lambda cid: run.registry.separate(
        plot.nib, part, document, consents, actor=OFFICER, command_id=cid, expected_version=version))
    if result is not None:
        run.keep(_child(run, plot, result["nib"], piece))
        plot.rect, plot.whole = rest, False
        run.pairs.discard(plot.nib)
        if plot.partner is not None:
            run.pairs.discard(plot.partner)
    return True


def _holding(right: Right) -> tuple[str, list[tuple[str, str]], str | None]:
    """What two merged titles must share: right type, holders and shares, end date."""
    return right.right_type, sorted((h["id"], h["share"]) for h in right.holders), right.ends_on


def _mergeable(run: Run, west: Plot) -> bool:
    """Both cells untouched, and untitled in effect or carrying the same free, unmortgaged right."""
    east = run.plots.get(west.partner or "")
    if east is None or not (west.whole and east.whole):
        return False
    one, other = west.live_right(), east.live_right()
    if one is None or other is None:
        return one is None and other is None
    unencumbered = all(r.free(run.today) and not r.mortgages for r in (one, other))
    return unencumbered and _holding(one) == _holding(other)


def merge(run: Run) -> bool:
    """Penggabungan of a reserved pair of side-by-side cells into one parcel."""
    west = run.pick(run.pairs, lambda p: _mergeable(run, p))
    if west is None or west.partner is None:
        return False
    east = run.plots[west.partner]
    document = run.document("other", "PERMOHONAN-PENGGABUNGAN")
    result = run.attempt("merge", lambda cid: run.registry.merge(
        [west.nib, east.nib], document, actor=OFFICER, command_id=cid))
    if result is not None:
        rights = [r for r in (west.live_right(), east.live_right()) if r is not None]
        right = None
        if rights:
            ends = [r.ends_on for r in rights if r.ends_on is not None]
            right = rights[0].successor()
            right.ends_on, right.mortgages = (min(ends) if ends else None), {}
        run.forget(west.nib)
        run.forget(east.nib)
        run.keep(Plot(result["nib"], joined(west.rect, east.rect), west.crs, right, whole=False))
    return True
