"""Parcel use cases: survey, boundary correction, subdivision, separation, merger."""
from __future__ import annotations

from typing import Any

import shapely

from registry.application import conflicts
from registry.application.registration import survey_input
from registry.application.runner import CommandRunner, Result, use_case
from registry.application.unit_of_work import UnitOfWork, shape_of
from registry.domain import identifiers, values
from registry.domain.errors import (
    DealingNotAllowed,
    InvalidGeometry,
    InvalidInput,
    MergerError,
    SubdivisionError,
)
from registry.domain.parcel import Parcel
from registry.domain.title import Title
from registry.domain.values import Holders
from spatial.crs import WGS84, Footprint, footprint_from_wkb, transform
from spatial.geometry import Surface, to_geojson
from spatial.topology import tiling_problems, touches_or_shares_boundary


def stored_footprint(parcel: Parcel) -> Footprint:
    return footprint_from_wkb(parcel.shape["geometry"], parcel.shape["epsg"])


class ParcelCommands(CommandRunner):
    """Use cases that change parcels."""

    @use_case
    def submit_survey(
        self, village_code: object, geometry: object, survey: object, crs: object = None, *,
        actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """Pengukuran: a new parcel in a village; allocates its NIB. Returns nib, version, area_m2."""
        surveyed = survey_input(self.settings, self.clock(), village_code, geometry, survey, crs)
        village, source, shape = surveyed.village, surveyed.source, surveyed.shape

        def work(unit: UnitOfWork) -> Result:
            self.guard.check(unit.session, shape, exclude=set())
            nib = unit.new_nib(village)
            parcel = Parcel.create(Parcel.Surveyed, nib, village, shape_of(shape),
                                   unit.provenance(source, source["date"]))
            self.guard.place(unit.session, nib, village, shape)
            unit.save(parcel)
            return {"nib": nib, "version": parcel.version, "area_m2": float(parcel.area_m2)}

        return self.execute(actor, command_id, None, work)

    @use_case
    def correct_boundary(
        self, nib: str, geometry: object, survey: object, crs: object = None, *,
        actor: values.Actor, command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """Pengukuran ulang: a new survey replaces the boundary; a titled parcel gets a new edition."""
        identifiers.nib(nib)
        source = values.survey_document(survey, self.clock())
        shape = self.footprint(geometry, crs)

        def work(unit: UnitOfWork) -> Result:
            parcel = unit.parcel(nib)
            unit.expect(parcel)
            parcel.require_active()
            self.guard.check(unit.session, shape, exclude={nib})
            provenance = unit.provenance(source, source["date"])
            parcel.correct_boundary(shape_of(shape), provenance)
            # the guard passed: no overlap is left
            met = conflicts.resolve(unit, parcel, "boundary_correction", provenance)
            self.guard.remove(unit.session, nib)
            self.guard.place(unit.session, nib, parcel.village_code, shape)
            unit.save(parcel, *met, *_follow_area(unit, parcel, provenance))
            return {"nib": nib, "version": parcel.version, "area_m2": float(parcel.area_m2)}

        return self.execute(actor, command_id, expected_version, work)

    @use_case
    def subdivide(
        self, nib: str, parts: object, source: object, consents: object = None, *,
        actor: values.Actor, command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """Pemecahan: the parcel retires into children that tile it; its title closes and
        each child gets a title with the same holders, term and mortgages. A mortgaged parcel
        needs each creditor's written consent (PP 24/1997 art. 48): `consents` [{mortgage_id, source}]."""
        identifiers.nib(nib)
        document = values.source_document(source, self.clock())
        consented = _consents(consents, self.clock())
        shapes = _parts(self, parts)

        def work(unit: UnitOfWork) -> Result:
            parent = unit.parcel(nib)
            unit.expect(parent)
            parent.require_active()
            parent.require_no_conflict()
            whole = stored_footprint(parent)
            _check_tiling(self, whole, shapes)
            title = _title_if_any(unit, parent)
            if title is not None:
                title.require_consents(consented)
            provenance = unit.provenance(document, document["date"])
            for shape in shapes:
                self.guard.check(unit.session, shape, exclude={nib})
            children = [
                _child(self, unit, Parcel.CreatedBySubdivision, parent, shape, provenance) for shape in shapes
            ]
            parent.retire("subdivided", [c.nib for c in children], provenance)
            self.guard.remove(unit.session, nib)
            for child in children:
                self.guard.place(unit.session, child.nib, child.village_code, stored_footprint(child))
            successor_titles = _successor_titles(unit, title, children, "subdivision", provenance)
            unit.save(parent, *children, *successor_titles)
            return {"children": [c.nib for c in children], "version": parent.version}

        return self.execute(actor, command_id, expected_version, work)

    @use_case
    def separate(
        self, nib: str, part: object, source: object, consents: object = None, *,
        actor: values.Actor, command_id: str | None = None, expected_version: int | None = None,
    ) -> Result:
        """Pemisahan: a part becomes a new parcel with its own title; the parcel keeps the rest.
        A mortgaged parcel needs each creditor's consent, as for a subdivision (PP 24/1997 art. 49)."""
        identifiers.nib(nib)
        document = values.source_document(source, self.clock())
        consented = _consents(consents, self.clock())
        if not isinstance(part, dict):
            raise SubdivisionError("part", "must be an object with geometry and an optional crs")
        piece = self.footprint(part.get("geometry"), part.get("crs"), "part.geometry", "part.crs")

        def work(unit: UnitOfWork) -> Result:
            parent = unit.parcel(nib)
            unit.expect(parent)
            parent.require_active()
            parent.require_no_conflict()
            whole = stored_footprint(parent)
            remainder = _remainder(self, whole, piece)
            _check_tiling(self, whole, [piece, remainder])
            title = _title_if_any(unit, parent)
            if title is not None:
                title.require_consents(consented)
            provenance = unit.provenance(document, document["date"])
            child = _child(self, unit, Parcel.CreatedBySeparation, parent, piece, provenance)
            parent.separate_part(child.nib, shape_of(remainder), provenance)
            self.guard.remove(unit.session, nib)
            self.guard.place(unit.session, nib, parent.village_code, remainder)
            self.guard.place(unit.session, child.nib, child.village_code, piece)
            changed = _follow_area(unit, parent, provenance)
            child_titles = _successor_titles(unit, title, [child], "separation", provenance)
            unit.save(parent, child, *changed, *child_titles)
            return {"nib": child.nib, "parent_version": parent.version, "area_m2": float(child.area_m2)}

        return self.execute(actor, command_id, expected_version, work)

    @use_case
    def merge(
        self, nibs: object, source: object, *, actor: values.Actor, command_id: str | None = None,
    ) -> Result:
        """Penggabungan: touching parcels of one village, with the same right and holders, become one."""
        if not isinstance(nibs, list) or len(nibs) < 2:
            raise MergerError("nibs: list at least two parcels to merge", field="nibs")
        if len(nibs) > (most := self.settings.max_merge_parts):
            raise InvalidInput("nibs", f"lists {len(nibs)} parcels; one merger joins at most {most}")
        for index, item in enumerate(nibs):
            identifiers.nib(item, f"nibs[{index}]")
        if len(set(nibs)) != len(nibs):
            raise MergerError("nibs: a parcel is listed twice", field="nibs")
        document = values.source_document(source, self.clock())

        def work(unit: UnitOfWork) -> Result:
            parents = [unit.parcel(n) for n in nibs]
            for parent in parents:
                parent.require_no_conflict()
            shapes = [stored_footprint(p) for p in parents]
            titles = _merge_titles(unit, parents)
            merged = _merged_shape(self, parents, shapes)
            provenance = unit.provenance(document, document["date"])
            village = parents[0].village_code
            child = Parcel.create(
                Parcel.CreatedByMerger, unit.new_nib(village), village, shape_of(merged), provenance,
                parents=list(nibs),
            )
            for parent in parents:
                parent.retire("merged", [child.nib], provenance)
                self.guard.remove(unit.session, parent.nib)
            self.guard.place(unit.session, child.nib, village, merged)
            new_titles = _merged_title(unit, titles, child, provenance)
            unit.save(*parents, child, *titles, *new_titles)
            return {"nib": child.nib, "version": child.version, "area_m2": float(child.area_m2)}

        return self.execute(actor, command_id, None, work)


# -- helpers shared by the parcel use cases ------------------------------------------------


def _consents(value: object, today: Any) -> set[str]:
    """The mortgages whose creditors consented in writing (a source of kind 'consent' each)."""
    if value is None:
        return set()
    if not isinstance(value, list) or len(value) > 100:
        raise InvalidInput("consents", "must be a list of at most 100 {mortgage_id, source}")
    consented = set()
    for index, item in enumerate(value):
        where = f"consents[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(where, "must be an object with mortgage_id and source")
        document = values.source_document(item.get("source"), today, f"{where}.source")
        if document["kind"] != "consent":
            raise InvalidInput(f"{where}.source.kind", "a creditor's consent rests on a document of kind consent")
        consented.add(values.text(item.get("mortgage_id"), f"{where}.mortgage_id", 16))
    return consented


def _parts(registry: CommandRunner, parts: object) -> list[Footprint]:
    if not isinstance(parts, list) or len(parts) < 2:
        raise SubdivisionError("parts", "a subdivision needs at least two parts")
    shapes = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise SubdivisionError(f"parts[{index}]", "must be an object with geometry and an optional crs")
        shapes.append(registry.footprint(
            part.get("geometry"), part.get("crs"), f"parts[{index}].geometry", f"parts[{index}].crs",
        ))
    return shapes


def _check_tiling(registry: CommandRunner, whole: Footprint, shapes: list[Footprint]) -> None:
    """Invariant 3: the parts do not overlap, their union is the parent and the areas agree."""
    metric = [transform(s.wgs84, WGS84, whole.tm3_epsg) for s in shapes]
    problems = tiling_problems(
        whole.metric, metric, registry.settings.subdivision_area_tolerance,
        registry.settings.subdivision_boundary_tolerance_m2,
    )
    if problems:
        first = problems[0]
        raise SubdivisionError(first.field, first.reason,
                               problems=[{"field": p.field, "reason": p.reason} for p in problems])


def in_crs(footprint: Footprint, epsg: int) -> Surface:
    """The submitted geometry in another CRS, transformed from the source (exact when it is the same)."""
    return transform(footprint.geometry, footprint.epsg, epsg)


def _remainder(registry: CommandRunner, whole: Footprint, piece: Footprint) -> Footprint:
    """What the parent keeps after a separation, in the parent's own CRS.

    The part's vertices are snapped onto the parent's within a centimetre first: a part drawn
    along the parent's boundary would otherwise leave zero-width spikes and slivers behind.
    """
    snap = 1e-7 if whole.epsg == WGS84 else 0.01  # about a centimetre either way
    # Each is snapped onto the other (vertices and edges), so the cut runs exactly along the part.
    parent = shapely.snap(whole.geometry, in_crs(piece, whole.epsg), snap)
    part = shapely.snap(in_crs(piece, whole.epsg), parent, snap)
    # make_valid splits any zero-width spike off as a line; lines and specks of area are dropped.
    pieces = shapely.get_parts(shapely.make_valid(parent.difference(part)))
    kept = [p for p in pieces if p.geom_type == "Polygon" and p.area > whole.geometry.area * 1e-6]
    cut = kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
    try:
        return registry.footprint(to_geojson(cut), f"EPSG:{whole.epsg}", "part.geometry", "part.crs")
    except InvalidGeometry as error:
        raise SubdivisionError("part.geometry",
                               f"the parcel left after separation is not valid: {error.reason}") from None


def _title_if_any(unit: UnitOfWork, parcel: Parcel) -> Title | None:
    """The parcel's active title, checked free to change; None for an untitled parcel."""
    _require_no_others(unit, parcel)
    if parcel.certificate_number is None:
        return None
    title = unit.title(parcel.certificate_number)
    if title.status in ("cancelled", "expired"):
        return None  # the land carries no right any more; it moves on untitled
    title.require_active(unit.today)
    title.require_unfrozen(unit.today)
    if (due := title.release_due()) is not None:  # new titles would not carry the deadline
        raise DealingNotAllowed(f"title {title.certificate_number} is to be released to an eligible holder by {due}: "
                                "the land is not split or merged meanwhile", act="split or merge", release_by=due)
    return title


def _require_no_others(unit: UnitOfWork, parcel: Parcel) -> None:
    """Land carrying rights on rights or strata units is not split or merged under them."""
    live = [t["certificate_number"] for t in parcel.others()
            if unit.title(t["certificate_number"]).status in ("active", "expired")]
    if live:
        raise DealingNotAllowed(f"parcel {parcel.nib} carries titles beside its own ({', '.join(live)}): they "
                                "end before the land is split or merged", act="split or merge",
                                certificate_numbers=live)


def _child(
    registry: CommandRunner, unit: UnitOfWork, event: type[Parcel.Created], parent: Parcel, shape: Footprint,
    provenance: Any,
) -> Parcel:
    village = parent.village_code
    return Parcel.create(event, unit.new_nib(village), village, shape_of(shape), provenance, parent=parent.nib)


def _successor_titles(
    unit: UnitOfWork, title: Title | None, children: list[Parcel], origin: str, provenance: Any,
) -> list[Any]:
    """Child titles carrying the parent title's right, holders, term and active mortgages."""
    if title is None:
        return []
    created = []
    for child in children:
        number = unit.new_certificate_number(child.village_code, title.right_type)
        created.append(Title.register(
            number, child.nib, Holders.of(title.holders), title.carried_term(provenance.effective_at), child.area_m2,
            provenance, origin=origin, predecessors=[title.certificate_number], mortgages=title.active_mortgages(),
        ))
        child.record_title(number, provenance)
    if origin == "subdivision":
        title.close("subdivided", [t.certificate_number for t in created], unit.today, provenance)
        return [title, *created]
    return created


def _follow_area(unit: UnitOfWork, parcel: Parcel, provenance: Any) -> list[Title]:
    """A titled parcel whose area changed gets a new certificate edition (invariant 10)."""
    if parcel.certificate_number is None:
        return []
    title = unit.title(parcel.certificate_number)
    if title.status != "active" or title.term_ended(unit.today):
        return []  # no live right to reissue: the survey stands on its own
    title.change_area(parcel.area_m2, unit.today, provenance)
    return [title]


def _merge_titles(unit: UnitOfWork, parents: list[Parcel]) -> list[Title]:
    """Invariant 4: all active, one village, and either all untitled or all with the same right and holders."""
    for parent in parents:
        parent.require_active()
        if parent.village_code != parents[0].village_code:
            raise MergerError("parcels of different villages cannot be merged", field="nibs")
    titles = [_title_if_any(unit, p) for p in parents]
    present = [t for t in titles if t is not None]
    if not present:
        return []
    if len(present) != len(parents):
        raise MergerError("some parcels carry a title and others do not", field="nibs")
    first = present[0]
    key = (first.right_type, sorted((h["id"], h["share"]) for h in first.holders), first.ends_on)
    for title in present[1:]:
        if (title.right_type, sorted((h["id"], h["share"]) for h in title.holders), title.ends_on) != key:
            raise MergerError(
                f"title {title.certificate_number} differs from {first.certificate_number} in right type, holders "
                "or end date", field="nibs",
            )
        if title.active_mortgages():
            raise MergerError(f"title {title.certificate_number} is mortgaged: release it (roya) first", field="nibs")
    if first.active_mortgages():
        raise MergerError(f"title {first.certificate_number} is mortgaged: release it (roya) first", field="nibs")
    return present


def _merged_shape(registry: CommandRunner, parents: list[Parcel], shapes: list[Footprint]) -> Footprint:
    """The union in the first parcel's CRS; it must be one polygon along shared boundaries."""
    epsg = shapes[0].epsg
    for index, shape in enumerate(shapes[1:], start=1):
        here = in_crs(shape, shape.tm3_epsg)
        if not any(touches_or_shares_boundary(here, in_crs(other, shape.tm3_epsg))
                   for other in shapes[:index] + shapes[index + 1:]):
            raise MergerError(f"parcel {parents[index].nib} does not share a boundary with the others", field="nibs")
    union = shapes[0].geometry
    for shape in shapes[1:]:
        union = union.union(in_crs(shape, epsg))
    if union.geom_type != "Polygon":
        raise MergerError("the parcels do not form one connected piece of land", field="nibs")
    try:
        return registry.footprint(to_geojson(union), f"EPSG:{epsg}")
    except InvalidGeometry as error:
        raise MergerError(f"the merged parcel is not a valid polygon: {error.reason}", field="nibs") from None


def _merged_title(unit: UnitOfWork, titles: list[Title], child: Parcel, provenance: Any) -> list[Title]:
    if not titles:
        return []
    first = titles[0]
    number = unit.new_certificate_number(child.village_code, first.right_type)
    ends = [t.ends_on for t in titles if t.ends_on is not None]
    merged = Title.register(
        number, child.nib, Holders.of(first.holders), first.carried_term(provenance.effective_at, min(ends) if ends
                                                                         else None),
        child.area_m2, provenance, origin="merger", predecessors=[t.certificate_number for t in titles],
    )
    child.record_title(number, provenance)
    for title in titles:
        title.close("merged", [number], unit.today, provenance)
    return [merged]
