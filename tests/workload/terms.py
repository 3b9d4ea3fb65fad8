"""Term and certificate commands of the workload: extension, renewal, expiry, cancellation, replacement.

Each function makes exactly one command attempt and returns True, or returns False before
attempting anything when no parcel fits (the run then surveys instead).
"""
from __future__ import annotations

from tests.workload.state import OFFICER, SYSTEM, Run

REPLACEMENT_REASONS = ("certificate lost", "certificate damaged by flood", "certificate damaged by fire")
CANCELLATION_REASONS = ("administrative defect in the grant", "court decision with permanent legal force")


def extend_right(run: Run) -> bool:
    """Perpanjangan of an HGB or HP term before it ends."""
    plot = run.pick(run.termed, lambda p: p.right is not None and p.right.usable(run.today))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    ends_on = run.later(365, 1460, after=right.ends_on)
    document = run.document("decree", "SK-PERPANJANGAN")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("extend_right", lambda cid: run.registry.extend_right(
            plot.nib, ends_on, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        right.ends_on = ends_on
    return True


def renew_right(run: Run) -> bool:
    """Pembaruan: a new term once the old one has ended (recorded as expired or not)."""
    plot = run.pick(run.termed, lambda p: p.right is not None and (
        p.right.status == "expired" or (p.right.status == "active" and p.right.ended(run.today))))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    ends_on = run.later(730, 2190)
    document = run.document("decree", "SK-PEMBARUAN")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("renew_right", lambda cid: run.registry.renew_right(
            plot.nib, ends_on, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        right.ends_on, right.status = ends_on, "active"
    return True


def expire_right(run: Run) -> bool:
    """Record that a term ended without extension."""
    plot = run.pick(run.termed, lambda p: p.right is not None and p.right.status == "active"
                    and p.right.ended(run.today))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    document = run.document("other", "BA-HAPUS")
    if run.attempt("expire_right", lambda cid: run.registry.expire_right(
            plot.nib, document, actor=SYSTEM, command_id=cid)) is not None:
        right.status = "expired"
    return True


def cancel_right(run: Run) -> bool:
    """Pembatalan by decree: the parcel may later carry a new right."""
    plot = run.pick(run.active, lambda p: p.right is not None and p.right.status in ("active", "expired"))
    if plot is None or plot.right is None:
        return False
    right = plot.right
    reason = run.rng.choice(CANCELLATION_REASONS)
    document = run.document("decree", "SK-BATAL")
    version = run.expected(run.title_version(plot.nib))
    if run.attempt("cancel_right", lambda cid: run.registry.cancel_right(
            plot.nib, reason, document, actor=OFFICER, command_id=cid,
            expected_version=version)) is not None:
        right.status = "cancelled"
    return True


def replace_certificate(run: Run) -> bool:
    """Sertipikat pengganti: the next edition replaces a lost or damaged certificate."""
    plot = run.pick(run.active, lambda p: p.right is not None and p.right.usable(run.today))
    if plot is None or plot.right is None:
        return False
    reason = run.rng.choice(REPLACEMENT_REASONS)
    document = run.document("other", "BA-PENGGANTI")
    version = run.expected(run.title_version(plot.nib))
    run.attempt("replace_certificate", lambda cid: run.registry.replace_certificate(
        plot.nib, reason, document, actor=OFFICER, command_id=cid, expected_version=version))
    return True
