"""Read-model rows as the API shows them: GeoJSON Features, histories, public verification."""
from __future__ import annotations

from typing import Any

from projections.log import LogEvent, plain
from registry.certificate import certificate_hash
from spatial.geometry import from_wkb_hex, to_geojson

COMMON = {"timestamp", "actor", "source", "effective_at", "command_id", "originator_topic", "hash",
          "secret_sha256"}  # a complaint's secret stays out of every history


def title_properties(title: dict[str, Any] | None) -> dict[str, Any] | None:
    if title is None:
        return None
    return {
        "certificate_number": title["certificate_number"], "edition": title["edition"],
        "right_type": title["right_type"], "status": title["status"], "holders": title["holders"],
        "ends_on": title["ends_on"], "origin": title["origin"],
        "mortgages": [m for m in title["mortgages"].values() if m["status"] == "active"],
        "blocks": [b for b in title["blocks"].values() if b["status"] == "active"],
        "certificate_hash": hash_of(title),
    }


def hash_of(title: dict[str, Any]) -> str:
    return certificate_hash(title["certificate_number"], title["edition"], title["nib"], title["right_type"],
                            title["holders"], title["area_m2"])


def feature(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel row as a GeoJSON Feature in EPSG:4326; `version` is the resource version (ETag)."""
    return {
        "type": "Feature", "id": row["nib"],
        "geometry": to_geojson(from_wkb_hex(row["wgs84"])),
        "properties": {
            "nib": row["nib"], "village_code": row["village_code"], "status": row["status"],
            "area_m2": float(row["area_m2"]), "version": row["position"], "parents": row["parents"],
            "children": row["children"], "survey_crs": f"EPSG:{row['epsg']}", "updated_at": row["updated_at"],
            "title": title_properties(row["title"]),
        },
    }


def collection(rows: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [feature(r) for r in rows], "next_cursor": next_cursor}


def history_entry(event: LogEvent) -> dict[str, Any]:
    """One event as an auditor reads it; geometry blobs are left out (the area stays)."""
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
    }


def ownership(row: dict[str, Any]) -> dict[str, Any]:
    """A parcel's status and who held its right, without its geometry."""
    title = row["title"]
    live = title is not None and title["status"] == "active" and row["status"] == "active"
    return {"nib": row["nib"], "status": row["status"], "area_m2": float(row["area_m2"]),
            "right_type": title["right_type"] if live else None,
            "certificate_number": title["certificate_number"] if live else None,
            "edition": title["edition"] if live else None, "holders": title["holders"] if live else []}
