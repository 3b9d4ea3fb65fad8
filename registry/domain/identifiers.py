"""Village codes, NIBs and certificate numbers, and the deterministic aggregate ids built from them."""
from __future__ import annotations

import re
import uuid

from registry.domain.errors import InvalidInput

# Fixed namespace so that the same NIB always maps to the same aggregate id.
NAMESPACE = uuid.UUID("6f1c8a52-3c1e-5b7e-9a57-4c0d2a1e9b10")

# Two-digit province codes (kode provinsi) in use, including the Papua provinces of 2022.
PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
     "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96"]
)
MAX_SERIAL = 99_999

_VILLAGE = re.compile(r"[0-9]{8}")  # [0-9], not \d: \d also matches non-ASCII digits
_NIB = re.compile(r"[0-9]{13}")
_CERTIFICATE = re.compile(r"[0-9]{14}")


def village_code(value: object, field: str = "village_code") -> str:
    """Validate an 8-digit village code: province, regency, district, village.

    >>> village_code("31740101")
    '31740101'
    """
    if not isinstance(value, str) or not _VILLAGE.fullmatch(value):
        raise InvalidInput(field, f"must be 8 digits (province, regency, district, village), got {value!r}")
    if value[:2] not in PROVINCES:
        raise InvalidInput(field, f"province code {value[:2]!r} does not exist")
    if "00" in (value[2:4], value[4:6], value[6:8]):
        raise InvalidInput(field, f"regency, district and village parts of {value!r} may not be 00")
    return value


def nib(value: object, field: str = "nib") -> str:
    """Validate a 13-digit NIB: village code + 5-digit serial.

    >>> nib("3174010100001")
    '3174010100001'
    """
    if not isinstance(value, str) or not _NIB.fullmatch(value):
        raise InvalidInput(field, f"must be 13 digits (village code + 5-digit serial), got {value!r}")
    village_code(value[:8], field)
    if value[8:] == "00000":
        raise InvalidInput(field, "serial 00000 is never allocated")
    return value


def make_nib(village: str, serial: int) -> str:
    """The NIB of the given serial in a village."""
    return f"{village}{serial:05d}"


def certificate_number(value: object, field: str = "certificate_number") -> str:
    """Validate a 14-digit certificate number: village code + right digit + 5-digit number."""
    if not isinstance(value, str) or not _CERTIFICATE.fullmatch(value):
        raise InvalidInput(field, f"must be 14 digits (village code, right digit, number), got {value!r}")
    village_code(value[:8], field)
    return value


def make_certificate_number(village: str, right_digit: str, serial: int) -> str:
    """The certificate number of the given right number in a village."""
    return f"{village}{right_digit}{serial:05d}"


def parcel_id(parcel_nib: str) -> uuid.UUID:
    """Aggregate id of the parcel with this NIB (uuid5, so duplicates collide in the store)."""
    return uuid.uuid5(NAMESPACE, f"parcel:{parcel_nib}")


def title_id(number: str) -> uuid.UUID:
    """Aggregate id of the title with this certificate number."""
    return uuid.uuid5(NAMESPACE, f"title:{number}")
