"""A year at one village's land office: each action turns the book into the commands it sends.

Every action returns the commands of one piece of business (a merger is a sale to the
neighbour's owner, then the merger), or None when no parcel fits; titles are never expired or
cancelled here, so every title stays active and its term runs.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from benchmarks import cadastre_land as land
from benchmarks.cadastre_book import Book, Command, Lot, Right
from benchmarks.papers import TRANSFER_PAPERS
from benchmarks.people import word
from registry.domain.rights import TRANSFER_KINDS

Action = Callable[[Book, date], list[Command] | None]

MORTGAGES_PER_TITLE = 3
SUBDIVIDE_MIN_AREA_M2 = 300.0
THREE_WAY = 0.25  # subdivisions into three lots rather than two
REPLACEMENT_REASONS = ("certificate lost", "certificate damaged by flood", "certificate damaged by fire")
EXTENSION = timedelta(days=20 * 365)


def _title(lot: Lot) -> Right:
    assert lot.right is not None, f"the book believes parcel {lot.nib} is titled"
    return lot.right


def survey(book: Book, day: date) -> list[Command] | None:
    """Pengukuran of land not yet registered (the village's reserve)."""
    return [book.survey(book.reserve.pop(), day)[1]] if book.reserve else None


def register_title(book: Book, day: date) -> list[Command] | None:
    """Pembukuan hak on a parcel surveyed earlier."""
    lot = book.pick(book.untitled, lambda lot: True)
    if lot is None:
        return None
    return [book.register(lot, day)]


def transfer(kind: str) -> Action:
    """Peralihan hak of a free title to holders drawn from the village's people."""
    def action(book: Book, day: date) -> list[Command] | None:
        lot = book.pick(book.titled, lambda lot: _title(lot).free())
        if lot is None:
            return None
        return [_transfer(book, lot, kind, book.people.holders(_title(lot).right_type), day)]
    return action


def _transfer(book: Book, lot: Lot, kind: str, holders: list[dict[str, str]], day: date) -> Command:
    right = _title(lot)
    right.holders = holders
    signed = day - timedelta(days=book.rng.randint(0, 7))  # the deed is dated on or before
    return {"command": "transfer_ownership", "args": {
        "nib": lot.nib, "kind": kind, "to": holders, "effective_at": day.isoformat(),
        "source": book.document(*TRANSFER_PAPERS[kind], signed)}}


def register_mortgage(book: Book, day: date) -> list[Command] | None:
    """Hak tanggungan for a bank; the registry gives the next id (HT1, HT2, ...) and rank."""
    lot = book.pick(book.titled, lambda lot: _title(lot).free()
                    and len(_title(lot).mortgages) < MORTGAGES_PER_TITLE)
    if lot is None:
        return None
    right = _title(lot)
    right.last_mortgage += 1
    right.mortgages.append(f"HT{right.last_mortgage}")
    book.track(lot)
    creditor = dict(book.rng.choice(book.people.creditors))
    amount = f"{book.rng.randrange(50, 3000) * 1_000_000}.00"
    return [{"command": "register_mortgage", "args": {
        "nib": lot.nib, "creditor": creditor, "amount": amount, "source": book.document("deed", "APHT", day)}}]


def release_mortgage(book: Book, day: date) -> list[Command] | None:
    """Roya of the oldest active mortgage, mostly."""
    lot = book.pick(book.mortgaged, lambda lot: True)
    if lot is None:
        return None
    right = _title(lot)
    mortgage_id = right.mortgages.pop(0 if book.rng.random() < 0.8 else -1)
    book.track(lot)
    return [{"command": "release_mortgage", "args": {
        "nib": lot.nib, "mortgage_id": mortgage_id, "source": book.document("other", "ROYA", day)}}]


def place_block(book: Book, day: date) -> list[Command] | None:
    """Blokir by a claimant or sita by a court, open-ended until lifted (a date could pass
    before the file is imported, and the registry refuses a block whose end has passed)."""
    lot = book.pick(book.titled, lambda lot: _title(lot).free())
    if lot is None:
        return None
    right = _title(lot)
    right.last_block += 1
    right.blocks.append(f"BL{right.last_block}")
    book.track(lot)
    kind = book.rng.choice(("blokir", "blokir", "sita"))
    requested_by = f"Pengadilan Negeri {word(book.rng)}" if kind == "sita" \
        else book.rng.choice(book.people.citizens)["name"]
    return [{"command": "place_block", "args": {
        "nib": lot.nib, "kind": kind, "requested_by": requested_by, "until": None, "applicant": "court",
        "source": book.document("court_order", "PN", day)}}]


def lift_block(book: Book, day: date) -> list[Command] | None:
    lot = book.pick(book.blocked, lambda lot: True)
    if lot is None:
        return None
    block_id = _title(lot).blocks.pop(0)
    book.track(lot)
    return [{"command": "lift_block", "args": {
        "nib": lot.nib, "block_id": block_id, "source": book.document("court_order", "PN-ANGKAT", day)}}]


def subdivide(book: Book, day: date) -> list[Command] | None:
    """Pemecahan into two or three lots; each child title carries the holders, term and mortgages."""
    lot = book.pick(book.titled, lambda lot: _title(lot).free() and lot.plain()
                    and lot.shape.area >= SUBDIVIDE_MIN_AREA_M2)
    if lot is None:
        return None
    parts = land.split(lot.shape, 3 if book.rng.random() < THREE_WAY else 2, book.rng)
    if parts is None:
        return None
    parent = _title(lot)
    book.retire(lot)
    last = max((int(m[2:]) for m in parent.mortgages), default=0)  # only active ones are carried
    for part in parts:  # NIBs and certificate numbers are separate serials: their order is free
        book.keep(Lot(book.new_nib(), part, Right(
            book.new_certificate_number(parent.right_type), parent.right_type,
            [dict(h) for h in parent.holders], parent.ends_on, list(parent.mortgages), last)))
    return [{"command": "subdivide", "args": {
        "nib": lot.nib, "parts": [{"geometry": land.geojson(part), "crs": land.CRS} for part in parts],
        "source": book.document("other", "PERMOHONAN-PEMECAHAN", day),
        "consents": [{"mortgage_id": m, "source": book.document("consent", "SP-KREDITUR", day)}
                     for m in parent.mortgages]}}]


def merge(book: Book, day: date) -> list[Command] | None:
    """Penggabungan: the owner of a parcel buys the neighbour's parcel, then merges the two."""
    lot = book.pick(book.titled, lambda lot: _mergeable(lot, None))
    if lot is None:
        return None
    partner = next((n for n in book.neighbours(lot) if _mergeable(n, lot)), None)
    union = None if partner is None else lot.shape.union(partner.shape)
    if partner is None or union is None or union.geom_type != "Polygon" or union.interiors or not union.is_valid:
        return None
    right, other = _title(lot), _title(partner)
    sale = _transfer(book, partner, "sale", [dict(h) for h in right.holders], day)
    book.retire(lot)
    book.retire(partner)
    assert right.ends_on == other.ends_on  # a merger needs the same end date (_mergeable)
    book.keep(Lot(book.new_nib(), union, Right(
        book.new_certificate_number(right.right_type), right.right_type, [dict(h) for h in right.holders],
        right.ends_on)))
    return [sale, {"command": "merge", "args": {
        "nibs": [lot.nib, partner.nib], "source": book.document("other", "PERMOHONAN-PENGGABUNGAN", day)}}]


def _mergeable(lot: Lot, first: Lot | None) -> bool:
    """Plain, titled, free and unmortgaged; with the same right type and end date as `first`, if given."""
    right = lot.right
    if right is None or not right.free() or right.mortgages or not lot.plain():
        return False
    return first is None or (first.right is not None and first.right.right_type == right.right_type
                             and first.right.ends_on == right.ends_on)


def correct_holder_data(book: Book, day: date) -> list[Command] | None:
    """A respelt name: the same holders and shares, a new edition."""
    lot = book.pick(book.titled, lambda lot: True)
    if lot is None:
        return None
    right = _title(lot)
    right.holders = book.people.corrected(right.holders)
    return [{"command": "correct_holder_data", "args": {
        "nib": lot.nib, "holders": right.holders, "source": book.document("other", "BA-KOREKSI", day)}}]


def replace_certificate(book: Book, day: date) -> list[Command] | None:
    """Sertipikat pengganti for a lost or damaged certificate."""
    lot = book.pick(book.titled, lambda lot: True)
    if lot is None:
        return None
    return [{"command": "replace_certificate", "args": {
        "nib": lot.nib, "reason": book.rng.choice(REPLACEMENT_REASONS),
        "source": book.document("other", "BA-PENGGANTI", day)}}]


def extend_right(book: Book, day: date) -> list[Command] | None:
    """Perpanjangan of an HGB or HP term by twenty years."""
    lot = book.pick(book.titled, lambda lot: _title(lot).ends_on is not None and not _title(lot).extended)
    if lot is None:
        return None
    right = _title(lot)
    right.extended = True  # a right is extended once (PP 18/2021)
    right.ends_on = (date.fromisoformat(right.ends_on or "") + EXTENSION).isoformat()
    return [{"command": "extend_right", "args": {
        "nib": lot.nib, "ends_on": right.ends_on, "source": book.document("decree", "SK-PERPANJANGAN", day)}}]


ACTIONS: dict[str, Action] = {
    "submit_survey": survey,
    "register_title": register_title,
    **{kind: transfer(kind) for kind in sorted(TRANSFER_KINDS)},
    "register_mortgage": register_mortgage,
    "release_mortgage": release_mortgage,
    "place_block": place_block,
    "lift_block": lift_block,
    "subdivide": subdivide,
    "merge": merge,
    "correct_holder_data": correct_holder_data,
    "replace_certificate": replace_certificate,
    "extend_right": extend_right,
}
