"""Overlapping legacy certificates recorded instead of refused (issue 17): each parcels row keeps
its open conflicts (`[{nib, overlap_m2}]`; null: none). Adding a nullable column rewrites nothing."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("landreg_parcels", sa.Column("conflicts", sa.JSON()))


def downgrade() -> None:
    op.drop_column("landreg_parcels", "conflicts")
