"""claim check on matches (finder's proof); sweep state on items (retry time, matched generation)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("matched_generation", sa.Integer(), nullable=True))
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("finder_proof", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("proof_verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "owner_accepted_proof", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("match") as batch:
        batch.drop_column("owner_accepted_proof")
        batch.drop_column("proof_verified")
        batch.drop_column("finder_proof")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("matched_generation")
        batch.drop_column("retry_at")
