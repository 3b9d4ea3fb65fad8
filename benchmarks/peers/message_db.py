"""Peer of the command figures from another event store: Message DB (Eventide), which lives in
PostgreSQL as a table and plpgsql functions, installed from the npm registry into the same server.

    npm install --prefix benchmarks/.cache --no-audit --no-fund --no-save @eventide/message-db@1.3.1
    DATABASE_NAME=landreg_peer_messagedb CREATE_DATABASE=off PGHOST=127.0.0.1 PGUSER=postgres \\
        bash benchmarks/.cache/node_modules/@eventide/message-db/database/install.sh
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy

from benchmarks.peers.common import (
    Measure,
    Stopwatch,
    check_database_name,
    connect,
    drop_database,
    ensure_database,
    libpq_params,
    rate,
    survey_fields,
    title_fields,
    transfer_fields,
)

PACKAGE = "@eventide/message-db@1.3.1"
CACHE = Path(__file__).resolve().parents[1] / ".cache"  # benchmarks/.cache, ignored by git
WRITE = "SELECT message_store.write_message(%s, %s, %s, %s, %s, %s)"
SIGNATURE = "message_store.write_message(varchar,varchar,varchar,jsonb,jsonb,bigint)"


class MessageDbUnavailable(RuntimeError):
    """Message DB could not be installed here (no npm, no registry, or its installer failed)."""


def install_scripts(cache: Path = CACHE) -> Path:
    """The package's `database/` folder, fetched with npm into `cache` the first time."""
    scripts = cache / "node_modules" / "@eventide" / "message-db" / "database"
    if (scripts / "install.sh").exists():
        return scripts
    npm = shutil.which("npm")
    if npm is None:
        raise MessageDbUnavailable("npm is not installed, so Message DB cannot be fetched "
                                   f"(needs: npm install {PACKAGE})")
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--no-save", PACKAGE],
                          check=False, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not (scripts / "install.sh").exists():
        raise MessageDbUnavailable(f"npm install {PACKAGE} failed: {done.stderr.strip()[-500:]}")
    return scripts


ROLE = "message_store"  # the cluster-wide role Message DB's installer creates


def install(url: str, cache: Path = CACHE) -> bool:
    """Install Message DB into the database of `url` unless `write_message` is already there.

    Its installer also creates the cluster-wide role `message_store` (if missing); returns whether
    this install created it, so the run can remove it again (`remove`). A half-done install
    (schema without the function) is dropped and done again.
    """
    name = check_database_name(url)
    ensure_database(url)
    with connect(url) as raw, raw.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", (SIGNATURE,))
        if cursor.fetchone()[0]:
            return False
        cursor.execute("DROP SCHEMA IF EXISTS message_store CASCADE")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,))
        role_existed = cursor.fetchone() is not None
    scripts = install_scripts(cache)
    if shutil.which("psql") is None:
        raise MessageDbUnavailable("psql is not installed: Message DB's installer runs its SQL with psql")
    params = libpq_params(url)
    env = {**os.environ, "DATABASE_NAME": name, "CREATE_DATABASE": "off", "PGHOST": str(params["host"]),
           "PGPORT": str(params["port"]), "PGUSER": str(params.get("user", "postgres"))}
    if "password" in params:
        env["PGPASSWORD"] = str(params["password"])
    done = subprocess.run(["bash", str(scripts / "install.sh")], cwd=scripts, env=env,
                          check=False, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise MessageDbUnavailable(f"Message DB's install.sh failed: {done.stderr.strip()[-800:]}")
    return not role_existed


def remove(url: str, role_too: bool) -> None:
    """Drop the peer's database and, if this run's install created it, the role `message_store`:
    the run leaves nothing behind outside the databases it named as its own."""
    check_database_name(url)
    with connect(url) as raw, raw.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS message_store CASCADE")  # what the role owns in this database
    drop_database(url)
    if role_too:
        admin = sqlalchemy.make_url(url).set(database="postgres").render_as_string(hide_password=False)
        with connect(admin) as raw, raw.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")


def message_db(url: str, commands: int, cache: Path = CACHE) -> list[Measure]:
    """Messages/s of `message_store.write_message(...)`, one message committed per call.

    Installs Message DB into the database of `url` if needed (npm + its psql installer; see the
    module docstring), empties `message_store.messages`, then times from Python with psycopg2, one
    after another: survey (new stream `parcel-<id>`, expected version -1), title (new stream
    `title-<id>`, -1) and transfer (second message on each title stream, expected version 0).
    Each message's data is the same JSON as our event's state (about 1 KB for a survey), encoded
    in the timed loop as a client would; Message DB's own per-category advisory lock serialises
    writers of a category, as the table lock does ours. Afterwards its database is dropped, and the
    role `message_store` too when this run created it.
    """
    created_role = install(url, cache)
    try:
        return _measure(url, commands)
    finally:
        remove(url, created_role)


def _measure(url: str, commands: int) -> list[Measure]:
    with connect(url, options="-c search_path=message_store,public") as raw:
        with raw.cursor() as cursor:
            cursor.execute("TRUNCATE message_store.messages RESTART IDENTITY")
        raw.autocommit = False
        titles = [f"title-{uuid.uuid4()}" for _ in range(commands)]
        runs = [
            ("survey", "Surveyed", [(f"parcel-{uuid.uuid4()}", -1, survey_fields(i)) for i in range(commands)]),
            ("title", "RightRegistered", [(titles[i], -1, title_fields(i)) for i in range(commands)]),
            ("transfer", "OwnershipTransferred", [(titles[i], 0, transfer_fields(i)) for i in range(commands)]),
        ]
        return [_time(raw, name, kind, messages) for name, kind, messages in runs]


def _time(raw: Any, name: str, kind: str, messages: list[tuple[str, int, dict[str, Any]]]) -> Measure:
    watch = Stopwatch()
    with watch, raw.cursor() as cursor:
        for stream, expected_version, data in messages:
            cursor.execute(WRITE, (str(uuid.uuid4()), stream, kind, json.dumps(data), None, expected_version))
            raw.commit()
    return rate(f"Message DB write_message: {name}", "messages/s", len(messages), watch.seconds)
