"""Village codes, NIBs, certificate numbers and the deterministic aggregate ids built from them."""
from __future__ import annotations

import uuid

import pytest

from registry.domain import identifiers
from registry.domain.errors import InvalidInput


@pytest.mark.parametrize("value", [
    "3174010",  # seven digits
    "317401011",  # nine digits
    "3174O101",  # a letter O
    "31-74-01-01",
    "",
    None,
    31740101,
    "99740101",  # no province 99
    "10740101",  # no province 10
    "31000101",  # regency 00
    "31740001",  # district 00
    "31740100",  # village 00
])
def test_bad_village_code_is_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        identifiers.village_code(value)
    assert caught.value.field == "village_code"


@pytest.mark.parametrize("value", ["31740101", "94710101", "11010101"])
def test_village_code_of_a_real_province_is_accepted(value: str) -> None:
    assert identifiers.village_code(value) == value


def test_village_code_with_a_full_width_digit_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        identifiers.village_code("31740\uff1101")


def test_nib_with_a_non_ascii_digit_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        identifiers.nib("31740101000\u06601")


@pytest.mark.parametrize("value", [
    "317401010001",  # 12 digits
    "31740101000001",  # 14 digits
    "3174010100000",  # serial 00000
    "9974010100001",  # unknown province
    "317401010000a",
    3174010100001,
])
def test_bad_nib_is_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        identifiers.nib(value)
    assert caught.value.field == "nib"


def test_serial_00000_is_never_a_nib() -> None:
    with pytest.raises(InvalidInput) as caught:
        identifiers.nib("3174010100000")
    assert "00000" in caught.value.reason


def test_nib_is_the_village_code_and_a_five_digit_serial() -> None:
    assert identifiers.make_nib("31740101", 7) == "3174010100007"
    assert identifiers.nib("3174010100007") == "3174010100007"


@pytest.mark.parametrize("value", ["3174010110000", "317401011000011", "99740101100001"])
def test_bad_certificate_number_is_rejected(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        identifiers.certificate_number(value)
    assert caught.value.field == "certificate_number"


def test_certificate_number_is_village_right_digit_and_number() -> None:
    number = identifiers.make_certificate_number("31740101", "3", 42)
    assert number == "31740101300042"
    assert identifiers.certificate_number(number) == number


def test_aggregate_ids_are_deterministic_uuid5() -> None:
    assert identifiers.parcel_id("3174010100001") == identifiers.parcel_id("3174010100001")
    assert identifiers.title_id("31740101100001") == identifiers.title_id("31740101100001")
    assert identifiers.parcel_id("3174010100001").version == 5
    assert identifiers.title_id("31740101100001").version == 5
    assert identifiers.parcel_id("3174010100001") == uuid.uuid5(identifiers.NAMESPACE, "parcel:3174010100001")


def test_parcel_and_title_ids_of_the_same_digits_differ() -> None:
    digits = "3174010100001"
    assert identifiers.parcel_id(digits) != identifiers.title_id(digits)


def test_different_nibs_have_different_ids() -> None:
    assert identifiers.parcel_id("3174010100001") != identifiers.parcel_id("3174010100002")
