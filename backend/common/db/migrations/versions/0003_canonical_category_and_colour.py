"""canonical category, its group and colour; candidates indexed by category group; match
category and detail scores

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("canonical_category", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("category_group", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("canonical_colour", sa.String(length=50), nullable=True))
        batch.drop_index("ix_item_candidates")
        batch.create_index("ix_item_candidates", ["kind", "status", "category_group"])
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("category_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("detail_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.drop_column("detail_score")
        batch.drop_column("category_score")
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_candidates")
        batch.create_index("ix_item_candidates", ["kind", "status", "category"])
        batch.drop_column("canonical_colour")
        batch.drop_column("category_group")
        batch.drop_column("canonical_category")
