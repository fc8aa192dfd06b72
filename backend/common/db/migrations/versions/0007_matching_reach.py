"""matching's reach: reports lost on a journey (their place is a route) and the version of each
report's enrichment (an older one is enriched again: new text rewriting, match record v2)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATCHABLE = "status = 'open' AND enrichment_state = 'done' AND deleted_at IS NULL"


def _match_index(include: list[str]) -> None:
    op.create_index(
        "ix_item_match",
        "item",
        ["kind", "match_group", "occurred_at"],
        postgresql_include=include,
        postgresql_where=sa.text(MATCHABLE),
        sqlite_where=sa.text(MATCHABLE),
    )


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("journey", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("enrichment_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.drop_index("ix_item_match", table_name="item")
    _match_index(["latitude", "longitude", "journey", "match_record"])


def downgrade() -> None:
    op.drop_index("ix_item_match", table_name="item")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("enrichment_version")
        batch.drop_column("journey")
    _match_index(["latitude", "longitude", "match_record"])
