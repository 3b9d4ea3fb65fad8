"""A complaint's answer is due a number of working days on: weekends and public holidays skipped."""
from __future__ import annotations

from datetime import date

import pytest

from registry.application.procedure_commands import working_days_after
from registry.persistence.settings import Settings


def test_five_working_days_from_a_wednesday_skip_the_weekend() -> None:
    assert working_days_after(date(2026, 12, 2), 5) == date(2026, 12, 9)


def test_public_holidays_are_skipped_like_weekends() -> None:
    christmas = {date(2026, 12, 24), date(2026, 12, 25)}  # cuti bersama and Natal, Thursday and Friday
    assert working_days_after(date(2026, 12, 23), 1, christmas) == date(2026, 12, 28)
    assert working_days_after(date(2026, 12, 23), 1) == date(2026, 12, 24)


def test_a_holiday_on_a_weekend_costs_nothing() -> None:
    assert working_days_after(date(2026, 8, 14), 1, {date(2026, 8, 15)}) == date(2026, 8, 17)


def test_the_holidays_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDREG_PUBLIC_HOLIDAYS", '["2026-08-17", "2026-12-25"]')
    assert Settings().public_holidays == {date(2026, 8, 17), date(2026, 12, 25)}
