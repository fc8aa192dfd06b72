"""one column for a report's category group: `match_group` (which the match index reads);
`category_group` held the same value (NULL where the other holds "")

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.drop_column("category_group")


def downgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("category_group", sa.String(length=50), nullable=True))
    item = sa.table("item", sa.column("category_group"), sa.column("match_group"))
    op.execute(
        item.update().where(item.c.match_group != "").values(category_group=item.c.match_group)
    )
