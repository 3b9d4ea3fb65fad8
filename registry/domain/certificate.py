"""The certificate hash: what a printed certificate (sertipikat) carries so anyone can check it
is the current edition, without the registry revealing who holds the land."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any


def certificate_hash(
    certificate_number: str, edition: int, nib: str, right_type: str, holders: list[dict[str, str]],
    area_m2: Decimal | str,
) -> str:
    """sha256 over the canonical JSON of what the certificate states. Any change of holders, right,
    edition or area gives another hash, so only the latest edition verifies (invariant 10).

    >>> len(certificate_hash("31740101100001", 1, "3174010100001", "HM", [], "100.00"))
    64
    """
    stated: dict[str, Any] = {
        "certificate_number": certificate_number, "edition": edition, "nib": nib, "right_type": right_type,
        "holders": sorted(({"id": h["id"], "name": h["name"], "kind": h["kind"], "share": h["share"]}
                           for h in holders), key=lambda h: h["id"]),
        "area_m2": f"{Decimal(area_m2):.2f}",
    }
    body = json.dumps(stated, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()
