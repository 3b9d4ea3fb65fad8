"""The command line fails in one line: each bad input below gets one clear line on stderr, no
traceback, no secret, its exit code, and creates no store; the traceback only with --debug."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.conftest import POSTGRES_URL, require_postgres

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/landreg"  # nothing listens on port 1
SECRET = "s3cret-pass"


@dataclass
class Bad:
    """A command line and what it must say: exit code and a part of its one line on stderr."""

    args: list[str]
    code: int
    says: str
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # name -> content, made in the test's folder
    store: bool = False  # run where a store exists (made by `landreg init`)
    postgres: bool = False


MISSING = "no store at sqlite:///{tmp}/data/landreg.db (LANDREG_DATABASE_URL): there is no file {tmp}/data/landreg.db"
CASES = {
    "tokens create needs a store": Bad(["tokens", "create", "--role", "officer", "--name", "ani"], 1, MISSING),
    "tokens revoke needs a store": Bad(["tokens", "revoke", "--name", "ani"], 1, MISSING),
    "audit verify needs a store": Bad(["audit", "verify"], 1, MISSING),
    "audit checkpoint needs a store": Bad(["audit", "checkpoint"], 1, MISSING),
    "audit export needs a store": Bad(["audit", "export", "--out", "{tmp}/bundle"], 1, MISSING),
    "audit ownership needs a store": Bad(["audit", "ownership", "--village", "31740101"], 1, MISSING),
    "projections status needs a store": Bad(["projections", "status"], 1, MISSING),
    "projections rebuild needs a store": Bad(["projections", "rebuild"], 1, MISSING),
    "unreachable server": Bad(["projections", "status"], 1, "port 1 failed: Connection refused",
                              env={"LANDREG_DATABASE_URL": UNREACHABLE}),
    "serve on an unreachable server": Bad(["serve"], 1, "Connection refused",
                                          env={"LANDREG_DATABASE_URL": UNREACHABLE}),
    "password masked": Bad(["demo"], 1, "the store at postgresql+psycopg2://postgres:***@127.0.0.1:1/landreg failed",
                           env={"LANDREG_DATABASE_URL": f"postgresql://postgres:{SECRET}@127.0.0.1:1/landreg"}),
    "misnamed database": Bad(["tokens", "create", "--role", "officer", "--name", "ani"], 1,
                             'database "landreg_no_such_database" does not exist', postgres=True,
                             env={"LANDREG_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/landreg_no_such_database"}),
    "not a store URL": Bad(["init"], 1, "LANDREG_DATABASE_URL: Value error, must be a SQLite or PostgreSQL URL",
                           env={"LANDREG_DATABASE_URL": f"mysql://root:{SECRET}@localhost/landreg"}),
    "bad setting": Bad(["init"], 1, "LANDREG_POOL_SIZE: Input should be a valid integer",
                       env={"LANDREG_POOL_SIZE": "many"}),
    "missing import file": Bad(["import", "{tmp}/nowhere.jsonl"], 2, "file '{tmp}/nowhere.jsonl' does not exist"),
    "broken GeoJSON": Bad(["import", "{tmp}/broken.geojson"], 1, "not a GeoJSON FeatureCollection: unexpected end",
                          files={"broken.geojson": '{"type": "FeatureCollection", "features": [\n'}),
    "a bad line": Bad(["import", "{tmp}/bad.jsonl"], 1, "line 1: not JSON", files={"bad.jsonl": "nope\n"}),
    "unknown read model": Bad(["projections", "rebuild", "nosuch"], 2, "no read model named 'nosuch'", store=True),
    "unknown role": Bad(["tokens", "create", "--role", "king", "--name", "ani"], 2, "role must be one of", store=True),
    "workers with async read models": Bad(["serve", "--workers", "2"], 2, "--workers above 1 needs LANDREG_PROJECTIONS",
                                          env={"LANDREG_PROJECTIONS": "async"}, store=True),
}


def sqlite_env(folder: Path) -> dict[str, str]:
    data = folder / "data"
    return {"LANDREG_DATABASE_URL": f"sqlite:///{data}/landreg.db", "LANDREG_AUDIT_KEY_FILE": f"{data}/key.pem",
            "LANDREG_AUDIT_ANCHOR_FILE": f"{data}/anchor.jsonl"}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_one_line_on_stderr_with_an_exit_code(case: Bad, tmp_path: Path) -> None:
    if case.postgres:
        require_postgres()
    runner = CliRunner()
    env = {**sqlite_env(tmp_path), **case.env}
    if case.store:
        assert runner.invoke(app, ["init"], env=env).exit_code == 0
    for name, content in case.files.items():
        (tmp_path / name).write_text(content)
    done = runner.invoke(app, [arg.format(tmp=tmp_path) for arg in case.args], env=env)
    lines = done.stderr.splitlines()
    assert [line for line in lines if line.startswith(("error:", "line "))] == lines and len(lines) == 1, done.stderr
    assert case.says.format(tmp=tmp_path) in lines[0]
    assert done.exit_code == case.code, done.stderr
    assert SECRET not in done.stdout + done.stderr
    if not case.store and not case.files:
        assert not (tmp_path / "data" / "landreg.db").exists(), "a refused command created a store"


def test_postgres_scheme_is_taken_as_postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    url = POSTGRES_URL.replace("postgresql+psycopg2://", "postgres://")
    runner = CliRunner()
    assert runner.invoke(app, ["init"], env={"LANDREG_DATABASE_URL": url}).exit_code == 0
    status = runner.invoke(app, ["projections", "status"], env={"LANDREG_DATABASE_URL": url})
    assert status.exit_code == 0 and "parcels" in status.stdout, status.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    landreg = Path(sys.prefix) / "bin" / "landreg"  # a real process: the traceback is printed by typer's main
    if not landreg.exists():
        pytest.skip(f"needs {landreg} (the project's venv)")
    env = {"LANDREG_DATABASE_URL": UNREACHABLE, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    loud = subprocess.run([landreg, "--debug", "projections", "status"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "OperationalError" in loud.stderr
