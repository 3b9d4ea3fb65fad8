"""The deployment files in deploy/: linted by the tools made for them where they are installed
(systemd-analyze, hadolint), and checked against the project everywhere: they start `landreg
serve` with options it has, and the image holds every package the project installs."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer

from api.cli import app

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "deploy" / "landreg.service"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
LANDREG = Path(sys.prefix) / "bin" / "landreg"


def serve_options() -> set[str]:
    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    return {name for param in serve.params for name in (*param.opts, *param.secondary_opts)}


def unit_exec_start() -> list[str]:
    line = next(line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def container_command() -> list[str]:
    found = re.search(r"^CMD (\[.*\])$", CONTAINERFILE.read_text(), re.MULTILINE)
    assert found, "the Containerfile has no CMD in exec form"
    return list(json.loads(found[1]))  # the exec form is a JSON array


@pytest.mark.parametrize("command", [unit_exec_start(), container_command()], ids=["systemd", "container"])
def test_deploy_files_start_landreg_serve_with_options_it_has(command: list[str]) -> None:
    assert Path(command[0]).name == "landreg" and command[1] == "serve", command
    given = {arg for arg in command[2:] if arg.startswith("--")}
    assert given and given <= serve_options(), given - serve_options()


def test_the_image_holds_every_package_the_project_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {name.split(".")[0] for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", CONTAINERFILE.read_text(), re.MULTILINE))
    assert packages == copied
    assert "pip install --no-cache-dir ." in CONTAINERFILE.read_text()  # runtime dependencies only
    assert re.search(r"^USER \d+", CONTAINERFILE.read_text(), re.MULTILINE), "the service must not run as root"


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    if not LANDREG.exists():
        pytest.skip(f"needs {LANDREG} (the project's venv) to stand in for the installed one")
    unit = tmp_path / UNIT.name  # verify checks that ExecStart exists: point it at this checkout's
    unit.write_text(UNIT.read_text().replace("/opt/landreg/.venv/bin/landreg", str(LANDREG)))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False)
    said = [line for line in (done.stdout + done.stderr).splitlines() if UNIT.name in line]
    assert done.returncode == 0 and said == [], done.stdout + done.stderr


def test_containerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.prefix) / "bin"))
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install -e '.[dev]' brings it on x86-64 Linux)")
    done = subprocess.run([hadolint, "--no-color", str(CONTAINERFILE)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
