"""The read log of personal data (UU PDP 2022): who read which holder's data, when and why.

Kept out of the event log: it records reads, not changes to the registry, and is pruned after
LANDREG_READ_LOG_RETENTION_DAYS.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "landreg_reads",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("access", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("nib", sa.String(13)),
        sa.Column("purpose", sa.String(200)),
        sa.Column("request_id", sa.String(128)),
    )
    op.create_index("ix_landreg_reads_subject", "landreg_reads", ["subject", "read_at"])
    op.create_index("ix_landreg_reads_actor", "landreg_reads", ["actor", "read_at"])
    op.create_index("ix_landreg_reads_read_at", "landreg_reads", ["read_at"])


def downgrade() -> None:
    op.drop_table("landreg_reads")
