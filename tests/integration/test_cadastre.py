"""A generated cadastre imports into the real registry line for line: its tiling passes the
overlap guard, and every NIB, certificate number, mortgage id and block id it predicts is right."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from api import importer
from benchmarks.cadastre import Plan, book_after_year, write
from registry.application.registry import Registry
from registry.domain.rights import TRANSFER_KINDS
from registry.domain.values import Actor

IMPORTER = Actor("import", "system")
PLAN = Plan(300, seed=3, activity=1.0, per_village=150)  # two villages, a busy year


@pytest.mark.parametrize("bulk_stock", [True, False], ids=["stock-in-bulk", "stock-as-commands"])
def test_every_line_of_a_generated_year_is_accepted_as_predicted(
    registry: Registry, tmp_path: Path, bulk_stock: bool,
) -> None:
    path = tmp_path / "cadastre.jsonl"
    counts = write(path, PLAN.parcels, PLAN.seed, PLAN.activity, per_village=PLAN.per_village, bulk_stock=bulk_stock)
    kinds = {orjson.loads(line)["args"]["kind"] for line in path.read_bytes().splitlines()
             if line.startswith(b'{"command":"transfer_ownership"')}
    assert kinds == TRANSFER_KINDS
    assert {"subdivide", "merge", "register_mortgage", "release_mortgage", "place_block", "lift_block"} <= set(counts)

    report = importer.run(registry, path, IMPORTER)

    assert report.rejected == []
    assert report.accepted == sum(counts.values()) == replace(PLAN, bulk_stock=bulk_stock).lines()
    assert_register_is_predicted(registry)


def assert_register_is_predicted(registry: Registry) -> None:
    """Every parcel the generator believes active is, with the title, mortgages and blocks it predicts."""
    books = [book_after_year(PLAN, index) for index in range(PLAN.villages)]
    for book in books:
        for nib, lot in book.lots.items():
            assert registry.get_parcel(nib).status == "active"
            title = registry.title_on(nib)
            if lot.right is None:
                assert title is None
                continue
            assert title is not None
            assert title.certificate_number == lot.right.certificate_number
            assert title.holders == lot.right.holders
            assert [m["mortgage_id"] for m in title.active_mortgages()] == lot.right.mortgages
            assert sorted(b["block_id"] for b in title.active_blocks(registry.clock())) == sorted(lot.right.blocks)
    with registry.engine.connect() as connection:
        active = connection.execute(text("SELECT count(*) FROM landreg_footprints")).scalar_one()
    assert active == sum(len(book.lots) for book in books)
