"""Baseline: the schema landreg made at start-up before migrations (frozen SQL in ../baseline/).

Each statement creates only what is missing, so the same revision makes a new store and
completes one made by that start-up (then the revision is recorded and later ones apply).
"""
from __future__ import annotations

from pathlib import Path

from alembic import op
from sqlalchemy import text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BASELINE = Path(__file__).resolve().parent.parent / "baseline"


def upgrade() -> None:
    bind = op.get_bind()
    script = (BASELINE / f"{bind.dialect.name}.sql").read_text()
    if bind.dialect.name == "postgresql":
        for extension in ("postgis", "pg_trgm"):  # needs CREATE on the database, see schema.py
            bind.execute(text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
        bind.exec_driver_sql(script)  # psycopg2 takes many statements, DO blocks too
        return
    for statement in script.split(";\n"):
        if any(line.strip() and not line.startswith("--") for line in statement.splitlines()):
            bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup instead (docs/operations.md)")
