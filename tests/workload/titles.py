"""Title commands of the workload: registration, transfers, mortgages, blocks, terms, certificates.

Each function makes exactly one command attempt and returns True, or returns False before
attempting anything when no parcel fits (the run then surveys instead).
"""
from __future__ import annotations

from benchmarks.papers import TRANSFER_PAPERS
from tests.workload.state import OFFICER, SYSTEM, Plot, Right, Run

RIGHT_TYPES = (("HM", 70), ("HGB", 20), ("HP", 10))
TRANSFER_KINDS = (("sale", 5), ("gift", 2), ("inheritance", 2), ("auction", 1), ("exchange", 1), ("inbreng", 1),
                  ("apbh", 1), ("company_merger", 1), ("court_decision", 1))
COPY_PARTNER = 0.8  # a parcel reserved for a merger mostly gets the same right as its partner
MORTGAGES_PER_TITLE = 3
COURT = "Pengadilan Negeri Jakarta Selatan"
FOREIGN_BUYER = 0.04  # transfers of a right a foreigner may not hold (EligibilityError)


def _weighted(run: Run, table: tuple[tuple[str, int], ...]) -> str:
    return run.rng.choices([name for name, _ in table], weights=[weight for _, weight in table])[0]


def _usable(run: Run) -> Plot | None:
    return run.pick(run.active, lambda p: p.right is not None and p.right.usable(run.today))


def _free(run: Run) -> Plot | None:
    return run.pick(run.active, lambda p: p.right is not None and p.right.free(run.today))


def _new_right(run: Run, plot: Plot) -> Right:
    partner = run.plots.get(plot.partner or "")
    model = partner.live_right() if partner is not None else None
    if model is not None and model.usable(run.today) and run.rng.random() < COPY_PARTNER:
        return Right(model.right_type, [dict(h) for h in model.holders], model.ends_on)
    right_type = _weighted(run, RIGHT_TYPES)
    ends_on = run.later(300, 1500) if right_type in ("HGB", "HP") else None
    return Right(right_type, run.people.holders(right_type), ends_on)


def register_title(run: Run) -> bool:
    """Pembukuan hak on an untitled parcel, or on one whose right expired or was cancelled."""
    plot = run.pick(run.active, lambda p: p.live_right() is None)
    if plot is None:
        return False
    right = _new_right(run, plot)
    document = run.document("decree", "SK-HAK")
    if run.attempt("register_title", lambda cid: run.registry.register_title(
            plot.nib, right.right_type, right.holders, right.ends_on, document, actor=OFFICER,
            command_id=cid)) is not None:
        plot.right = right
        run.track(plot)
    return True


def transfer_ownership(run: Run) -> bool:
    """Peralihan hak of the whole right; now and then to a buyer who may not hold it."""
    plot = _free(run)
    if plot is None or plot.right is None:
        return False
    right, kind = plot.right, _weighted(run, TRANSFER_KINDS)
    foreign = right.right_type != "HP" and run.rng.random() < FOREIGN_BUYER
    holders = run.people.foreigner() if foreign else run.people.holders(right.right_type)
    document = run.document(*TRANSFER_PAPERS[kind])
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("transfer_ownership", lambda cid: run.registry.transfer_ownership(
            plot.nib, kind, holders, document["date"], document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        right.holders = holders
        run.report.transfers[kind] += 1
    return True


def correct_holder_data(run: Run) -> bool:
    """A respelt name: same holders, same shares, a new edition."""
    plot = _usable(run)
    if plot is None or plot.right is None:
        return False
    right, holders = plot.right, run.people.corrected(plot.right.holders)
    document = run.document("other", "BA-KOREKSI")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("correct_holder_data", lambda cid: run.registry.correct_holder_data(
            plot.nib, holders, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        right.holders = holders
    return True


def register_mortgage(run: Run) -> bool:
    """Hak tanggungan; mostly without a rank, sometimes with the right one, rarely a taken one."""
    plot = _free(run)
    if plot is None or plot.right is None or len(plot.right.mortgages) >= MORTGAGES_PER_TITLE:
        return False
    right = plot.right
    next_rank = max(right.mortgages.values(), default=0) + 1
    rank = run.rng.choices((None, next_rank, 1), weights=(80, 17, 3))[0]
    creditor = dict(run.rng.choice(run.people.creditors))
    amount = f"{run.rng.randrange(50, 5000) * 1_000_000}.00"
    document = run.document("deed", "APHT")
    version = run.expected(run.title_version(plot.nib))
    result = run.attempt("register_mortgage", lambda cid: run.registry.register_mortgage(
        plot.nib, creditor, amount, document, rank, actor=OFFICER, command_id=cid,
        expected_version=version))
    if result is not None:
        right.mortgages[result["mortgage_id"]] = result["rank"]
        run.track(plot)
    return True


def release_mortgage(run: Run) -> bool:
    """Roya of one active mortgage."""
    plot = run.pick(run.mortgaged, lambda p: p.right is not None and p.right.usable(run.today))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    mortgage_id = run.rng.choice(sorted(right.mortgages))
    document = run.document("other", "ROYA")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("release_mortgage", lambda cid: run.registry.release_mortgage(
            plot.nib, mortgage_id, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        del right.mortgages[mortgage_id]
        run.track(plot)
    return True


def place_block(run: Run) -> bool:
    """Blokir or sita, open-ended or until a date a few weeks or months away."""
    plot = _usable(run)
    if plot is None or plot.right is None or plot.right.blocks:
        return False
    right, kind = plot.right, run.rng.choice(("blokir", "sita"))
    until = None if kind == "sita" or run.rng.random() < 0.4 else run.later(20, 200)  # a sita runs until lifted
    requested_by = COURT if kind == "sita" else run.rng.choice(run.people.citizens)["name"]
    document = run.document("court_order", "PN")
    version = run.expected(run.title_version(plot.nib))
    result = run.attempt("place_block", lambda cid: run.registry.place_block(
        plot.nib, kind, requested_by, until, document, actor=OFFICER, command_id=cid,
        expected_version=version))
    if result is not None:
        right.blocks[result["block_id"]] = result["until"]
        run.track(plot)
    return True


def lift_block(run: Run) -> bool:
    plot = run.pick(run.blocked, lambda p: p.right is not None and bool(p.right.blocks))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    block_id = run.rng.choice(sorted(right.blocks))
    document = run.document("court_order", "PN-ANGKAT")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("lift_block", lambda cid: run.registry.lift_block(
            plot.nib, block_id, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        del right.blocks[block_id]
        run.track(plot)
    return True


def expire_block(run: Run) -> bool:
    """Record that a block's `until` date has passed."""
    today = run.today.isoformat()
    plot = run.pick(run.blocked, lambda p: p.right is not None and any(
        until is not None and until < today for until in p.right.blocks.values()))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    block_id = min(b for b, until in right.blocks.items() if until is not None and until < today)
    document = run.document("other", "BA-BLOKIR")
    if run.attempt("expire_block", lambda cid: run.registry.expire_block(
            plot.nib, block_id, document, actor=SYSTEM, command_id=cid)) is not None:
        del right.blocks[block_id]
        run.track(plot)
    return True
