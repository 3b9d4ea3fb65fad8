"""The registry's own stateful random test: a hypothesis state machine drives the HTTP service with
random sequences of every command, legal and illegal, and checks after every step what must hold.

Each example gets a fresh service on the backend under test (SQLite: a new file; PostgreSQL: the
test database, emptied), tokens for every role, and a clock that only the machine moves, so terms
and blocks really end. Parcels are surveyed as squares of a 5 x 5 grid of 20 m cells, so some
surveys and boundary corrections overlap on purpose while subdivisions, separations and mergers cut
and join along exact cell edges. Every command is sometimes sent with a stale or garbage If-Match,
a fresh, empty, 100-character, too long or reused Idempotency-Key, the wrong role or no token, to a
parcel or title in any state (retired, cancelled, expired, blocked, closed), and with one hostile
value: NUL characters, lone surrogates, 5000-digit numbers (which the edge refuses before any route,
naming where), dates 0001-01-01 and 9999-12-31, empty strings.

A small model of the registry (parcels as sets of cells, titles with holders, term, editions,
mortgages and blocks, serial counters, used idempotency keys) says what every answer must be where
the rules decide it, and what the service must show afterwards. It keeps its own copy of the law of
docs/law.md: the holder kinds of each right (a legal entity holds HM or HPL only if designated; the
example designates one for each), a first grant of at most 30 (HGU 35) years from granted_on or the
source's date, one extension of at most 20 (25) years applied for before the end, one renewal of at
most 30 (35) years applied for within two years after it, then the land's return on expiry; HPL,
wakaf and a hak pakai held without a term are neither transferred nor mortgaged; mortgages end with
the right; each transfer kind rests on its document; a party's blokir lasts 30 days unless a court
order sets more, one per applicant, an authority's until lifted, a sita until a court order lifts
it; mortgaged land is split only with each creditor's consent; titles merge only with the same end
date; HGU needs a least area (lowered to fit the grid); no dealing is dated before its title's
registration or its document. Where several reasons to refuse apply at once, any of them will do.

- never a 5xx; every 4xx is application/problem+json with type, title, status (= HTTP status), detail;
- a refusal, or a repeat answered from its Idempotency-Key, writes nothing (events, snapshots,
  footprints, serials and command ids all unchanged); an accepted command writes;
- a repeat of an accepted keyed request returns the first answer; a key reused for another
  request is refused; an empty key is never kept as a key;
- accepted commands get the NIBs, certificate numbers, editions, mortgage ranks and ids the model
  predicts (no gaps, no duplicates), and GET /v1/parcels/{nib} reads back what the model says:
  status, lineage, area, right, status and term of the title, holders, edition, mortgages, blocks;
  its ETag moves forward and `?version=` shows each earlier state again;
- a stale If-Match is refused wherever the command changes an existing parcel (README);
- GET /v1/audit/verify answers ok every few steps and at the end; the holder index finds exactly
  the parcels the model says each holder holds.

A failure names its kind and the route, and lists the example's requests so far: the reproduction.
Hypothesis reports each kind of failure at each route apart; it shrinks them only when
LANDREG_STATEFUL_SHRINK=1 (shrinking many failures takes minutes). LANDREG_STATEFUL_EXAMPLES and
LANDREG_STATEFUL_STEPS make a run longer or shorter.
"""
from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import quote

import hypothesis
import shapely
import shapely.geometry
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from api.app import create_app
from api.bootstrap import Services, build
from registry.domain.values import Actor
from registry.persistence.settings import Settings
from tests.conftest import TODAY, wipe
from tests.e2e.calls import PROBLEM, bearer
from tests.geometries import grid_squares
from tests.support import LAT, LON, store_state

# Bounded so that one store takes well under a minute when the service behaves.
EXAMPLES = int(os.environ.get("LANDREG_STATEFUL_EXAMPLES", "20"))
STEPS = int(os.environ.get("LANDREG_STATEFUL_STEPS", "40"))
AUDIT_EVERY = 6  # steps between audit verifications (and one at the end of every example)
# Shrinking many distinct failures takes minutes, so it is opt-in; every failure lists its requests anyway.
SHRINK = os.environ.get("LANDREG_STATEFUL_SHRINK", "") not in ("", "0")
# The default run (CI) draws the same examples every time, so a green main stays green; set
# LANDREG_STATEFUL_RANDOM=1 to draw new ones (as a soak, with LANDREG_STATEFUL_EXAMPLES=200).
RANDOM = os.environ.get("LANDREG_STATEFUL_RANDOM", "") not in ("", "0")

# -- the world: a grid of cells, villages, people, documents -------------------------------------

CELL_M = 20.0
GRID = 5
_CELL_POLYGONS = grid_squares(LON + 0.05, LAT + 0.05, CELL_M, GRID)  # index row * GRID + column
CELL_SHAPES = {(c, r): shapely.geometry.shape(_CELL_POLYGONS[r * GRID + c]) for r in range(GRID) for c in range(GRID)}
Cell = tuple[int, int]
VILLAGES = ("31740101", "31740102")
RIGHT_DIGITS = {"HM": "1", "HGU": "2", "HGB": "3", "HP": "4", "HPL": "5", "WAKAF": "6", "HMSRS": "7"}
RIGHTS = ("HM", "HGB", "HGU", "HP", "HPL", "WAKAF", "HMSRS")
# -- the law, as docs/law.md says it (the model's own copy: it does not read registry/domain/rights.py) ---
TERMS = {"HGU": (35, 25, 35), "HGB": (30, 20, 30), "HP": (30, 20, 30)}  # first grant, extension, renewal
TERMED = frozenset(TERMS)
RENEWAL_WINDOW_YEARS = 2
INDONESIAN = frozenset({"citizen", "legal_entity", "state_enterprise"})
HOLDERS = {
    "HM": frozenset({"citizen", "legal_entity"}), "HGU": INDONESIAN, "HGB": INDONESIAN,
    "HP": INDONESIAN | {"foreigner", "foreign_legal_entity", "government", "foreign_mission"},
    "HPL": frozenset({"government", "state_enterprise", "land_bank", "customary_community", "legal_entity"}),
    "WAKAF": frozenset({"nazhir"}),
    "HMSRS": INDONESIAN | {"government", "foreigner", "foreign_legal_entity"},
}
UNTERMED_HOLDERS = frozenset({"government", "foreign_mission"})  # hold HP without a term, while used
NOT_DEALT = frozenset({"HPL", "WAKAF"})  # neither transferred nor mortgaged
HOLDER_KINDS = ("citizen", "foreigner", "legal_entity", "foreign_legal_entity", "government", "state_enterprise",
                "land_bank", "nazhir", "customary_community", "foreign_mission")
TRANSFER_DOCUMENTS = {"sale": "deed", "gift": "deed", "exchange": "deed", "inbreng": "deed", "apbh": "deed",
                      "company_merger": "deed", "auction": "auction_minutes",
                      "inheritance": "inheritance_certificate", "court_decision": "court_order"}
TRANSFER_KINDS = tuple(TRANSFER_DOCUMENTS)
SOURCE_KINDS = ("deed", "decree", "court_order", "survey", "other", "auction_minutes", "inheritance_certificate",
                "hpl_agreement", "consent", "letter")
PARTY_BLOCK_DAYS = 30
AUTHORITIES = frozenset({"police", "prosecutor", "kpk", "court"})
# The grid holds one hectare, so the example lowers HGU's 5 ha to 2.5 cells: 1 and 2 cell parcels
# are too small, 3 and more large enough (no parcel lies near the limit).
HGU_MIN_AREA_M2 = 1000.0
PEOPLE = (
    ("3174011501800001", "Budi Santoso", "citizen"),
    ("3174014403900002", "Sari Dewi", "citizen"),
    ("3174015107880003", "Andi Wijaya", "citizen"),
    ("C3-778812", "John Smith", "foreigner"),
    ("AHU-0012345.AH.01", "PT Maju Jaya", "legal_entity"),  # designated to hold HPL
    ("AHU-0067890.AH.01", "Koperasi Tani Makmur", "legal_entity"),  # designated to hold HM
    ("W3-0042", "Nazhir Masjid Al-Ikhlas", "nazhir"),
    ("PEMKOT-JS", "Pemerintah Kota Jakarta Selatan", "government"),
    ("AHU-0000001.AH.01", "PT Perusahaan Listrik Negara (Persero)", "state_enterprise"),
    ("BBT-01", "Badan Bank Tanah", "land_bank"),
    ("MHA-BADUY", "Masyarakat Hukum Adat Baduy", "customary_community"),
    ("EMB-NL", "Kedutaan Besar Kerajaan Belanda", "foreign_mission"),
    ("HRB-86891", "Siemens AG (perwakilan)", "foreign_legal_entity"),
)
DESIGNATED = {"HM": frozenset({"AHU-0067890.AH.01"}), "HPL": frozenset({"AHU-0012345.AH.01"})}
SOLE_HOLDER = {"HM": 0, "HGU": 0, "HGB": 0, "HP": 3, "HPL": 7, "WAKAF": 6, "HMSRS": 0}  # someone who may hold it
SPLITS: dict[int, list[tuple[str, ...]]] = {1: [("1/1",)], 2: [("1/2", "1/2"), ("1/3", "2/3")],
                                            3: [("1/3", "1/3", "1/3"), ("1/2", "1/4", "1/4")]}
DEED = {"kind": "deed", "number": "AJB-17/2025", "date": "2025-02-01", "sha256": "b" * 64}
SURVEY = {"document_number": "GU-17/2025", "document_sha256": "a" * 64, "surveyed_on": "2025-01-02"}
CONSENT = {"kind": "consent", "number": "BRI-SP-9/2025", "date": "2025-02-15", "sha256": "d" * 64}
CREDITOR = {"id": "bank-1", "name": "Bank Rakyat"}
REQUESTERS = ("Pengadilan Negeri Jakarta Selatan", "Budi Santoso", "BUDI SANTOSO", "Polda Metro Jaya",
              "Kejaksaan Negeri Jakarta Selatan")
ROLES = ("surveyor", "officer", "auditor", "admin")

# -- hostile values, by the kind of slot they go in ----------------------------------------------

HUGE_INT = "@@HUGE_INT@@"  # replaced by a 5000-digit JSON number once the body is serialised
HUGE_FLOAT = "@@HUGE_FLOAT@@"  # replaced by 1e400 (a JSON number no double holds)
OK, BAD, ANY = "valid", "invalid", "either"  # the value is fine / must be refused / may be either
EDGE = "refused at the edge"  # NUL, a lone surrogate or an overlong number: 422 naming where (api/edge.py)
LONG = "9" * 5000
HOSTILE: dict[str, list[tuple[Any, str]]] = {
    "text": [("", BAD), ("   ", BAD), ("\u0000", ANY), ("a\u0000b", ANY), ("\ud800", ANY), ("x\udfffy", ANY),
             (LONG, BAD), ("Ni Luh Putu \u201cAyu\u201d \u00e9 \U0001f3e0", OK),
             ("Robert'); DROP TABLE landreg_events;--", OK)],
    "word": [("", BAD), ("\u0000", BAD), ("\ud800", BAD), (LONG, BAD), ("SALE!", BAD), (None, BAD), (17, BAD)],
    # 0001-01-01 has passed; the rules decide whether a dealing may be dated so (before its title or document).
    "date_past": [("0001-01-01", OK), ("9999-12-31", BAD), ("", BAD), ("\u0000", BAD), ("2025-02-30", BAD),
                  ("2025-W01-1", BAD), (LONG, BAD), ("\ud800", BAD)],
    # The date itself decides (the rule's expectation reads it): 0001-01-01 has passed, 9999-12-31 has not.
    "date_term": [("0001-01-01", OK), ("9999-12-31", OK), ("", BAD), ("\u0000", BAD), ("2025-02-30", BAD),
                  (LONG, BAD), ("\ud800", BAD)],
    "null_only": [("9999-12-31", BAD), ("0001-01-01", BAD), ("", BAD), ("\u0000", BAD)],
    "amount": [(LONG, BAD), ("0", BAD), ("0.00", BAD), ("1e5", BAD), ("", BAD), ("\u0000", BAD), ("1.234", BAD),
               ("999999999999999999.99", OK), (HUGE_INT, BAD), (12345, BAD)],
    "rank": [(HUGE_INT, BAD), (2**63, BAD), (10**30, BAD), (0, BAD), (-1, BAD), (1.5, BAD), (True, BAD), ("x", BAD)],
    "share": [("1/0", BAD), ("0/1", BAD), ("-1/-1", BAD), ("0.5", BAD), ("", BAD), ("\u0000", BAD),
              ("2/2", OK), ("99999999999999999999/99999999999999999999", BAD), ("1" * 5000 + "/" + "1" * 5000, BAD)],
    "village": [("", BAD), ("\u0000", BAD), ("\uff13\uff11\uff17\uff14\uff10\uff11\uff10\uff11", BAD),
                ("31740100", BAD), ("99740101", BAD), (LONG, BAD), ("\ud800", BAD)],
    "coord": [(HUGE_INT, BAD), (HUGE_FLOAT, BAD), ("106.8", BAD), (None, BAD)],
    "nib": [("\u0000", BAD), (LONG, BAD), ("3174010100000", BAD), ("3174010199999", BAD),
            ("317401010000\uff11", BAD), ("31740101000001", BAD)],
    "item": [("\u0000", BAD), ("HT0", BAD), ("X" * 5000, BAD), ("..", BAD), ("BL-1", BAD)],
}
GARBAGE_IF_MATCH: list[tuple[str | bytes, bool]] = [  # (value, is it plainly malformed: 422 naming If-Match)
    ("abc", True), ("", True), ('"-1"', True), ("W/", True), ('"4x"', True), ('"\xb2"'.encode("latin-1"), True),
    ('"' + LONG + '"', False), ('"99999999999999999999"', False),
]



def edge_fault(value: Any) -> bool:
    """Whether the edge refuses this value wherever it stands: a NUL or lone surrogate, or a number
    of more than 40 characters (api/edge.py, registry/domain/values.py: find_fault)."""
    if value == HUGE_INT:
        return True
    return isinstance(value, str) and any(ch == "\u0000" or 0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def edge_field(where: tuple[Any, ...]) -> str:
    """The field the edge names for a slot: 'path' for the URL, else as find_fault spells it."""
    if where[0] in ("<nib>", "<item>"):
        return "path"
    name = str(where[0])
    for step in where[1:]:
        name += f"[{step}]" if isinstance(step, int) else f".{step}"
    return name


# -- failures: one exception class per kind and route, so hypothesis reports each bug apart ------

_FAILURES: dict[str, type[AssertionError]] = {}


def failure_class(kind: str, route: str) -> type[AssertionError]:
    name = f"{kind} at {route}"
    if name not in _FAILURES:
        _FAILURES[name] = type(kind, (AssertionError,), {"__qualname__": name})
    return _FAILURES[name]


def report_failure(kind: str, route: str, message: str) -> None:
    """Fail the example (a hook: a discovery run may record instead)."""
    raise failure_class(kind, route)(f"[{kind}] {route}\n{message}")


# -- commands: drawn by weight (hypothesis' own choice of rules starves some of them) -------------

COMMANDS: dict[str, tuple[int, Callable[[Any], bool] | None, dict[str, st.SearchStrategy[Any]]]] = {}


def command(weight: int, needs: Callable[[Any], bool] | None = None,
            **arguments: st.SearchStrategy[Any]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A command of the machine, drawn `weight` times as often as a command of weight 1."""
    def mark(method: Callable[..., None]) -> Callable[..., None]:
        COMMANDS[method.__name__] = (weight, needs, arguments)
        return method
    return mark


# -- the model -----------------------------------------------------------------------------------


@dataclass
class MTitle:
    number: str
    right_type: str
    holders: list[dict[str, str]]
    ends_on: str | None
    registered: str  # the date it was registered on: no dealing takes effect before it
    status: str = "active"  # active, expired, returned, cancelled, closed
    edition: int = 1
    mortgages: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> rank, status
    blocks: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> kind, requested_by, until, status
    extensions: int = 0
    renewals: int = 0


@dataclass
class MParcel:
    nib: str
    village: str
    cells: frozenset[Cell]
    status: str = "active"
    title: MTitle | None = None
    etag: int = 0
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    past: dict[int, tuple[str, Any]] = field(default_factory=dict)  # ETag -> (status, holders)


@dataclass(frozen=True)
class Expect:
    accept: bool | None  # True: must be accepted with `status`; False: must be refused; None: either
    status: int | None = None
    code: str | None = None  # the problem type /problems/<code>, when the rules decide it
    field: str | None = None  # the problem's `field`, when it must be named
    replay: Any = None  # the KeyRecord whose first answer must come back
    why: str = ""
    label: str = "ReplayMismatch"  # the kind of failure a replay that differs is
    options: tuple[tuple[int | None, str | None], ...] = ()  # refusals that would all do (None: any)


def accept(status: int, why: str = "") -> Expect:
    return Expect(True, status, why=why)


def refuse(status: int | None = None, code: str | None = None, why: str = "", field: str | None = None) -> Expect:
    return Expect(False, status, code, field, why=why)


def refusals(reasons: list[Expect]) -> tuple[tuple[int | None, str | None], ...]:
    """Every (status, problem type) the refusals allow, a refusal for several reasons opened up."""
    return tuple(option for r in reasons for option in (r.options or ((r.status, r.code),)))


def judge(reasons: list[Expect | None], otherwise: Expect) -> Expect:
    """`otherwise` if no reason to refuse applies; the refusal if one does; if several do, any of
    them (the order in which the service checks its rules is its own choice)."""
    found = [r for r in reasons if r is not None and r.accept is False]
    if not found:
        return otherwise
    if len(found) == 1:
        return found[0]
    fields = {r.field for r in found}
    return Expect(False, why="; ".join(r.why for r in found), options=refusals(found),
                  field=fields.pop() if len(fields) == 1 else None)


@dataclass
class KeyRecord:
    signature: tuple[str, str, str]
    status: int
    body: Any
    etag: str | None
    location: str | None
    call: Call
    headers: dict[str, Any]


@dataclass(frozen=True)
class Deco:
    """How a command is sent: who sends it, If-Match, Idempotency-Key, one hostile value, its media type."""

    auth: str = "right"  # right, admin, wrong, none, bogus
    if_match: str = "none"  # none, current, stale, garbage
    garbage: int = 0
    key: str = "none"  # none, fresh, reuse, empty, long, toolong
    pick: int = 0
    hostile: tuple[int, int] | None = None
    media: str = "application/json"  # any +json type is JSON too; others the edge refuses (415)


CLEAN = Deco()
AUTH = ["right"] * 14 + ["admin"] * 2 + ["wrong"] * 2 + ["none", "bogus"]
MEDIA = ["application/json"] * 12 + ["application/merge-patch+json", "text/plain", "application/x-www-form-urlencoded"]
IF_MATCH = ["none"] * 5 + ["current"] * 5 + ["stale"] * 2 + ["garbage"] * 2
KEYS = ["none"] * 6 + ["fresh"] * 3 + ["reuse"] * 2 + ["empty", "long", "toolong"]
hostile_values = st.tuples(st.integers(0, 4), st.integers(0, 30), st.integers(0, 30)).map(
    lambda t: None if t[0] < 3 else (t[1], t[2]))
calm = st.builds(Deco, if_match=st.sampled_from(["none", "current"]), key=st.sampled_from(["none", "fresh"]))
perturbed = st.builds(Deco, st.sampled_from(AUTH), st.sampled_from(IF_MATCH), st.integers(0, len(GARBAGE_IF_MATCH) - 1),
                      st.sampled_from(KEYS), st.integers(0, 1000), hostile_values, st.sampled_from(MEDIA))
decos = st.one_of(st.just(CLEAN), calm, perturbed)  # shrinks towards a clean request
picks = st.integers(0, 1000)
people = st.lists(st.integers(0, len(PEOPLE) - 1), min_size=1, max_size=3, unique=True)
# consents to splitting mortgaged land: each creditor's, one missing, one more, one on a deed, not a list
consent_choices = st.sampled_from(["none", "all", "all", "all_but_one", "extra", "wrong_kind", "not_a_list"])


@dataclass
class Call:
    """One POST: its route, the parcel and item it addresses, its body and hostile slots."""

    template: str  # e.g. /v1/parcels/{nib}/transfers
    body: Any
    role: str  # the role the command needs
    nib: str | None = None
    item: str | None = None
    if_match_route: bool = False  # the route declares If-Match (README: every command on a parcel takes it)
    slots: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.template.format(nib=quote(self.nib or "", safe=""), item=quote(self.item or "", safe=""))

    @property
    def text(self) -> str:
        encoded = json.dumps(self.body)  # ensure_ascii: lone surrogates travel as \ud800 escapes
        return encoded.replace(json.dumps(HUGE_INT), "9" * 5000).replace(json.dumps(HUGE_FLOAT), "1e400")

    @property
    def huge(self) -> bool:
        encoded = json.dumps(self.body)
        return HUGE_INT in encoded or HUGE_FLOAT in encoded

    @property
    def signature(self) -> tuple[str, str, str]:
        return ("POST", self.path, self.text)


def source_slots(prefix: tuple[Any, ...] = ("source",)) -> list[tuple[tuple[Any, ...], str]]:
    return [((*prefix, "kind"), "word"), ((*prefix, "number"), "text"), ((*prefix, "date"), "date_past"),
            ((*prefix, "sha256"), "word")]


def coord_slot(prefix: tuple[Any, ...], geometry: dict[str, Any], vertex: int) -> list[tuple[tuple[Any, ...], str]]:
    """The slot of one coordinate of a Polygon (a MultiPolygon gets none)."""
    if geometry["type"] != "Polygon":
        return []
    return [((*prefix, "coordinates", 0, vertex, vertex % 2), "coord")]


def geometry_of(cells: frozenset[Cell] | set[Cell]) -> dict[str, Any]:
    """GeoJSON (EPSG:4326) of a set of cells; adjoining cells share their exact corners."""
    union = shapely.unary_union([CELL_SHAPES[c] for c in sorted(cells)])
    if union.geom_type == "Polygon":
        union = shapely.geometry.polygon.orient(union)
    else:
        union = shapely.geometry.MultiPolygon([shapely.geometry.polygon.orient(p) for p in union.geoms])
    return json.loads(json.dumps(shapely.geometry.mapping(union)))


def rectangle(c: int, r: int, w: int, h: int) -> frozenset[Cell]:
    return frozenset((i, j) for i in range(c, min(c + w, GRID)) for j in range(r, min(r + h, GRID)))


def neighbours(cell: Cell) -> list[Cell]:
    c, r = cell
    return [(c + 1, r), (c - 1, r), (c, r + 1), (c, r - 1)]


def connected(cells: frozenset[Cell] | set[Cell]) -> bool:
    """4-connected, and no two cells meet at a corner only (that would pinch the polygon)."""
    if not cells:
        return False
    for c, r in cells:
        for dc, dr in ((1, 1), (1, -1)):
            if (c + dc, r + dr) in cells and (c + dc, r) not in cells and (c, r + dr) not in cells:
                return False
    seen, todo = set(), [next(iter(cells))]
    while todo:
        cell = todo.pop()
        if cell in seen:
            continue
        seen.add(cell)
        todo.extend(n for n in neighbours(cell) if n in cells)
    return seen == set(cells)


def share_text(value: str) -> str:
    """A share as the registry stores it: 'p/q' in lowest terms."""
    numerator, _, denominator = value.partition("/")
    if len(numerator) > 4000 or len(denominator) > 4000:  # int() refuses these; 1…1/1…1 is 1
        return "1/1" if numerator == denominator else value
    fraction = Fraction(int(numerator), int(denominator))
    return f"{fraction.numerator}/{fraction.denominator}"


def normal(holders: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"id": h["id"], "name": h["name"], "kind": h["kind"], "share": share_text(h["share"])} for h in holders]


def eligible(right_type: str, holders: list[dict[str, str]]) -> bool:
    """Invariant 6: every holder's kind may hold the right; a legal entity holds HM or HPL only if
    designated (the example designates one for each)."""
    for holder in holders:
        if holder["kind"] not in HOLDERS[right_type]:
            return False
        if holder["kind"] == "legal_entity" and right_type in DESIGNATED and holder["id"] not in DESIGNATED[right_type]:
            return False
    return True


def dealt(right_type: str, ends_on: str | None, act: str) -> Expect | None:
    """The refusal of a transfer or mortgage of a right that may not be dealt with so: wakaf and HPL,
    and a hak pakai held without a term."""
    if right_type in NOT_DEALT:
        return refuse(409, "dealing_not_allowed", f"{right_type} may not be the object of a {act}")
    if right_type in TERMED and ends_on is None:
        return refuse(409, "dealing_not_allowed", f"{right_type} held without a term may not be the object of a {act}")
    return None


def add_years(start: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def later(day: str, years: int = 0, days: int = 0) -> str:
    """An ISO date `years` and `days` after `day`, kept within the calendar."""
    try:
        return (add_years(date.fromisoformat(day), years) + timedelta(days=days)).isoformat()
    except (OverflowError, ValueError):
        return "9999-12-31"


def dated(value: Any) -> str | None:
    """An ISO date as the registry takes it, or None."""
    return value if parse_day(value) is not None else None


def person(index: int) -> dict[str, str]:
    return {"id": PEOPLE[index][0], "name": PEOPLE[index][1], "kind": PEOPLE[index][2], "share": "1/1"}


def merger_key(title: Any) -> tuple[Any, ...]:
    """What titles merged into one must share: right type, holders with their shares, end date."""
    return title.right_type, tuple(sorted((h["id"], h["share"]) for h in title.holders)), title.ends_on


def holders_of(who: list[int], split: int, names: str = "") -> list[dict[str, str]]:
    shares = SPLITS[len(who)][split % len(SPLITS[len(who)])]
    return [{"id": PEOPLE[i][0], "name": PEOPLE[i][1] + names, "kind": PEOPLE[i][2], "share": s}
            for i, s in zip(who, shares, strict=True)]


def parse_day(value: Any) -> date | None:
    """A date 'YYYY-MM-DD' (not the other spellings fromisoformat takes, such as week dates)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def short(value: Any, limit: int = 600) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=True, default=str)
    return shown if len(shown) <= limit else f"{shown[:limit]}… ({len(shown)} characters)"


class Example:
    """One example's service: a fresh registry of the backend under test, its app, tokens, client."""

    def __init__(self, base: Settings, folder: Path, number: int, clock: Callable[[], date]) -> None:
        update: dict[str, Any] = {
            "audit_anchor_file": folder / f"anchor-{number}.jsonl", "hgu_min_area_m2": HGU_MIN_AREA_M2,
            "hm_designated_entities": sorted(DESIGNATED["HM"]), "hpl_designated_entities": sorted(DESIGNATED["HPL"]),
        }
        if base.store == "sqlite":
            self.file = folder / f"example-{number}.db"
            update["database_url"] = f"sqlite:///{self.file}"
        self.settings = base.model_copy(update=update)
        self.services: Services = build(self.settings, clock=clock)
        if self.settings.store == "postgresql":
            wipe(self.services.registry)
        self.app = create_app(services=self.services)
        self.client = TestClient(self.app, raise_server_exceptions=False, follow_redirects=False)
        self.client.__enter__()
        self.users = {role: f"{role}-stateful" for role in ROLES}
        self.tokens = {role: bearer(self.app.state.tokens.create(self.users[role], role)) for role in ROLES}

    def close(self) -> None:
        self.client.__exit__(None, None, None)  # the lifespan closes the services
        if self.settings.store == "sqlite":
            for leftover in self.file.parent.glob(self.file.name + "*"):
                leftover.unlink(missing_ok=True)


class RegistryMachine(RuleBasedStateMachine):
    """Set `base` (settings of the backend under test) and `folder` on a subclass before running."""

    base: Settings
    folder: Path
    numbers = count()

    def __init__(self) -> None:
        super().__init__()
        self.today = TODAY
        self.world = Example(self.base, self.folder, next(self.numbers), lambda: self.today)
        self.parcels: dict[str, MParcel] = {}
        self.nib_serials: dict[str, int] = {v: 0 for v in VILLAGES}
        self.title_serials: dict[tuple[str, str], int] = {}
        self.keys: dict[tuple[str | None, str], KeyRecord] = {}
        self.keyed: list[tuple[str | None, str]] = []
        self.fresh = count(1)
        self.trail: list[str] = []
        self.steps = 0
        self.failed = False
        self.hostile = "none"
        self.edge = ""

    # -- sending, and the checks every answer gets ------------------------------------------------

    def fail(self, kind: str, route: str, message: str) -> None:
        self.failed = True
        trail = "\n".join(f"  {n + 1:3}. {line}" for n, line in enumerate(self.trail[-60:]))
        report_failure(kind, route, f"{message}\nrequests of this example (clock {self.today}):\n{trail}")

    def client(self) -> TestClient:
        return self.world.client

    def get(self, path: str, role: str = "auditor", **params: Any) -> Any:
        response = self.client().get(path, params=params or None, headers=self.world.tokens[role])
        self.check_answer(response, f"GET {path.split('?')[0]}", f"GET {path} {params or ''} as {role}")
        return response

    def check_answer(self, response: Any, route: str, request: str) -> None:
        """Never a 5xx; every 4xx is a problem with type, title, status and detail."""
        status = response.status_code
        if status >= 500:
            self.fail("ServerError", route, f"{request}\n-> {status} {short(response.text)}")
        if 400 <= status < 500:
            kind = response.headers.get("content-type", "").split(";")[0]
            try:
                body = response.json()
            except ValueError:
                body = None
            if kind != PROBLEM or not isinstance(body, dict):
                self.fail("NotAProblem", route, f"{request}\n-> {status} {kind} {short(response.text)}")
            missing = {"type", "title", "status", "detail"} - set(body)
            if missing or type(body["status"]) is not int or body["status"] != status:
                self.fail("NotAProblem", route, f"{request}\n-> {status} problem without {missing} or with "
                                                f"another status: {short(body)}")

    def headers_for(self, call: Call, deco: Deco) -> tuple[dict[str, Any], str | None, str | None]:
        """The request headers, the user acting (None: no valid token) and the key sent."""
        headers: dict[str, Any] = {"Content-Type": deco.media}
        role = {"right": call.role, "admin": "admin"}.get(deco.auth)
        if deco.auth == "wrong":
            role = ("auditor", "surveyor" if call.role == "officer" else "officer")[deco.pick % 2]
        if role is not None:
            headers.update(self.world.tokens[role])
        elif deco.auth == "bogus":
            headers["Authorization"] = "Bearer lr_not-a-token"
        user = self.world.users[role] if role else None
        key = None
        if deco.key == "fresh":
            key = f"k-{next(self.fresh)}"
        elif deco.key == "long":
            key = f"L{next(self.fresh)}-".ljust(100, "x")
        elif deco.key == "toolong":
            key = f"T{next(self.fresh)}-".ljust(101, "x")
        elif deco.key == "empty":
            key = ""
        elif deco.key == "reuse":
            mine = [k for u, k in self.keyed if u == user]
            key = mine[deco.pick % len(mine)] if mine else f"k-{next(self.fresh)}"
        if key is not None:
            headers["Idempotency-Key"] = key
        if call.nib is not None and deco.if_match != "none":
            parcel = self.parcels.get(call.nib)
            current = parcel.etag if parcel else 1
            if deco.if_match == "current":
                headers["If-Match"] = f'"{current}"'
            elif deco.if_match == "stale":
                headers["If-Match"] = f'"{current - 1}"'
            else:
                headers["If-Match"] = GARBAGE_IF_MATCH[deco.garbage][0]
        return headers, user, key

    def mutate(self, call: Call, hostile: tuple[int, int] | None) -> str | None:
        """Put one hostile value in one slot of the call; returns how the value must be taken."""
        slots = list(call.slots)
        if call.nib is not None:
            slots.append((("<nib>",), "nib"))
        if call.item is not None:
            slots.append((("<item>",), "item"))
        self.hostile = "none"
        self.edge = ""
        if hostile is None or not slots:
            return None
        where, kind = slots[hostile[0] % len(slots)]
        value, verdict = HOSTILE[kind][hostile[1] % len(HOSTILE[kind])]
        if edge_fault(value):
            verdict = EDGE
            self.edge = edge_field(where)
        self.hostile = f"{'.'.join(map(str, where))} = {short(value, 40)} ({kind}, {verdict})"
        if where == ("<nib>",):
            call.nib = value
        elif where == ("<item>",):
            call.item = value
        else:
            holder: Any = call.body
            for step in where[:-1]:
                holder = holder[step]
            holder[where[-1]] = value
        return verdict

    def expectation(self, call: Call, deco: Deco, verdict: str | None, user: str | None, key: str | None,
                    domain: Callable[[Any], Expect]) -> Expect:
        """What the answer must be. Every reason to refuse the request is collected: with one, the
        answer must be exactly that refusal; with several, any of them (which the service checks
        first is its own affair, and has changed). A repeat of an accepted keyed request must get
        the first answer, whatever its If-Match says now."""
        # The edge, before any route (no token, key, If-Match or rule is looked at): the URL, the media type, the body.
        if verdict == EDGE and self.edge == "path":
            return refuse(422, "invalid_input", "the edge refuses an unfit value in the path", field="path")
        if deco.media != "application/json" and not deco.media.endswith("+json"):
            return refuse(415, "unsupported_media_type", f"a body sent as {deco.media}")
        if verdict == EDGE:
            return refuse(422, "invalid_input", f"the edge refuses an unfit value in {self.edge}", field=self.edge)
        reasons: list[Expect] = []
        if call.huge:
            reasons.append(refuse(why="a JSON number no parser should take"))
        if deco.auth in ("none", "bogus"):
            reasons.append(refuse(401, "unauthorized", "no valid token"))
        elif deco.auth == "wrong":
            reasons.append(refuse(403, "forbidden", "a role that may not send this"))
        if_match: list[Expect] = []
        if call.nib is not None and deco.if_match != "none" and call.nib not in self.parcels:
            if_match.append(refuse(404, "not_found", "an If-Match on a parcel that does not exist"))
        if call.nib is not None and deco.if_match in ("stale", "garbage"):
            route = call.if_match_route
            ignored = "" if route else ", on a route that changes an existing parcel (README: stale is 409)"
            if deco.if_match == "garbage":
                plain = route and GARBAGE_IF_MATCH[deco.garbage][1]
                if_match.append(refuse(422 if plain else None, "invalid_input" if plain else None,
                                       f"a garbage If-Match{ignored}", field="If-Match" if plain else None))
            elif call.nib in self.parcels:
                if_match.append(refuse(409 if route else None, "version_conflict" if route else None,
                                       f"a stale If-Match{ignored}"))
        if key and (user, key) in self.keys:
            record = self.keys[(user, key)]
            if record.signature == call.signature:
                if reasons:
                    return self.any_of(reasons, verdict)
                label = "ReplayRefusedForItsOwnIfMatch" if deco.if_match == "stale" else "ReplayMismatch"
                lenient = deco.if_match == "garbage"  # a malformed header may be refused before the lookup
                return Expect(None, replay=record, why="a repeat of an accepted request with its key",
                              label=label, options=((422, None),) if lenient else ())
            reasons.append(refuse(422, "command_id_reused", "a key reused for another request"))
        reasons.extend(if_match)
        if verdict == BAD:
            reasons.append(refuse(why="a hostile value that must be refused"))
            return self.any_of(reasons, verdict)
        outcome = domain(call.body)
        if outcome.accept is False:
            reasons.append(outcome)
        if reasons:
            return self.any_of(reasons, verdict)
        if verdict == ANY:
            return Expect(None, outcome.status, why=f"{outcome.why} (with a hostile value)")
        return outcome

    @staticmethod
    def any_of(reasons: list[Expect], verdict: str | None) -> Expect:
        """A refusal for any of `reasons` (a hostile value may be refused for itself as well)."""
        if len(reasons) == 1 and verdict not in (BAD, ANY):
            return reasons[0]
        options = refusals(reasons)
        if verdict in (BAD, ANY):
            options += ((None, None),)
        return Expect(False, why="; ".join(r.why for r in reasons), options=options)

    def send(self, call: Call, deco: Deco, domain: Callable[[Any], Expect],
             apply: Callable[[Any, dict[str, Any]], tuple[list[str], str | None]]) -> Any:
        """Send a command, check its answer against the model, and on acceptance update and read back."""
        call = copy.deepcopy(call)
        verdict = self.mutate(call, deco.hostile)
        headers, user, key = self.headers_for(call, deco)
        expect = self.expectation(call, deco, verdict, user, key, domain)
        return self.post(call, headers, user, key, expect, apply)

    def post(self, call: Call, headers: dict[str, Any], user: str | None, key: str | None, expect: Expect,
             apply: Callable[[Any, dict[str, Any]], tuple[list[str], str | None]]) -> Any:
        route = f"POST {call.template}"
        registry = self.world.services.registry
        before = store_state(registry)
        response = self.client().post(call.path, content=call.text.encode(), headers=headers)
        after = store_state(registry)
        shown = {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in headers.items()
                 if k != "Authorization"}
        who = next((r for r, t in self.world.tokens.items() if t.get("Authorization") == headers.get("Authorization")),
                   headers.get("Authorization", "no token"))
        request = f"POST {short(call.path, 120)} as {who} {short(shown, 300)} {short(call.text, 700)}"
        status = response.status_code
        self.trail.append(f"{request} -> {status} {short(response.text, 300)}")
        self.check_answer(response, route, f"{request}\nhostile value: {self.hostile}")
        wrote = before != after
        answer = f"{request}\n-> {status} {short(response.text)}\nhostile value: {self.hostile}\nexpected: {expect}"
        if status >= 400 and wrote:
            self.fail("RefusalWrote", route, f"{answer}\nthe refusal changed the store: {self.diff(before, after)}")
        if key == "" and user is not None:
            with registry.engine.connect() as connection:
                kept = connection.execute(text("SELECT count(*) FROM landreg_commands WHERE command_id = :id"),
                                          {"id": f"http:{user}:"}).scalar_one()
            if kept:
                self.fail("EmptyKeyKept", route, f"{answer}\nan empty Idempotency-Key is stored as a key")
        if key == "" and status == 422 and response.json().get("type") == "/problems/command_id_reused":
            self.fail("EmptyKeyKept", route, f"{answer}\nan empty Idempotency-Key was kept as the key of an "
                                             "earlier request")
        # An empty key is no key, and one over 100 characters may be refused: either way, naming the header.
        key_refused = (key is not None and (key == "" or len(key) > 100) and status == 422
                       and "Idempotency-Key" in str(response.json().get("field")))
        if expect.replay is not None:
            record: KeyRecord = expect.replay
            lenient = any(s == status for s, _ in expect.options) and not wrote
            if not lenient and ((status, response.json()) != (record.status, record.body) or wrote):
                self.fail(expect.label, route, f"{answer}\nfirst answer: {record.status} {short(record.body)}"
                                                   f"{' and the repeat wrote' if wrote else ''}")
            for name, first in (("etag", record.etag), ("location", record.location)):
                if first is not None and response.headers.get(name) != first:
                    self.fail(expect.label, route, f"{answer}\n{name} was {first}, now {response.headers.get(name)}")
            return response
        if expect.accept is True and status != expect.status and not key_refused:
            kind = "UnexpectedRefusal" if status >= 400 else "WrongStatus"
            self.fail(kind, route, f"{answer}\nthe model expected {expect.status}: {expect.why}")
        if expect.accept is False and status < 400:
            kind = "IfMatchIgnored" if "README: stale is 409" in expect.why else "UnexpectedAcceptance"
            self.fail(kind, route, f"{answer}\nthe model expected a refusal: {expect.why}")
        if expect.accept is False and not key_refused:
            body = response.json()
            options = expect.options or ((expect.status, expect.code),)
            if not any(s in (None, status) for s, _ in options):
                self.fail("WrongStatus", route, f"{answer}\nthe model expected one of {options}: {expect.why}")
            if not any(s in (None, status) and c in (None, body.get("type", "")[len("/problems/"):])
                       for s, c in options):
                self.fail("WrongProblem", route, f"{answer}\nthe model expected one of {options}: {expect.why}")
            if expect.field is not None and expect.field not in str(body.get("field")):
                self.fail("WrongProblem", route, f"{answer}\nthe problem must name {expect.field}: {expect.why}")
        if expect.accept is None and expect.status is not None and status < 400 and status != expect.status:
            self.fail("WrongStatus", route, f"{answer}\nthe model expected {expect.status} or a refusal")
        if status >= 400:
            return response
        if not wrote or len(after["events"]) <= len(before["events"]):
            self.fail("AcceptedWroteNothing", route, f"{answer}\nan accepted command wrote no event")
        touched, versioned = apply(call.body, response.json())
        if key:
            self.keys[(user, key)] = KeyRecord(call.signature, status, response.json(), response.headers.get("etag"),
                                               response.headers.get("location"), call, headers)
            self.keyed.append((user, key))
        self.read_back(touched, route, answer, response, versioned)
        return response

    @staticmethod
    def diff(before: dict[str, Any], after: dict[str, Any]) -> str:
        return "; ".join(f"{name}: {len(before[name])} -> {len(after[name])} rows, "
                         f"new {short(list(set(after[name]) - set(before[name])), 200)}"
                         for name in before if before[name] != after[name])

    # -- reading back what the model says --------------------------------------------------------

    def read_back(self, nibs: list[str], route: str, answer: str, response: Any = None,
                  versioned: str | None = None) -> None:
        for nib in dict.fromkeys(nibs):
            self.check_parcel(self.parcels[nib], route, answer)
        if versioned is not None and response is not None:
            version = response.json().get("version")
            if version != self.parcels[versioned].etag:
                self.fail("Readback", route, f"{answer}\nthe answer's version {version} is not the parcel's ETag "
                                             f"{self.parcels[versioned].etag}")
            etag = response.headers.get("etag")
            if etag is not None and etag != f'"{version}"':
                self.fail("Readback", route, f"{answer}\nETag header {etag} but version {version}")
            number = response.json().get("certificate_hash")
            parcel = self.parcels[versioned]
            if number is not None and parcel.title is not None:
                shown = self.client().get(f"/v1/parcels/{versioned}", headers=self.world.tokens["auditor"]).json()
                if shown["properties"]["title"]["certificate_hash"] != number:
                    self.fail("Readback", route, f"{answer}\nthe certificate hash answered is not the one shown")

    def check_parcel(self, parcel: MParcel, route: str, answer: str) -> None:
        response = self.get(f"/v1/parcels/{parcel.nib}")
        where = f"{answer}\nGET /v1/parcels/{parcel.nib} -> {response.status_code}"
        if response.status_code != 200:
            self.fail("Readback", route, f"{where} {short(response.text)}")
        feature = response.json()
        shown = feature["properties"]
        etag = response.headers.get("etag")

        def differ(what: str, got: Any, want: Any) -> None:
            if got != want:
                self.fail("Readback", f"{route} ({what})", f"{where}\n{what}: shown {short(got)}, model {short(want)}")

        differ("ETag", etag, f'"{shown["version"]}"')
        if shown["version"] < parcel.etag:
            differ("version moves forward", shown["version"], f">= {parcel.etag}")
        parcel.etag = shown["version"]
        differ("status", shown["status"], parcel.status)
        differ("village", shown["village_code"], parcel.village)
        differ("parents", sorted(shown["parents"]), sorted(parcel.parents))
        differ("children", sorted(shown["children"]), sorted(parcel.children))
        if abs(shown["area_m2"] - CELL_M * CELL_M * len(parcel.cells)) > 0.5:
            differ("area", shown["area_m2"], CELL_M * CELL_M * len(parcel.cells))
        title, model = shown["title"], parcel.title
        if model is None:
            differ("title", title, None)
        else:
            if title is None:
                differ("title", None, model.number)
            differ("certificate number", title["certificate_number"], model.number)
            differ("right type", title["right_type"], model.right_type)
            differ("title status", title["status"], model.status)
            differ("holders", title["holders"], model.holders)
            differ("ends_on", title["ends_on"], model.ends_on)
            differ("edition", title["edition"], model.edition)
            differ("mortgages", {m["mortgage_id"]: m["rank"] for m in title["mortgages"]},
                   {k: m["rank"] for k, m in model.mortgages.items() if m["status"] == "active"})
            differ("blocks", {b["block_id"]: (b["kind"], b["requested_by"], b["until"]) for b in title["blocks"]},
                   {k: (b["kind"], b["requested_by"], b["until"]) for k, b in model.blocks.items()
                    if b["status"] == "active"})
        parcel.past[parcel.etag] = (parcel.status, None if model is None else copy.deepcopy(model.holders))

    # -- model helpers ---------------------------------------------------------------------------

    def pick(self, pick: int) -> str:
        """A parcel of the model (in any state), or now and then one that does not exist."""
        if not self.parcels or pick % 17 == 16:
            return f"{VILLAGES[0]}{99_000 + pick % 900:05d}"
        nibs = list(self.parcels)
        return nibs[pick % len(nibs)]

    def aim(self, pick: int, wanted: Callable[[MParcel, MTitle], bool]) -> str:
        """Mostly a parcel whose title is as `wanted`; now and then any parcel, or none."""
        fit = [p.nib for p in self.parcels.values() if p.title is not None and wanted(p, p.title)]
        if fit and pick % 5 != 4:
            return fit[pick % len(fit)]
        return self.pick(pick)

    def aim_parcel(self, pick: int, wanted: Callable[[MParcel], bool]) -> str:
        fit = [p.nib for p in self.parcels.values() if wanted(p)]
        if fit and pick % 5 != 4:
            return fit[pick % len(fit)]
        return self.pick(pick)

    def mergeable(self) -> list[tuple[str, str]]:
        """Pairs of touching active parcels of one village whose titles allow a merger."""
        pairs = []
        for one in self.parcels.values():
            for two in self.parcels.values():
                if one.nib >= two.nib or one.status != "active" or two.status != "active" or one.village != two.village:
                    continue
                if not any(n in two.cells for cell in one.cells for n in neighbours(cell)):
                    continue
                titles = [self.carried_title(one), self.carried_title(two)]
                if any(gate is not None for _, gate in titles):
                    continue
                kept = [t for t, _ in titles if t is not None]
                if len(kept) == 1 or any(m["status"] == "active" for t in kept for m in t.mortgages.values()):
                    continue
                if len({merger_key(t) for t in kept}) > 1:
                    continue
                pairs.append((one.nib, two.nib))
        return pairs

    def ended(self, title: MTitle) -> bool:
        return title.ends_on is not None and date.fromisoformat(title.ends_on) < self.today

    def live(self, title: MTitle) -> bool:
        return title.status == "active" and not self.ended(title)

    def frozen(self, title: MTitle) -> bool:
        return any(self.running(b) for b in title.blocks.values())

    def running(self, block: dict[str, Any]) -> bool:
        """Recorded as active and its last day not passed."""
        return block["status"] == "active" and (block["until"] is None
                                                or date.fromisoformat(block["until"]) >= self.today)

    def renewable_on(self, title: MTitle, day: str) -> bool:
        """Whether a renewal applied for on `day` may be granted: once, within two years after the end."""
        end = title.ends_on
        return title.renewals == 0 and end is not None and end < day <= later(end, RENEWAL_WINDOW_YEARS)

    def overlapping(self, cells: frozenset[Cell], but: str | None = None) -> list[str]:
        return [p.nib for p in self.parcels.values() if p.status == "active" and p.nib != but and p.cells & cells]

    def new_nib(self, village: str) -> str:
        self.nib_serials[village] += 1
        return f"{village}{self.nib_serials[village]:05d}"

    def new_number(self, village: str, right_type: str) -> str:
        digit = RIGHT_DIGITS[right_type]
        serial = self.title_serials.get((village, digit), 0) + 1
        self.title_serials[(village, digit)] = serial
        return f"{village}{digit}{serial:05d}"

    def title_gate(self, nib: str) -> tuple[MParcel | None, MTitle | None, Expect | None]:
        """The parcel and title a title command addresses, or the refusal of a missing one."""
        parcel = self.parcels.get(nib)
        if parcel is None:
            return None, None, refuse(404, "not_found", "no such parcel")
        if parcel.title is None:
            return parcel, None, refuse(404, "not_found", "the parcel has no title")
        return parcel, parcel.title, None

    def require_live(self, title: MTitle) -> Expect | None:
        if title.status != "active":
            return refuse(409, "title_not_active", f"the title is {title.status}")
        if self.ended(title):
            return refuse(409, "title_not_active", f"the term ended on {title.ends_on}")
        return None

    def require_unfrozen(self, title: MTitle) -> Expect | None:
        return refuse(409, "title_blocked", "the title is blocked") if self.frozen(title) else None

    def carried_title(self, parcel: MParcel) -> tuple[MTitle | None, Expect | None]:
        """The title a subdivision, separation or merger carries on (none if cancelled or expired)."""
        title = parcel.title
        if title is None or title.status in ("cancelled", "expired"):
            return None, None
        return title, judge([self.require_live(title), self.require_unfrozen(title)], None)  # type: ignore[arg-type]

    def successor(self, title: MTitle, child: MParcel, registered: str) -> MTitle:
        """The child's title: the same right, holders, term and active mortgages, registered anew (as
        the service does it, a new title: its one extension and one renewal are not used yet)."""
        number = self.new_number(child.village, title.right_type)
        carried = {k: dict(m) for k, m in title.mortgages.items() if m["status"] == "active"}
        return MTitle(number, title.right_type, copy.deepcopy(title.holders), title.ends_on, registered,
                      mortgages=carried)

    @staticmethod
    def end_mortgages(title: MTitle) -> None:
        """Hak tanggungan ends with the right it burdens (UU 4/1996 art. 18(1)d)."""
        for mortgage in title.mortgages.values():
            if mortgage["status"] == "active":
                mortgage["status"] = "ended"

    def dated_from(self, title: MTitle, body: Any) -> Expect | None:
        """A dealing takes effect (effective_at, else its document's date) on or after the title's registration."""
        effective = body.get("effective_at") or body["source"]["date"]
        where = "effective_at" if body.get("effective_at") else "source.date"
        if dated(effective) and effective < title.registered:
            return refuse(422, "invalid_input", f"{where} {effective} lies before the title's registration on "
                                                f"{title.registered}", field=where)
        return None

    # -- consents to splitting mortgaged land ---------------------------------------------------

    @staticmethod
    def consents_of(how: str, title: MTitle | None) -> tuple[Any, set[str]]:
        """The `consents` a subdivision or separation sends, and the mortgages they consent to."""
        active = sorted(k for k, m in title.mortgages.items() if m["status"] == "active") if title else []
        given = {"none": [], "all": active, "all_but_one": active[1:], "extra": [*active, "HT99"],
                 "wrong_kind": active or ["HT1"], "not_a_list": active[:1] or ["HT1"]}[how]
        consents: Any = [{"mortgage_id": m, "source": dict(CONSENT)} for m in given]
        if how == "none":
            return None, set()
        if how == "wrong_kind":
            consents[0]["source"]["kind"] = "deed"
        if how == "not_a_list":
            consents = consents[0]
        return consents, set(given)

    @staticmethod
    def consent_slots(consents: Any) -> list[tuple[tuple[Any, ...], str]]:
        if not isinstance(consents, list) or not consents:
            return []
        return [(("consents", 0, "source", "date"), "date_past"), (("consents", 0, "source", "number"), "text")]

    def consent_faults(self, body: Any) -> Expect | None:
        consents = body.get("consents")
        if consents is None:
            return None
        if not isinstance(consents, list):
            return refuse(422, "invalid_input", "consents is not a list", field="consents")
        for index, item in enumerate(consents):
            if item["source"]["kind"] != "consent":
                return refuse(422, "invalid_input", "a consent rests on a document of kind consent",
                              field=f"consents[{index}].source.kind")
            day = parse_day(item["source"]["date"])
            if day is not None and day > self.today:
                return refuse(422, "future_date", "a consent dated in the future")
        return None

    def missing_consents(self, title: MTitle | None, consented: set[str]) -> Expect | None:
        if title is None:
            return None
        missing = sorted(k for k, m in title.mortgages.items() if m["status"] == "active" and k not in consented)
        if missing:
            return refuse(409, "mortgage_invalid", f"no creditor's consent for {missing}")
        return None

    # -- rules: parcels --------------------------------------------------------------------------

    def survey_call(self, cells: frozenset[Cell], village: str) -> Call:
        body: dict[str, Any] = {"village_code": village, "geometry": geometry_of(cells), "survey": dict(SURVEY)}
        slots = [(("village_code",), "village"), (("survey", "document_number"), "text"),
                 (("survey", "surveyed_on"), "date_past"), (("survey", "document_sha256"), "word"),
                 *coord_slot(("geometry",), body["geometry"], 1)]
        return Call("/v1/parcels", body, "surveyor", slots=slots)

    def survey(self, cells: frozenset[Cell], village: str, deco: Deco) -> None:
        def domain(body: Any) -> Expect:
            if self.overlapping(cells):
                return refuse(409, "overlap", f"overlaps {self.overlapping(cells)}")
            return accept(201, "a survey on free land")

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            village_code = body["village_code"]
            nib = self.new_nib(village_code)
            if answer.get("nib") != nib:
                self.fail("Serials", "POST /v1/parcels", f"NIB {answer.get('nib')} answered, {nib} expected")
            self.parcels[nib] = MParcel(nib, village_code, cells)
            return [nib], nib

        self.send(self.survey_call(cells, village), deco, domain, apply)

    @initialize(spots=st.lists(st.tuples(st.integers(0, GRID - 1), st.integers(0, GRID - 1), st.integers(1, 2),
                                         st.integers(1, 2), st.integers(0, 9)), min_size=2, max_size=5),
                rights=st.lists(st.tuples(st.sampled_from(RIGHTS), people, st.integers(0, 1)), max_size=3))
    def start(self, spots: list[tuple[int, int, int, int, int]], rights: list[tuple[str, list[int], int]]) -> None:
        """A few parcels on free land, some of them titled, all sent cleanly."""
        for c, r, w, h, v in spots:
            cells = rectangle(c, r, w, h)
            if not self.overlapping(cells):
                self.survey(cells, VILLAGES[v // 8], CLEAN)
        for (right_type, who, split), nib in zip(rights, list(self.parcels), strict=False):
            self.register_title_on(nib, right_type, who, split, 365, None, 0, CLEAN)

    @command(3, c=st.integers(0, GRID - 1), r=st.integers(0, GRID - 1), w=st.integers(1, 2), h=st.integers(1, 2),
          village=st.integers(0, 9), aim=st.booleans(), deco=decos)
    def survey_rule(self, c: int, r: int, w: int, h: int, village: int, aim: bool, deco: Deco) -> None:
        cells = rectangle(c, r, w, h)
        if aim and self.overlapping(cells):  # aim at free land, next to a parcel where there is some
            free = [cell for cell in CELL_SHAPES if not self.overlapping(frozenset([cell]))]
            near = [cell for cell in free if any(self.overlapping(frozenset([n])) for n in neighbours(cell))]
            if near or free:
                cells = frozenset([(near or free)[(c * GRID + r) % len(near or free)]])
        self.survey(cells, VILLAGES[village // 8], deco)

    @command(2, pick=picks, c=st.integers(0, GRID - 1), r=st.integers(0, GRID - 1), w=st.integers(1, 2),
          h=st.integers(1, 2), deco=decos)
    def correct_boundary(self, pick: int, c: int, r: int, w: int, h: int, deco: Deco) -> None:
        nib = self.aim_parcel(pick, lambda p: p.status == "active")
        cells = rectangle(c, r, w, h)
        body = {"geometry": geometry_of(cells), "survey": dict(SURVEY)}
        call = Call("/v1/parcels/{nib}/boundary", body, "surveyor", nib=nib, if_match_route=True,
                    slots=[(("survey", "document_number"), "text"), (("survey", "surveyed_on"), "date_past"),
                           *coord_slot(("geometry",), body["geometry"], 0)])

        def domain(body: Any) -> Expect:
            parcel = self.parcels.get(nib)
            if parcel is None:
                return refuse(404, "not_found", "no such parcel")
            overlap = self.overlapping(cells, but=nib)
            return judge([refuse(409, "parcel_not_active", "the parcel is retired")
                          if parcel.status != "active" else None,
                          refuse(409, "overlap", f"overlaps {overlap}") if overlap else None],
                         accept(200, "a boundary correction on free land"))

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            parcel = self.parcels[nib]
            parcel.cells = cells
            if parcel.title is not None and self.live(parcel.title):
                parcel.title.edition += 1
            return [nib], nib

        self.send(call, deco, domain, apply)

    @command(2, needs=lambda self: self.parcels, pick=picks,
          parts=st.sampled_from(["cells", "cells", "cells", "gap", "twice", "one", "outside"]),
          consent=consent_choices, deco=decos)
    def subdivide(self, pick: int, parts: str, consent: str, deco: Deco) -> None:
        nib = self.aim_parcel(pick, lambda p: p.status == "active" and len(p.cells) > 1)
        parcel = self.parcels.get(nib)
        cells = sorted(parcel.cells) if parcel else [(0, 0), (1, 0)]
        chosen = [frozenset([c]) for c in cells]
        if parts == "gap" and len(chosen) > 2:
            chosen = chosen[:-1]
        elif parts == "twice":
            chosen = [*chosen, chosen[0]]
        elif parts == "one":
            chosen = [frozenset(cells)]
        elif parts == "outside":
            outside = [c for c in CELL_SHAPES if c not in cells]
            chosen = [*chosen[1:], frozenset([outside[pick % len(outside)]])]
        body: dict[str, Any] = {"parts": [{"geometry": geometry_of(part)} for part in chosen], "source": dict(DEED)}
        consents, consented = self.consents_of(consent, parcel.title if parcel else None)
        if consents is not None:
            body["consents"] = consents
        call = Call("/v1/parcels/{nib}/subdivision", body, "officer", nib=nib, if_match_route=True,
                    slots=[*source_slots(), *coord_slot(("parts", 0, "geometry"), body["parts"][0]["geometry"], 1),
                           *self.consent_slots(consents)])
        tiles = len(chosen) >= 2 and sorted(c for part in chosen for c in part) == cells

        def domain(body: Any) -> Expect:
            reasons = [self.consent_faults(body)]
            if len(chosen) < 2:
                reasons.append(refuse(422, "subdivision_invalid", "a subdivision needs two parts"))
            if parcel is None:
                return judge([*reasons, refuse(404, "not_found", "no such parcel")], accept(201))
            if parcel.status != "active":
                reasons.append(refuse(409, "parcel_not_active", "the parcel is retired"))
            if not tiles:
                reasons.append(refuse(422, "subdivision_invalid", f"the parts ({parts}) do not tile the parcel"))
            title, gate = self.carried_title(parcel)
            reasons += [gate, self.missing_consents(title, consented) if parcel.status == "active" else None]
            return judge(reasons, accept(201, "a subdivision into the parcel's cells"))

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            assert parcel is not None
            title, _ = self.carried_title(parcel)
            children = [MParcel(self.new_nib(parcel.village), parcel.village, part, parents=[nib]) for part in chosen]
            if answer.get("children") != [child.nib for child in children]:
                self.fail("Serials", "POST /v1/parcels/{nib}/subdivision",
                          f"children {answer.get('children')} answered, {[c.nib for c in children]} expected")
            for child in children:
                self.parcels[child.nib] = child
                if title is not None:
                    child.title = self.successor(title, child, body["source"]["date"])
            parcel.status = "retired"
            parcel.children = [*parcel.children, *(child.nib for child in children)]
            if title is not None:
                title.status = "closed"
            return [nib, *(child.nib for child in children)], None

        self.send(call, deco, domain, apply)

    @command(2, needs=lambda self: self.parcels, pick=picks, part=picks,
          where=st.sampled_from(["inside", "inside", "inside", "outside", "whole"]),
          consent=consent_choices, deco=decos)
    def separate(self, pick: int, part: int, where: str, consent: str, deco: Deco) -> None:
        nib = self.aim_parcel(pick, lambda p: p.status == "active" and len(p.cells) > 1)
        parcel = self.parcels.get(nib)
        cells = sorted(parcel.cells) if parcel else [(0, 0)]
        piece = frozenset([cells[part % len(cells)]])
        if where == "outside":
            outside = [c for c in CELL_SHAPES if c not in cells]
            piece = frozenset([outside[part % len(outside)]])
        elif where == "whole":
            piece = frozenset(cells)
        body: dict[str, Any] = {"part": {"geometry": geometry_of(piece)}, "source": dict(DEED)}
        consents, consented = self.consents_of(consent, parcel.title if parcel else None)
        if consents is not None:
            body["consents"] = consents
        call = Call("/v1/parcels/{nib}/separation", body, "officer", nib=nib, if_match_route=True,
                    slots=[*source_slots(), *coord_slot(("part", "geometry"), body["part"]["geometry"], 2),
                           *self.consent_slots(consents)])
        rest = frozenset(cells) - piece

        def domain(body: Any) -> Expect:
            reasons = [self.consent_faults(body)]
            if parcel is None:
                return judge([*reasons, refuse(404, "not_found", "no such parcel")], accept(201))
            if parcel.status != "active":
                reasons.append(refuse(409, "parcel_not_active", "the parcel is retired"))
            if where == "outside":
                reasons.append(refuse(422, why="the part lies outside the parcel"))
            elif not rest:
                reasons.append(refuse(why="the part is the whole parcel"))
            title, gate = self.carried_title(parcel)
            reasons += [gate, self.missing_consents(title, consented) if parcel.status == "active" else None]
            if rest and not connected(rest):
                return judge(reasons, Expect(None, 201, why="the rest is split"))
            return judge(reasons, accept(201, "a separation of one cell"))

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            assert parcel is not None
            title, _ = self.carried_title(parcel)
            child = MParcel(self.new_nib(parcel.village), parcel.village, piece, parents=[nib])
            if answer.get("nib") != child.nib:
                self.fail("Serials", "POST /v1/parcels/{nib}/separation", f"NIB {answer.get('nib')} answered, "
                                                                            f"{child.nib} expected")
            self.parcels[child.nib] = child
            parcel.cells = rest
            parcel.children = [*parcel.children, child.nib]
            if title is not None:
                title.edition += 1
                child.title = self.successor(title, child, body["source"]["date"])
            return [nib, child.nib], None

        self.send(call, deco, domain, apply)

    @command(2, needs=lambda self: len(self.parcels) >= 2, first=picks, second=picks, third=st.one_of(st.none(), picks),
          shape=st.sampled_from(["pair", "pair", "pair", "same", "one"]), deco=decos)
    def merge(self, first: int, second: int, third: int | None, shape: str, deco: Deco) -> None:
        nibs = [self.pick(first), self.pick(second)]
        pairs = self.mergeable()
        if shape == "pair" and pairs and first % 4 != 3:  # mostly parcels that may merge, so mergers happen
            nibs = list(pairs[first % len(pairs)])[:: 1 if second % 2 else -1]
        elif shape == "pair":  # else a neighbour of the first
            mine = self.parcels.get(nibs[0])
            near = [p.nib for p in self.parcels.values() if mine and p.nib != mine.nib and p.status == "active"
                    and any(n in p.cells for cell in mine.cells for n in neighbours(cell))]
            if near:
                nibs[1] = near[second % len(near)]
        if third is not None:
            nibs.append(self.pick(third))
        if shape == "same":
            nibs[1] = nibs[0]
        elif shape == "one":
            nibs = nibs[:1]
        body = {"nibs": nibs, "source": dict(DEED)}
        call = Call("/v1/parcels/merge", body, "officer",
                    slots=[*source_slots(), (("nibs", 0), "word")])

        def domain(body: Any) -> Expect:
            if len(nibs) < 2 or len(set(nibs)) != len(nibs):
                return refuse(422, "merger_invalid", "fewer than two distinct parcels")
            parents = [self.parcels.get(n) for n in nibs]
            if any(p is None for p in parents):
                return refuse(404, "not_found", "no such parcel")
            reasons: list[Expect | None] = []
            for parent in parents:
                assert parent is not None
                if parent.status != "active":
                    reasons.append(refuse(409, "parcel_not_active", f"{parent.nib} is retired"))
                if parent.village != parents[0].village:  # type: ignore[union-attr]
                    reasons.append(refuse(422, "merger_invalid", "parcels of two villages"))
            carried = []
            for parent in parents:
                title, gate = self.carried_title(parent)  # type: ignore[arg-type]
                reasons.append(gate)
                carried.append(title)
            titles = [t for t in carried if t is not None]
            if titles and len(titles) != len(parents):
                reasons.append(refuse(422, "merger_invalid", "titled and untitled parcels"))
            if len({merger_key(t) for t in titles}) > 1:
                reasons.append(refuse(422, "merger_invalid", "different rights, holders or end dates"))
            if any(m["status"] == "active" for t in titles for m in t.mortgages.values()):
                reasons.append(refuse(422, "merger_invalid", "a mortgaged title"))
            one, two = parents[0], parents[1]
            assert one is not None and two is not None
            if len(parents) > 2 or not (connected(one.cells) and connected(two.cells)
                                        and connected(one.cells | two.cells)):
                # three parcels, parcels in pieces, or meeting at a corner too: one piece or not
                unsure = refuse(422, "merger_invalid", "the parcels may not form one piece")
                return judge([*reasons, unsure] if any(reasons) else [], Expect(None, 201, why=unsure.why))
            if not any(n in two.cells for cell in one.cells for n in neighbours(cell)):
                reasons.append(refuse(422, "merger_invalid", "the parcels share no boundary"))
            return judge(reasons, accept(201, "a merger of touching parcels alike"))

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            parents = [self.parcels[n] for n in nibs]
            carried = [self.carried_title(p)[0] for p in parents]
            child = MParcel(self.new_nib(parents[0].village), parents[0].village,
                            frozenset().union(*(p.cells for p in parents)), parents=list(nibs))
            if answer.get("nib") != child.nib:
                self.fail("Serials", "POST /v1/parcels/merge",
                          f"NIB {answer.get('nib')} answered, {child.nib} expected")
            titles = [t for t in carried if t is not None]
            if titles:
                child.title = MTitle(self.new_number(child.village, titles[0].right_type), titles[0].right_type,
                                     copy.deepcopy(titles[0].holders), titles[0].ends_on, body["source"]["date"])
            self.parcels[child.nib] = child
            for parent, title in zip(parents, carried, strict=True):
                parent.status, parent.children = "retired", [*parent.children, child.nib]
                if title is not None:
                    title.status = "closed"
            return [*nibs, child.nib], child.nib

        self.send(call, deco, domain, apply)

    # -- rules: titles ---------------------------------------------------------------------------

    @command(3, pick=picks, right_type=st.sampled_from([*RIGHTS, *sorted(TERMED)]), who=people, split=st.integers(0, 1),
          term=st.sampled_from([365, 30, 1, 3650, 0, -1, "max", "over", "none"]),
          granted=st.sampled_from([None, None, None, "today", "early", "future"]), legal=st.integers(0, 9), deco=decos)
    def register_title(self, pick: int, right_type: str, who: list[int], split: int, term: int | str,
                       granted: str | None, legal: int, deco: Deco) -> None:
        nib = self.aim_parcel(pick, lambda p: p.status == "active" and (p.title is None or p.title.status != "active"))
        self.register_title_on(nib, right_type, who, split, term, granted, legal, deco)

    def register_title_on(self, nib: str, right_type: str, who: list[int], split: int, term: int | str,
                          granted: str | None, legal: int, deco: Deco) -> None:
        if legal < 8:  # mostly people who may hold the right
            who = [i for i in who if eligible(right_type, [person(i)])] or [SOLE_HOLDER[right_type]]
        holders = holders_of(who, split)
        if legal == 9 and len(holders) > 1:
            holders[0]["share"] = "1/5"  # shares no longer sum to one
        granted_on = {None: None, "today": self.today.isoformat(), "early": "2010-06-01",
                      "future": later(self.today.isoformat(), days=1)}[granted]
        start = granted_on or DEED["date"]
        first = TERMS.get(right_type, (30, 20, 30))[0]
        ends_on = None
        if right_type in TERMED or legal == 8:  # a term, and now and then one for a right that has none
            ends_on = {"max": later(start, first), "over": later(start, first, 1), "none": None}.get(
                str(term), later(self.today.isoformat(), days=term if isinstance(term, int) else 365))
        body: dict[str, Any] = {"right_type": right_type, "holders": holders, "ends_on": ends_on, "source": dict(DEED)}
        slots = [(("right_type",), "word"), (("holders", 0, "name"), "text"), (("holders", 0, "id"), "text"),
                 (("holders", 0, "kind"), "word"), (("ends_on",), "date_term" if right_type in TERMED else "null_only"),
                 *source_slots()]
        if granted_on is not None:
            body["granted_on"] = granted_on
            slots.append((("granted_on",), "date_past"))
        if len(holders) == 1:
            slots.append((("holders", 0, "share"), "share"))
        call = Call("/v1/parcels/{nib}/title", body, "officer", nib=nib, if_match_route=True, slots=slots)

        def domain(body: Any) -> Expect:
            owners = body["holders"]
            reasons: list[Expect | None] = []
            if sum(Fraction(h["share"]) for h in owners) != 1:
                reasons.append(refuse(422, "invalid_shares", "shares do not sum to one"))
            if not eligible(right_type, owners):
                reasons.append(refuse(422, "ineligible_holder", "a holder may not hold this right"))
            grant = body.get("granted_on")
            if grant is not None and parse_day(grant) is not None and parse_day(grant) > self.today:  # type: ignore[operator]
                reasons.append(refuse(422, "future_date", "granted tomorrow"))
            reasons.append(self.first_term(right_type, body["ends_on"], owners, grant or body["source"]["date"]))
            parcel = self.parcels.get(nib)
            if parcel is None:
                return judge([*reasons, refuse(404, "not_found", "no such parcel")], accept(201))
            if parcel.status != "active":
                reasons.append(refuse(409, "parcel_not_active", "the parcel is retired"))
            elif right_type == "HGU" and CELL_M * CELL_M * len(parcel.cells) < HGU_MIN_AREA_M2:
                reasons.append(refuse(422, "invalid_input", "HGU on less than the least area", field="right_type"))
            if parcel.title is not None and parcel.title.status == "active":
                reasons.append(refuse(409, "title_exists", "the parcel already has an active title"))
            return judge(reasons, accept(201, "a first registration"))

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            parcel = self.parcels[nib]
            number = self.new_number(parcel.village, right_type)
            if answer.get("certificate_number") != number or answer.get("edition") != 1:
                self.fail("Serials", "POST /v1/parcels/{nib}/title",
                          f"certificate {answer.get('certificate_number')} edition {answer.get('edition')} answered, "
                          f"{number} edition 1 expected")
            parcel.title = MTitle(number, right_type, normal(body["holders"]), body["ends_on"], body["source"]["date"])
            return [nib], nib

        self.send(call, deco, domain, apply)

    def first_term(self, right_type: str, ends_on: Any, holders: list[dict[str, str]], granted: str) -> Expect | None:
        """Invariant 7 for a first grant: an end date after today, at most the first grant's years
        after it was granted; none for a right without a term, nor for a hak pakai held while used."""
        if right_type not in TERMED:
            return None if ends_on is None else refuse(422, "invalid_term", f"{right_type} has no term")
        if ends_on is None:
            kinds = {h["kind"] for h in holders}
            if kinds and kinds <= UNTERMED_HOLDERS:
                return None
            return refuse(422, "invalid_term", f"{right_type} is granted for a term")
        day = parse_day(ends_on)
        if day is None:
            return refuse(422, "invalid_input", "ends_on is not a date")
        if day <= self.today:
            return refuse(422, "invalid_term", "the term must end after today")
        if dated(granted) and ends_on > later(granted, TERMS[right_type][0]):
            return refuse(422, "invalid_term", f"beyond {TERMS[right_type][0]} years from {granted}")
        return None

    def title_command(self, nib: str, template: str, body: dict[str, Any], slots: list[Any], deco: Deco,
                      rules: Callable[[MParcel, MTitle, Any], Expect],
                      change: Callable[[MParcel, MTitle, Any, dict[str, Any]], None],
                      parse: Callable[[Any], list[Expect | None]] = lambda body: [], item: str | None = None,
                      if_match_route: bool = True) -> None:
        """A command on the title of parcel `nib`: its input, the parcel and title it needs, its date
        (not before the title's registration), then its rules; any reason that applies may be the answer."""
        call = Call(template, body, "officer", nib=nib, item=item, if_match_route=if_match_route,
                    slots=[*slots, *source_slots()])

        def domain(body: Any) -> Expect:
            reasons = parse(body)
            parcel, title, gate = self.title_gate(nib)
            if gate is not None:
                return judge([*reasons, gate], gate)
            assert parcel is not None and title is not None
            outcome = rules(parcel, title, body)
            return judge([*reasons, self.dated_from(title, body), outcome], outcome)

        def apply(body: Any, answer: dict[str, Any]) -> tuple[list[str], str | None]:
            parcel = self.parcels[nib]
            assert parcel.title is not None
            before = parcel.title.edition
            change(parcel, parcel.title, body, answer)
            if "edition" in answer and answer["edition"] != parcel.title.edition:
                self.fail("Editions", f"POST {template}", f"edition {answer['edition']} answered, "
                                                         f"{parcel.title.edition} expected (was {before})")
            return [nib], nib

        self.send(call, deco, domain, apply)

    @command(4, pick=picks, kind=st.sampled_from(TRANSFER_KINDS), paper=st.sampled_from(["right"] * 4 + ["wrong"]),
          other=st.sampled_from(SOURCE_KINDS), who=people, split=st.integers(0, 1),
          when=st.sampled_from(["past", "past", "past", "today", "future", "before_document", "before_title"]),
          legal=st.integers(0, 9), deco=decos)
    def transfer(self, pick: int, kind: str, paper: str, other: str, who: list[int], split: int, when: str,
                 legal: int, deco: Deco) -> None:
        nib = self.aim(pick, lambda p, t: self.live(t))
        parcel = self.parcels.get(nib)
        right_type = parcel.title.right_type if parcel and parcel.title else "HM"
        if legal < 8:
            who = [i for i in who if eligible(right_type, [person(i)])] or [SOLE_HOLDER[right_type]]
        to = holders_of(who, split, names="")
        if legal == 9 and len(to) > 1:
            to[1]["id"] = to[0]["id"]  # a holder listed twice
        needed = TRANSFER_DOCUMENTS[kind]
        document = dict(DEED, kind=needed if paper == "right" else (other if other != needed else "decree"))
        effective = {"past": "2025-03-01", "today": self.today.isoformat(), "before_document": "2025-01-20",
                     "before_title": "2025-01-15", "future": later(self.today.isoformat(), days=1)}[when]
        if when == "before_title":  # a document of 2025-01-01 for a title registered on 2025-02-01
            document["date"] = "2025-01-01"
        body = {"kind": kind, "to": to, "effective_at": effective, "source": document}
        slots = [(("kind",), "word"), (("to", 0, "name"), "text"), (("to", 0, "id"), "text"),
                 (("effective_at",), "date_past")] + ([(("to", 0, "share"), "share")] if len(to) == 1 else [])

        def parse(body: Any) -> list[Expect | None]:
            reasons: list[Expect | None] = []
            if len({h["id"] for h in body["to"]}) != len(body["to"]):
                reasons.append(refuse(422, "invalid_shares", "a holder listed twice"))
            day, issued = parse_day(body["effective_at"]), body["source"]["date"]
            if day is not None and day > self.today:
                reasons.append(refuse(422, "future_date", "the transfer takes effect tomorrow"))
            if body["source"]["kind"] != TRANSFER_DOCUMENTS[body["kind"]]:
                reasons.append(refuse(422, "invalid_input", f"a transfer by {body['kind']} on a "
                                                            f"{body['source']['kind']}", field="source.kind"))
            if day is not None and dated(issued) and body["effective_at"] < issued:
                reasons.append(refuse(422, "invalid_input", "effective before its document", field="effective_at"))
            return reasons

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            return judge([self.require_live(title), self.require_unfrozen(title),
                          dealt(title.right_type, title.ends_on, "transfer"),
                          None if eligible(title.right_type, body["to"]) else
                          refuse(422, "ineligible_holder", "a new holder may not hold this right")],
                         accept(200, "a transfer of a live, unblocked title"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.holders = normal(body["to"])
            title.edition += 1

        self.title_command(nib, "/v1/parcels/{nib}/transfers", body, slots, deco, rules, change, parse)

    @command(2, pick=picks, how=st.sampled_from(["rename", "rename", "kind", "kind", "other_ids", "other_shares"]),
          kind=st.sampled_from(HOLDER_KINDS), deco=decos)
    def correct_holders(self, pick: int, how: str, kind: str, deco: Deco) -> None:
        nib = self.aim(pick, lambda p, t: self.live(t))
        parcel = self.parcels.get(nib)
        current = copy.deepcopy(parcel.title.holders) if parcel and parcel.title else holders_of([0], 0)
        holders = [{**h, "name": f"{h['name']} (corrected)"} for h in current]
        if how == "kind":
            holders[0]["kind"] = kind
        elif how == "other_ids":
            holders[0]["id"] = "9999999999999999"
        elif how == "other_shares" and len(holders) > 1:
            holders[0]["share"], holders[1]["share"] = holders[1]["share"], holders[0]["share"]
        body = {"holders": holders, "source": dict(DEED)}
        slots = [(("holders", 0, "name"), "text"), (("holders", 0, "id"), "word"), (("holders", 0, "kind"), "word")]

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            same = {h["id"]: h["share"] for h in title.holders} == {h["id"]: share_text(h["share"]) for h in holders}
            return judge([self.require_live(title),
                          None if same else refuse(422, "invalid_input", "a correction keeps holder ids and shares"),
                          None if eligible(title.right_type, holders) else
                          refuse(422, "ineligible_holder", "the corrected kind may not hold this right")],
                         accept(200, "a correction of names or kinds"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.holders = normal(body["holders"])
            title.edition += 1

        self.title_command(nib, "/v1/parcels/{nib}/title/holders", body, slots, deco, rules, change)

    @command(3, pick=picks, action=st.sampled_from(["register", "register", "register", "release", "release"]),
          rank=st.sampled_from(["none", "none", "next", "taken"]), which=picks, deco=decos)
    def mortgage(self, pick: int, action: str, rank: str, which: int, deco: Deco) -> None:
        if action == "register":
            # half the time on a right with a term, so that terms end under mortgages
            self.register_mortgage(self.aim(pick,
                                            lambda p, t: self.live(t) and (t.ends_on is not None or pick % 2 == 0)),
                                   rank, deco)
        else:
            self.release_mortgage(self.aim(pick,
                                           lambda p, t: any(m["status"] == "active" for m in t.mortgages.values())),
                                  which, deco)

    def register_mortgage(self, nib: str, rank: str, deco: Deco) -> None:
        parcel = self.parcels.get(nib)
        ranks = [m["rank"] for m in parcel.title.mortgages.values() if m["status"] == "active"] \
            if parcel and parcel.title else []
        following = max(ranks, default=0) + 1
        given = {"none": None, "next": following, "taken": max(1, following - 1)}[rank]
        body = {"creditor": dict(CREDITOR), "amount": "250000000.00", "rank": given, "source": dict(DEED)}
        slots = [(("creditor", "name"), "text"), (("creditor", "id"), "text"), (("amount",), "amount"),
                 (("rank",), "rank")]

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            return judge([self.require_live(title), self.require_unfrozen(title),
                          dealt(title.right_type, title.ends_on, "mortgage"),
                          refuse(409, "mortgage_invalid", f"rank {given} is not the next rank {following}")
                          if given is not None and given != following else None],
                         accept(201, "a mortgage on a live, unblocked title"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            numbers = [int(k[2:]) for k in title.mortgages]
            mortgage_id = f"HT{max(numbers, default=0) + 1}"
            if (answer.get("mortgage_id"), answer.get("rank")) != (mortgage_id, following):
                self.fail("Mortgages", "POST /v1/parcels/{nib}/mortgages", f"{answer} answered, "
                                                                            f"{mortgage_id} rank {following} expected")
            title.mortgages[mortgage_id] = {"rank": following, "status": "active"}

        self.title_command(nib, "/v1/parcels/{nib}/mortgages", body, slots, deco, rules, change)

    def release_mortgage(self, nib: str, which: int, deco: Deco) -> None:
        parcel = self.parcels.get(nib)
        known = sorted(parcel.title.mortgages) if parcel and parcel.title else []
        mortgage_id = known[which % len(known)] if known and which % 7 else f"HT{which % 5 + 1}"

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            mortgage = title.mortgages.get(mortgage_id)
            return judge([self.require_live(title),
                          refuse(404, "not_found", f"no mortgage {mortgage_id}") if mortgage is None else
                          refuse(409, "mortgage_invalid", f"the mortgage is {mortgage['status']}")
                          if mortgage["status"] != "active" else None],
                         accept(200, "a release of an active mortgage"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.mortgages[mortgage_id]["status"] = "released"

        self.title_command(nib, "/v1/parcels/{nib}/mortgages/{item}/release", {"source": dict(DEED)}, [], deco,
                           rules, change, item=mortgage_id)

    @command(3, pick=picks, action=st.sampled_from(["place", "place", "place", "lift", "lift", "expire"]),
          kind=st.sampled_from(["blokir", "blokir", "sita"]),
          applicant=st.sampled_from([None, "party", "party", "police", "prosecutor", "kpk", "court", "bank"]),
          by=st.integers(0, len(REQUESTERS) - 1), until=st.sampled_from([None, None, 0, 1, 30, 31, 90, -1]),
          paper=st.sampled_from(["deed", "court_order", "court_order", "letter"]), which=picks, deco=decos)
    def block(self, pick: int, action: str, kind: str, applicant: str | None, by: int, until: int | None,
              paper: str, which: int, deco: Deco) -> None:
        if action == "place":
            self.place_block(self.aim(pick, lambda p, t: self.live(t)), kind, applicant, REQUESTERS[by], until, paper,
                             deco)
        else:
            self.end_block(self.aim(pick, lambda p, t: any(b["status"] == "active" for b in t.blocks.values())),
                           which, action, paper, deco)

    def place_block(self, nib: str, kind: str, applicant: str | None, requested_by: str, until: int | None,
                    paper: str, deco: Deco) -> None:
        end = None if until is None else later(self.today.isoformat(), days=until)
        body: dict[str, Any] = {"kind": kind, "requested_by": requested_by, "until": end,
                                "source": dict(DEED, kind=paper)}
        slots = [(("kind",), "word"), (("requested_by",), "text"), (("until",), "date_term")]
        if applicant is not None:
            body["applicant"] = applicant
            slots.append((("applicant",), "word"))

        def parse(body: Any) -> list[Expect | None]:
            return [refuse(422, "invalid_input", "until is not a date", field="until")
                    if body["until"] is not None and parse_day(body["until"]) is None else None,
                    refuse(422, "invalid_input", "no such applicant", field="applicant")
                    if body.get("applicant", "party") not in AUTHORITIES | {"party"} else None]

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            last, who = body["until"], body.get("applicant", "party")
            limit = later(self.today.isoformat(), days=PARTY_BLOCK_DAYS)
            reasons = [self.require_live(title)]
            if body["kind"] == "sita" and last is not None:
                reasons.append(refuse(422, "invalid_input", "a sita has no until", field="until"))
            elif last is not None and dated(last) and last < self.today.isoformat():
                reasons.append(refuse(422, "invalid_input", "the block would end before today", field="until"))
            elif (body["kind"] == "blokir" and who == "party" and dated(last) and last > limit
                  and body["source"]["kind"] != "court_order"):
                reasons.append(refuse(422, "invalid_input", f"a party's blokir beyond {limit} without a court order",
                                      field="until"))
            asked = body["requested_by"].casefold()
            if body["kind"] == "blokir" and any(b["kind"] == "blokir" and b["requested_by"].casefold() == asked
                                                and self.running(b) for b in title.blocks.values()):
                reasons.append(refuse(409, "block_exists", f"{body['requested_by']} already holds a blokir"))
            return judge(reasons, accept(201, "a block on a live title"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            numbers = [int(k[2:]) for k in title.blocks]
            block_id = f"BL{max(numbers, default=0) + 1}"
            who = body.get("applicant", "party")
            last = None if body["kind"] == "sita" else body["until"]
            if body["kind"] == "blokir" and who == "party" and last is None:
                last = later(self.today.isoformat(), days=PARTY_BLOCK_DAYS)
            if (answer.get("block_id"), answer.get("until")) != (block_id, last):
                self.fail("Blocks", "POST /v1/parcels/{nib}/blocks", f"{answer} answered, {block_id} until {last} "
                                                                      "expected")
            title.blocks[block_id] = {"kind": body["kind"], "requested_by": body["requested_by"], "until": last,
                                      "status": "active"}

        self.title_command(nib, "/v1/parcels/{nib}/blocks", body, slots, deco, rules, change, parse)

    def end_block(self, nib: str, which: int, end: str, paper: str, deco: Deco) -> None:
        parcel = self.parcels.get(nib)
        known = sorted(parcel.title.blocks) if parcel and parcel.title else []
        block_id = known[which % len(known)] if known and which % 7 else f"BL{which % 5 + 1}"

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            block = title.blocks.get(block_id)
            if block is None:
                return refuse(404, "not_found", f"no block {block_id}")
            if block["status"] != "active":
                return refuse(422, "invalid_input", f"the block is already {block['status']}", field="block_id")
            if end == "lift" and block["kind"] == "sita" and body["source"]["kind"] != "court_order":
                return refuse(422, "invalid_input", "a sita is lifted on a court order", field="source.kind")
            if end == "expire" and (block["until"] is None or date.fromisoformat(block["until"]) >= self.today):
                return refuse(422, "invalid_input", "the block has not run out", field="block_id")
            return accept(200, f"{end} an active block")

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.blocks[block_id]["status"] = "lifted" if end == "lift" else "expired"

        self.title_command(nib, f"/v1/parcels/{{nib}}/blocks/{{item}}/{end}", {"source": dict(DEED, kind=paper)}, [],
                           deco, rules, change, item=block_id)

    @command(7, pick=picks, action=st.sampled_from(["extend", "extend", "renew", "renew", "renew", "expire", "expire"]),
          days=st.sampled_from([365, 3650, 1, 0, -1, -400, "max", "over"]),
          applied=st.sampled_from(["document", "today", "today", "today", "after_end", "window_end", "window_over"]),
          deco=decos)
    def term(self, pick: int, action: str, days: int | str, applied: str, deco: Deco) -> None:
        """The term: the one extension, the one renewal, the expiry (and the land's return)."""
        if action == "extend":
            self.extend(self.aim(pick, lambda p, t: self.live(t) and t.right_type in TERMED), days, applied, deco)
        elif action == "renew":
            due = [p for p in self.parcels.values() if p.title and self.ended(p.title) and p.title.status == "active"
                   and any(m["status"] == "active" for m in p.title.mortgages.values())]
            if due and pick % 3 == 0:  # a mortgaged right whose term ended unrecorded, renewed on today's document
                self.renew(due[pick % len(due)].nib, days, "today", deco)
            else:
                self.renew(self.aim(pick,
                                    lambda p, t: t.right_type in TERMED and (self.ended(t) or t.status == "expired")),
                           days, applied, deco)
        else:
            self.expire(self.aim(pick, lambda p, t: t.status in ("active", "expired") and self.ended(t)), deco)

    @command(2, pick=picks, action=st.sampled_from(["replace", "replace", "cancel"]), deco=decos)
    def certificate(self, pick: int, action: str, deco: Deco) -> None:
        """A replacement certificate, and now and then a cancellation."""
        if action == "replace":
            self.replace_certificate(self.aim(pick, lambda p, t: self.live(t)), deco)
        else:
            self.cancel(self.aim(pick, lambda p, t: t.status in ("active", "expired")), deco)

    def application_date(self, applied: str, title: MTitle | None) -> str:
        """The date of the document a term change is applied for on: the deed's, today, or about the end."""
        end = title.ends_on if title and title.ends_on else self.today.isoformat()
        return {"document": DEED["date"], "today": self.today.isoformat(), "after_end": later(end, days=1),
                "window_end": later(end, RENEWAL_WINDOW_YEARS), "window_over": later(end, RENEWAL_WINDOW_YEARS, 1),
                }[applied]

    def extend(self, nib: str, days: int | str, applied: str, deco: Deco) -> None:
        parcel = self.parcels.get(nib)
        title = parcel.title if parcel else None
        base = title.ends_on if title and title.ends_on else self.today.isoformat()
        years = TERMS.get(title.right_type if title else "", (30, 20, 30))[1]
        ends_on = {"max": later(base, years), "over": later(base, years, 1)}.get(
            str(days), later(base, days=days if isinstance(days, int) else 0))
        applied_on = self.application_date(applied if applied in ("document", "today") else "today", title)
        body = {"ends_on": ends_on, "source": dict(DEED, date=applied_on)}

        def parse(body: Any) -> list[Expect | None]:
            return [None if parse_day(body["ends_on"]) else refuse(422, "invalid_input", "ends_on is not a date",
                                                                    field="ends_on")]

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            if title.right_type not in TERMED:
                return refuse(422, "invalid_term", "the right has no term")
            current, new, on = title.ends_on or "", body["ends_on"], body["source"]["date"]
            reasons = [self.require_live(title)]
            if title.extensions:
                reasons.append(refuse(422, "invalid_term", "extended once already"))
            if on >= current:
                reasons.append(refuse(422, "invalid_term", f"applied for on {on}, not before the end {current}"))
            if new <= current:
                reasons.append(refuse(422, "invalid_term", "the new end is not after the current one"))
            elif current and new > later(current, TERMS[title.right_type][1]):
                reasons.append(refuse(422, "invalid_term", f"more than {TERMS[title.right_type][1]} years more"))
            return judge(reasons, accept(200, "the one extension of a live term"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.ends_on = body["ends_on"]
            title.extensions += 1
            title.edition += 1

        self.title_command(nib, "/v1/parcels/{nib}/title/extension", body, [(("ends_on",), "date_term")], deco,
                           rules, change, parse)

    def renew(self, nib: str, days: int | str, applied: str, deco: Deco) -> None:
        parcel = self.parcels.get(nib)
        title = parcel.title if parcel else None
        applied_on = self.application_date(applied, title)
        years = TERMS.get(title.right_type if title else "", (30, 20, 30))[2]
        ends_on = {"max": later(applied_on, years), "over": later(applied_on, years, 1)}.get(
            str(days), later(self.today.isoformat(), days=days if isinstance(days, int) else 0))
        body = {"ends_on": ends_on, "source": dict(DEED, date=applied_on)}

        def parse(body: Any) -> list[Expect | None]:
            day = parse_day(body["source"]["date"])
            return [refuse(422, "future_date", "applied for tomorrow") if day and day > self.today else None]

        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            if title.right_type not in TERMED:
                return refuse(422, "invalid_term", "the right has no term")
            new, on = body["ends_on"], body["source"]["date"]
            day = parse_day(new)
            if day is None:
                return refuse(422, "invalid_input", "ends_on is not a date", field="ends_on")
            reasons = [refuse(422, "invalid_term", "the new term must end after today") if day <= self.today else None]
            if title.status not in ("active", "expired"):
                reasons.append(refuse(409, "title_not_active", f"the title is {title.status}"))
            elif not self.ended(title) and title.status != "expired":
                reasons.append(refuse(422, "invalid_term", "the term has not ended: extend it"))
            elif not self.renewable_on(title, on):
                reasons.append(refuse(422, "invalid_term", f"no renewal applied for on {on}", field="source.date"))
            if dated(on) and new > later(on, TERMS[title.right_type][2]):
                reasons.append(refuse(422, "invalid_term", f"more than {TERMS[title.right_type][2]} years"))
            return judge(reasons, accept(200, "the one renewal, within two years after the end"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            # The mortgages ended with the term, whether or not its expiry was recorded first, and stay
            # ended after the renewal (docs/law.md; UU 4/1996 art. 18(1)d).
            self.end_mortgages(title)
            title.ends_on, title.status = body["ends_on"], "active"
            title.renewals += 1
            title.edition += 1

        self.title_command(nib, "/v1/parcels/{nib}/title/renewal", body, [(("ends_on",), "date_term")], deco,
                           rules, change, parse)

    def expire(self, nib: str, deco: Deco) -> None:
        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            today = self.today.isoformat()
            return judge([refuse(409, "title_not_active", f"the title is {title.status}")
                          if title.status not in ("active", "expired") else None,
                          None if self.ended(title) else refuse(422, "invalid_term", "the term has not ended"),
                          refuse(409, "title_not_active", "expired, and it may still be renewed")
                          if title.status == "expired" and self.renewable_on(title, today) else None],
                         accept(200, "recording the end of a term"))

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.status = "expired"
            if not self.renewable_on(title, self.today.isoformat()):
                title.status = "returned"  # no renewal left: the land returns
            self.end_mortgages(title)

        self.title_command(nib, "/v1/parcels/{nib}/title/expiry", {"source": dict(DEED)}, [], deco, rules, change)

    def cancel(self, nib: str, deco: Deco) -> None:
        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            if title.status not in ("active", "expired"):
                return refuse(409, "title_not_active", f"the title is {title.status}")
            return accept(200, "a cancellation")

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.status = "cancelled"
            self.end_mortgages(title)

        body = {"reason": "Putusan PTUN 12/G/2025", "source": dict(DEED)}
        self.title_command(nib, "/v1/parcels/{nib}/title/cancellation", body, [(("reason",), "text")],
                           deco, rules, change)

    def replace_certificate(self, nib: str, deco: Deco) -> None:
        def rules(parcel: MParcel, title: MTitle, body: Any) -> Expect:
            return self.require_live(title) or accept(200, "a replacement certificate")

        def change(parcel: MParcel, title: MTitle, body: Any, answer: dict[str, Any]) -> None:
            title.edition += 1

        body = {"reason": "hilang (lost)", "source": dict(DEED)}
        self.title_command(nib, "/v1/parcels/{nib}/title/replacement", body, [(("reason",), "text")],
                           deco, rules, change)

    # -- rules: repeats, reads, time, checkpoints ------------------------------------------------

    @command(2, needs=lambda self: self.keyed, which=picks, exact=st.booleans())
    def repeat(self, which: int, exact: bool) -> None:
        """Send an accepted keyed request again: exactly (If-Match too), or without its If-Match."""
        user, key = self.keyed[which % len(self.keyed)]
        record = self.keys[(user, key)]
        headers = dict(record.headers)
        if not exact:
            headers.pop("If-Match", None)
        self.hostile = "none (a repeat)"
        label = "ReplayRefusedForItsOwnIfMatch" if "If-Match" in headers else "ReplayMismatch"
        expect = Expect(None, replay=record, why="a repeat of an accepted request with its key", label=label)
        self.post(record.call, headers, user, key, expect, lambda body, answer: ([], None))

    @command(2, needs=lambda self: self.parcels, pick=picks,
          when=st.sampled_from(["version", "version", "as_of_end", "as_of_start", "bad"]),
          bad=st.sampled_from(["\u0000", LONG, "2026-13-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
                               ""]),
          role=st.sampled_from(["auditor", "officer", "admin", "surveyor"]), back=picks)
    def read(self, pick: int, when: str, bad: str, role: str, back: int) -> None:
        """Read a parcel now or then; what it showed at each ETag it shows again at ?version=."""
        parcel = self.parcels[list(self.parcels)[pick % len(self.parcels)]]
        path = f"/v1/parcels/{parcel.nib}"
        if role == "surveyor":
            response = self.get(path, role)
            if response.status_code != 403:
                self.fail("WrongStatus", "GET /v1/parcels/{nib}", f"a surveyor read {path}: {response.status_code}")
            return
        if when == "version" and parcel.past:
            etag = sorted(parcel.past)[back % len(parcel.past)]
            response = self.get(path, role, version=etag)
            status, holders = parcel.past[etag]
            shown = response.json().get("properties", {}) if response.status_code == 200 else {}
            then = (shown.get("status"), (shown.get("title") or {}).get("holders"))
            if response.status_code != 200 or then != (status, holders) or response.headers.get("etag") != f'"{etag}"':
                self.fail("TimeTravel", "GET /v1/parcels/{nib}?version=",
                          f"GET {path}?version={etag} -> {response.status_code} {then} "
                          f"ETag {response.headers.get('etag')}"
                          f", the model had {(status, holders)}\n{short(response.text)}")
        elif when == "as_of_end":
            response = self.get(path, role, as_of="9999-12-31")
            shown = response.json().get("properties", {}) if response.status_code == 200 else {}
            if response.status_code != 200 or shown.get("version") != parcel.etag:
                self.fail("TimeTravel", "GET /v1/parcels/{nib}?as_of=", f"GET {path}?as_of=9999-12-31 -> "
                          f"{response.status_code} version {shown.get('version')}, now {parcel.etag}")
        elif when == "as_of_start":
            response = self.get(path, role, as_of="0001-01-01")
            if response.status_code != 404:
                self.fail("TimeTravel", "GET /v1/parcels/{nib}?as_of=", f"GET {path}?as_of=0001-01-01 -> "
                          f"{response.status_code}, the parcel did not exist then {short(response.text)}")
        else:
            name = ("as_of", "version", "holder", "holder_name", "village", "bbox")[back % 6]
            target = path if name in ("as_of", "version") else "/v1/parcels"
            response = self.get(target, role, **{name: bad})
            if response.status_code < 400 and name in ("as_of", "version") \
                    and bad not in ("", "9999-12-31T23:59:59-12:00"):
                route = "GET /v1/parcels/{nib}"
                self.fail("UnexpectedAcceptance", route,
                          f"GET {target}?{name}={short(bad, 80)} -> {response.status_code}")

    @command(3, days=st.sampled_from([1, 31, 400, 4000, "end", "end", "window", "window"]), which=picks,
             sign=st.booleans())
    def time_passes(self, days: int | str, which: int, sign: bool) -> None:
        """The clock moves on: some days, or to the day after a term ends, or to the last day (or the
        day after) of a renewal window; the service may sign a checkpoint, as it does every
        LANDREG_AUDIT_CHECKPOINT_MINUTES."""
        today = self.today.isoformat()
        titles = [p.title for p in self.parcels.values() if p.title is not None and p.title.ends_on
                  and p.title.status in ("active", "expired")]
        mortgaged = [t for t in titles if any(m["status"] == "active" for m in t.mortgages.values())]
        terms = sorted({t.ends_on for t in (mortgaged if mortgaged and which % 2 else titles) if t.ends_on})
        targets = {"end": [later(end, days=1) for end in terms if end >= today],
                   "window": [later(end, RENEWAL_WINDOW_YEARS, which % 2) for end in terms if end < today]}
        chosen = [day for day in targets.get(str(days), []) if day > today]
        step = (date.fromisoformat(chosen[which % len(chosen)]) - self.today).days if chosen else 31
        self.today += timedelta(days=days if isinstance(days, int) else step)
        self.trail.append(f"(the clock moves {days} days to {self.today})")
        if sign:
            self.world.services.registry.make_checkpoint(actor=Actor("landreg-service", "system"))
            self.trail.append("(the service signs an audit checkpoint)")

    @rule(name=st.deferred(lambda: st.sampled_from([n for n, (w, _, _) in COMMANDS.items() for _ in range(w)])),
          data=st.data())
    def step(self, name: str, data: st.DataObject) -> None:
        """One command, with arguments drawn for it; a survey where the command needs what is not there yet."""
        _, needs, arguments = COMMANDS[name]
        if needs is not None and not needs(self):
            name = "survey_rule"
            arguments = COMMANDS[name][2]
        getattr(self, name)(**data.draw(st.fixed_dictionaries(arguments), label=name))

    # -- invariants and the end of an example ---------------------------------------------------

    @invariant()
    def audit_holds(self) -> None:
        self.steps += 1
        if self.steps % AUDIT_EVERY == 0:
            self.verify_audit()

    def verify_audit(self) -> None:
        officer = self.client().get("/v1/audit/verify", headers=self.world.tokens["officer"])
        if officer.status_code != 403:
            self.fail("WrongStatus", "GET /v1/audit/verify", f"an officer verified the log: {officer.status_code}")
        response = self.get("/v1/audit/verify")
        if response.status_code != 200 or response.json().get("ok") is not True:
            self.fail("AuditBroken", "GET /v1/audit/verify", f"-> {response.status_code} {short(response.text)}")

    def teardown(self) -> None:
        try:
            if not self.failed:
                for parcel in self.parcels.values():
                    self.check_parcel(parcel, "the end of the example", "(final read-back)")
                self.check_holdings()
                self.verify_audit()
                health = self.client().get("/health")
                if health.status_code != 200 or health.json().get("status") != "ok" or \
                        any(health.json().get("read_model_lag", {}).values()):
                    self.fail("Health", "GET /health", f"-> {health.status_code} {short(health.text)}")
        finally:
            self.world.close()

    def check_holdings(self) -> None:
        """GET /v1/parcels?holder= finds exactly the active parcels whose active title lists the holder."""
        holds: dict[str, set[str]] = {}
        for parcel in self.parcels.values():
            title = parcel.title
            if parcel.status == "active" and title is not None and title.status == "active":
                for holder in title.holders:
                    holds.setdefault(holder["id"], set()).add(parcel.nib)
        for holder_id in {p[0] for p in PEOPLE} | set(holds):
            if "\u0000" in holder_id or any(0xD800 <= ord(ch) <= 0xDFFF for ch in holder_id):
                continue  # not a query parameter a client can send
            response = self.get("/v1/parcels", holder=holder_id, limit=1000)
            found = {f["id"] for f in response.json().get("features", [])} if response.status_code == 200 else None
            if found != holds.get(holder_id, set()):
                self.fail("Holdings", "GET /v1/parcels?holder=", f"holder {holder_id!r}: found {found}, "
                                                                  f"the model says {holds.get(holder_id, set())}")


SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    phases=list(Phase) if SHRINK else [Phase.explicit, Phase.reuse, Phase.generate],
    derandomize=not RANDOM,
    database=None,
)


def test_random_command_sequences_keep_every_rule(settings: Settings, tmp_path: Path) -> None:
    """Random sequences of every command, legal and not, on a fresh registry per example."""

    class Machine(RegistryMachine):
        base = settings
        folder = tmp_path

    run_state_machine_as_test(Machine, settings=SETTINGS)
