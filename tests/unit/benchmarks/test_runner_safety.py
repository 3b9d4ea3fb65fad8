"""The benchmark runner drops only databases named as its own and never overwrites an earlier run's file."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.read_side import fresh_database
from benchmarks.report import new_results_file


@pytest.mark.parametrize("name", ["landreg", "landreg_test", "landreg_h3", "postgres"])
def test_a_database_not_named_as_a_benchmarks_is_never_dropped(name: str) -> None:
    with pytest.raises(SystemExit, match="not named as a benchmark's own"):
        fresh_database(f"postgresql+psycopg2://postgres@127.0.0.1:1/{name}")  # refused before any connection


def test_a_new_results_file_never_replaces_an_earlier_run(tmp_path: Path) -> None:
    first = new_results_file(tmp_path, "run")
    first.write_text("{}")
    second = new_results_file(tmp_path, "run")
    assert (first.name, second.name) == ("run.json", "run-2.json")
