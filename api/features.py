"""Read-model rows as the API shows them: GeoJSON (RFC 7946), histories, public verification.

The one place GeoJSON leaving the registry is made: coordinates in EPSG:4326 rounded to 7
decimals, exterior rings counter-clockwise and holes clockwise, a `bbox` on every Feature and
FeatureCollection, paging by `links`; served as application/geo+json (api/responses.py GeoJson).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.datastructures import URL

from projections.log import LogEvent, plain
from registry.domain.certificate import certificate_hash
from registry.domain.dealings import dealing_id
from spatial.geometry import from_wkb_hex, to_rfc7946

COMMON = {"timestamp", "actor", "source", "effective_at", "command_id", "originator_topic", "hash",
          "secret_sha256"}  # a complaint's secret stays out of every history


def title_properties(title: dict[str, Any] | None) -> dict[str, Any] | None:
    if title is None:
        return None
    return {
        "certificate_number": title["certificate_number"], "edition": title["edition"],
        "right_type": title["right_type"], "status": title["status"], "holders": title["holders"],
        "ends_on": title["ends_on"], "origin": title["origin"],
        "mortgages": active(title["mortgages"]), "blocks": active(title["blocks"]),
        "certificate_hash": hash_of(title), "release_by": title.get("release_by"),
    }


def other_titles(titled: list[tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
    """The titles beside the primary one (rights on rights, strata units), each with its own version."""
    return [{**(title_properties(title) or {}), "on_title": title["on_title"], "unit": title["unit"],
             "version": version} for title, version in titled]


def active(items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The active ones of a title's mortgages or blocks."""
    return [item for item in items.values() if item["status"] == "active"]


def hash_of(title: dict[str, Any]) -> str:
    return certificate_hash(title["certificate_number"], title["edition"], title["nib"], title["right_type"],
                            title["holders"], title["area_m2"])


def feature(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel row as a GeoJSON Feature in EPSG:4326; `version` is the resource version (ETag)."""
    geometry, bbox = to_rfc7946(from_wkb_hex(row["wgs84"]))
    return {
        "type": "Feature", "id": row["nib"], "bbox": bbox, "geometry": geometry,
        "properties": {
            "nib": row["nib"], "village_code": row["village_code"], "status": row["status"],
            "area_m2": float(row["area_m2"]), "version": row["position"], "parents": row["parents"],
            "children": row["children"], "survey_crs": f"EPSG:{row['epsg']}", "updated_at": row["updated_at"],
            "title": title_properties(row["title"]),
            **conflict_properties(row),
        },
    }


def conflict_properties(row: dict[str, Any]) -> dict[str, Any]:
    """Whether the parcel is in a recorded conflict, and the NIBs it overlaps with the m² of each."""
    found = row.get("conflicts") or {}
    return {"in_conflict": bool(found),
            "conflicts": [{"nib": nib, "overlap_m2": float(area)} for nib, area in sorted(found.items())]}


def gis_properties(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel's properties as flat scalars, the columns a GIS attribute table shows."""
    title = row["title"] if row["title"] and row["title"]["status"] == "active" else None
    return {
        "nib": row["nib"], "village_code": row["village_code"], "area_m2": float(row["area_m2"]),
        "status": row["status"], "right_type": title["right_type"] if title else None,
        "certificate_number": title["certificate_number"] if title else None,
        "edition": title["edition"] if title else None, "holders": holders_text(title),
        "has_mortgage": bool(title and active(title["mortgages"])),
        "is_blocked": bool(title and active(title["blocks"])),
    }


def holders_text(title: dict[str, Any] | None) -> str | None:
    """Holder names and shares as one text: 'Sari Dewi (1/2); Andi Wijaya (1/2)'."""
    if not title:
        return None
    return "; ".join(f"{holder['name']} ({holder['share']})" for holder in title["holders"])


def gis_feature(row: dict[str, Any], links: list[dict[str, str]] | None = None,
                properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """A parcel as a GIS reads it: the NIB as id, flat properties (OGC API - Features items, exports)."""
    geometry, bbox = to_rfc7946(from_wkb_hex(row["wgs84"]))
    found = {"type": "Feature", "id": row["nib"], "bbox": bbox, "geometry": geometry,
             "properties": gis_properties(row) if properties is None else properties}
    return {**found, "links": links} if links else found


def collection(features: list[dict[str, Any]], links: list[dict[str, str]],
               **members: Any) -> dict[str, Any]:
    """A FeatureCollection of built features with its bbox (when it has features) and links."""
    found: dict[str, Any] = {"type": "FeatureCollection"}
    if features:
        found["bbox"] = bbox_of(f["bbox"] for f in features)
    return {**found, "features": features, "links": links, **members}


def parcel_collection(rows: list[dict[str, Any]], next_cursor: str | None, url: URL) -> dict[str, Any]:
    """A keyset page of /v1/parcels: features, `next_cursor` and the same page as `links`."""
    return collection([feature(r) for r in rows], page_links(url, next_cursor), next_cursor=next_cursor)


def bbox_of(boxes: Iterable[list[float]]) -> list[float]:
    """The box around boxes [minx, miny, maxx, maxy]."""
    west, south, east, north = zip(*boxes, strict=True)
    return [min(west), min(south), max(east), max(north)]


GEOJSON = "application/geo+json"


def page_links(url: URL, next_cursor: str | None, media_type: str = GEOJSON) -> list[dict[str, str]]:
    """`self` and, unless this is the last page, `next`: the same query with the next cursor."""
    links = [{"rel": "self", "type": media_type, "href": str(url)}]
    if next_cursor is not None:
        links.append({"rel": "next", "type": media_type, "href": str(url.include_query_params(cursor=next_cursor))})
    return links


def history_entry(event: LogEvent, void: dict[tuple[str, str], int] | None = None) -> dict[str, Any]:
    """One event as an auditor reads it, with its recorded time and legal date; geometry blobs
    are left out (the area stays). A dealing names its id, and `void` the annulment of each void one."""
    details = {k: v for k, v in event.data.items() if k not in COMMON}
    if "shape" in details:
        shape = details.pop("shape")
        details["area_m2"] = shape["area_m2"]
        details["crs"] = f"EPSG:{shape['epsg']}"
    details = {key: plain(value) for key, value in details.items()}
    return {
        "version": event.position, "type": event.kind, "recorded_at": event.recorded_at,
        "effective_at": event.data["effective_at"], "actor": event.data["actor"], "source": event.data["source"],
        "command_id": event.data["command_id"], "details": details, "hash": event.data.get("hash"),
        **_dealing(event, void or {}),
    }


def _dealing(event: LogEvent, void: dict[tuple[str, str], int]) -> dict[str, Any]:
    dealing = dealing_id(event.kind, event.data, event.version)
    if dealing is None:
        return {}
    annulled = void.get((event.originator_id, dealing))
    return {"dealing_id": dealing, **({"annulled_by": annulled} if annulled is not None else {})}


def ownership(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel's status and who held its right, without its geometry."""
    title = row["title"]
    live = title is not None and title["status"] == "active" and row["status"] == "active"
    return {"nib": row["nib"], "status": row["status"], "area_m2": float(row["area_m2"]),
            "right_type": title["right_type"] if live else None,
            "certificate_number": title["certificate_number"] if live else None,
            "edition": title["edition"] if live else None, "holders": title["holders"] if live else []}
