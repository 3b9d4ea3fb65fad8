"""A village as GIS tests need it: untitled and titled parcels, a mortgage, a block, a subdivided
(retired) parent and its children, and a parcel with a hole surveyed with its rings the wrong way round."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from registry.application.registry import Registry
from tests.geometries import WITH_HOLE, grid_squares
from tests.support import DEED, LAT, LON, OFFICER, SURVEY, SURVEYOR, VILLAGE, citizen, survey

ROW = 10  # 50 m parcels in a row, 0.001 degrees apart
BUDI = citizen("3174011501800001", "1/2", "Budi Santoso")
SARI = citizen("3174014403900002", "1/2", "Sari Dewi")


@dataclass(frozen=True)
class Village:
    """The NIBs of the village: `active` in NIB order, and what each special parcel is."""

    active: list[str]
    retired: str
    titled: str
    mortgaged_and_blocked: str
    with_hole: str


def wrong_way_round() -> dict[str, object]:
    """WITH_HOLE with its exterior clockwise and its hole counter-clockwise."""
    geometry = copy.deepcopy(WITH_HOLE)
    geometry["coordinates"] = [list(reversed(ring)) for ring in geometry["coordinates"]]
    return geometry


def mapped_village(registry: Registry) -> Village:
    row = [survey(registry, 50, LON + i * 0.001, LAT) for i in range(ROW)]
    titled, mortgaged = row[0], row[1]
    registry.register_title(titled, "HM", [BUDI, SARI], None, DEED, actor=OFFICER)
    registry.register_title(mortgaged, "HM", [citizen("3174015107880003", name="Andi Wijaya")], None, DEED,
                            actor=OFFICER)
    registry.register_mortgage(mortgaged, {"id": "bank-1", "name": "Bank Rakyat"}, "250000000.00", DEED, actor=OFFICER)
    registry.place_block(mortgaged, "blokir", "Pengadilan Negeri Jakarta Selatan", None, DEED, actor=OFFICER)
    parent = survey(registry, 100, LON, LAT + 0.005)
    registry.register_title(parent, "HM", [citizen("3174016601700004", name="Dewi Lestari")], None, DEED, actor=OFFICER)
    parts = [{"geometry": g} for g in grid_squares(LON, LAT + 0.005, 50, 2)]
    children = registry.subdivide(parent, parts, DEED, actor=OFFICER)["children"]
    hole = str(registry.submit_survey(VILLAGE, wrong_way_round(), SURVEY, actor=SURVEYOR)["nib"])
    return Village(sorted([*row, *children, hole]), parent, titled, mortgaged, hole)
