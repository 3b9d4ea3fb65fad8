"""A store written before registry/ was split in layers names its events by the old modules
(`registry.title:Title.RightRegistered`); it must still load, answer and rebuild the same."""
from __future__ import annotations

from sqlalchemy import text

from api.bootstrap import Services
from registry.domain.identifiers import parcel_id
from registry.persistence.topics import MOVED
from tests.integration.projections.tables import read_models
from tests.support import citizen, titled


def to_old_topics(services: Services) -> int:
    """Rewrite every stored topic (events and snapshots, and the topic each created event keeps)
    to the module path it had before the split."""
    changed = 0
    with services.registry.engine.begin() as connection:
        for old, new in MOVED.items():
            for table in ("landreg_events", "landreg_snapshots"):
                changed += connection.execute(text(f"UPDATE {table} SET topic = replace(topic, :new, :old) "
                                                   "WHERE topic LIKE :prefix"),
                                              {"new": f"{new}:", "old": f"{old}:", "prefix": f"{new}:%"}).rowcount
    return changed


def test_events_stored_under_the_old_module_paths_load_and_rebuild_the_same(services: Services) -> None:
    registry = services.registry
    nib = titled(registry, "HGB", holders=[citizen("budi")], ends_on="2040-01-01")
    before = (registry.get_parcel(nib), registry.title_on(nib), read_models(services))
    assert to_old_topics(services) >= 3

    fresh = type(registry)(services.settings, clock=registry.clock)  # nothing of the old held in memory
    try:
        parcel = fresh.repository.get(parcel_id(nib))
        title = fresh.title_on(nib)
        assert (parcel.nib, parcel.certificate_number) == (nib, before[1].certificate_number)
        assert (title.holders, title.version, title.ends_on) == (before[1].holders, before[1].version, "2040-01-01")
    finally:
        fresh.close()
    for name in services.projector.models:
        services.projector.rebuild(name)
    assert read_models(services) == before[2]
