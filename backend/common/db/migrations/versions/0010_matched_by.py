"""which matching model last matched a report (`item.matched_by`): after a refit the sweep
matches open reports again, so their suggestions carry the new model's scores

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for every report matched so far: by a model nobody recorded, so matched again.
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("matched_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.drop_column("matched_by")
