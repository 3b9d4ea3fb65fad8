"""Where the next incremental audit verify starts: each verify that found the log sound, and the
last checkpoint it checked (registry/audit/audit_store.py: verified). Not evidence of anything."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "landreg_audit_verified",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("from_position", sa.BigInteger(), nullable=False),
        sa.Column("to_position", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("events_checked", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("landreg_audit_verified")
