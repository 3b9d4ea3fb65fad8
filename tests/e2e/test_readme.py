"""The README's first session with curl runs as written against a fresh `make run` (the demo
village, then the service) on SQLite, and every answer is the success it promises."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api import demo
from api.app import create_app
from api.bootstrap import build
from registry.persistence.settings import Settings
from tests.support import serving

README = Path(__file__).parents[2] / "README.md"
LANDREG = Path(sys.prefix) / "bin" / "landreg"


def walkthrough() -> str:
    """The one shell block of the README's section 'A first session with curl'."""
    section = README.read_text().split("## A first session with curl", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the section should hold exactly one sh block"
    return str(blocks[0])


def answers(output: str) -> list[Any]:
    """Every JSON answer the block printed, in order (header lines of `curl -i` left out)."""
    return [json.loads(line) for line in output.splitlines() if line.startswith(("{", "["))]


@pytest.fixture
def backend() -> str:
    """SQLite only: `make run`'s default store (the walk-through does not depend on it)."""
    return "sqlite"


@pytest.fixture
def fresh_make_run(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder where `make run` has just built the demo village: `.venv` and `data/` as in the clone."""
    if not LANDREG.exists() or shutil.which("curl") is None:
        pytest.skip(f"needs {LANDREG} (the project's venv) and curl")
    (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {name: value for name, value in os.environ.items() if not name.startswith("LANDREG_")}
    services = build(folder_settings(tmp_path))  # what `landreg demo --quiet` does, in this process
    demo.run(services.registry)
    services.close()
    return tmp_path, env


def folder_settings(folder: Path) -> Settings:
    """The settings `make run` has in `folder`: the defaults, paths under ./data/."""
    data = folder / "data"
    return Settings(database_url=f"sqlite:///{data}/landreg.db", audit_key_file=data / "audit_signing_key.pem",
                    audit_anchor_file=data / "audit_checkpoints.jsonl")


def test_readme_walkthrough_runs_as_written_against_a_fresh_make_run(
        fresh_make_run: tuple[Path, dict[str, str]]) -> None:
    folder, env = fresh_make_run
    with serving(create_app(folder_settings(folder))) as url:
        script = walkthrough().replace("localhost:8000", url.removeprefix("http://"))
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env, check=False,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    surveyed, announced, titled, transferred, feature, history, before = answers(done.stdout)
    refused = [a for a in (surveyed, announced, titled, transferred, feature, history, before)
               if "/problems/" in str(a.get("type"))]
    assert announced["announcement_id"] == f"{surveyed['nib']}-1"
    assert refused == []
    assert titled["edition"] == 1 and transferred["edition"] == 2
    assert transferred["version"] > titled["version"] > surveyed["version"] > 1  # after the demo's positions
    assert f'etag: "{transferred["version"]}"' in done.stdout.lower()
    assert [h["name"] for h in feature["properties"]["title"]["holders"]] == ["Sari Dewi", "Andi Wijaya"]
    assert history["events"][-1]["type"] == "Title.OwnershipTransferred"
    assert [h["name"] for h in before["properties"]["title"]["holders"]] == ["Budi Santoso"]


def api_table() -> list[str]:
    """The rows of the README's table of the HTTP API."""
    section = README.read_text().split("## The HTTP API", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_readme_api_table_names_every_operation(app: FastAPI) -> None:
    rows = api_table()
    missing = []
    for path, operations in app.openapi()["paths"].items():
        last = path.rstrip("/").rsplit("/", 1)[-1]
        for method in operations:
            if not any(f"`{method.upper()} " in row and last in row for row in rows):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    for page in ("/docs", "/redoc", "/openapi.json"):
        assert any(f"`GET {page}`" in row for row in rows), page
