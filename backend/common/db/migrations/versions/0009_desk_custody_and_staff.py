"""a desk's day: staff accounts under an office, custody of found items, holding periods,
each item's append-only trail of who did what, and reports that are never public (identity
documents, payment cards; the ones enrichment already read as such are marked here)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.common.models.desk import APPEND_ONLY

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SENSITIVE = ("passport", "id card", "driving licence", "bank card")


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    item = sa.table("item", sa.column("sensitive"), sa.column("canonical_category"))
    op.execute(item.update().where(item.c.canonical_category.in_(SENSITIVE)).values(sensitive=True))
    with op.batch_alter_table("reporter") as batch:
        batch.add_column(sa.Column("office_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("staff_role", sa.String(length=16), nullable=True))
        batch.create_index("ix_reporter_office_id", ["office_id"])
        batch.create_foreign_key(
            "fk_reporter_office_id_reporter", "reporter", ["office_id"], ["id"]
        )
    op.create_table(
        "custody",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("value_eur", sa.Integer(), nullable=True),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("held_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("keep_until", sa.Date(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name="fk_custody_item_id_item"),
        sa.ForeignKeyConstraint(
            ["office_id"], ["reporter.id"], name="fk_custody_office_id_reporter"
        ),
        sa.PrimaryKeyConstraint("item_id", name="pk_custody"),
    )
    op.create_index("ix_custody_expiry", "custody", ["office_id", "state", "keep_until"])
    op.create_index("ix_custody_office_held_since", "custody", ["office_id", "held_since"])
    op.create_table(
        "item_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name="fk_item_event_item_id_item"),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["reporter.id"], name="fk_item_event_actor_id_reporter"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_item_event"),
    )
    op.create_index("ix_item_event_item_id", "item_event", ["item_id"])
    op.create_table(
        "holding_period",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["reporter.id"], name="fk_holding_period_office_id_reporter"
        ),
        sa.PrimaryKeyConstraint("office_id", "category", name="pk_holding_period"),
    )
    create, _drop = APPEND_ONLY[op.get_bind().dialect.name]
    for statement in create:
        op.execute(statement)


def downgrade() -> None:
    _create, drop = APPEND_ONLY[op.get_bind().dialect.name]
    for statement in drop:
        op.execute(statement)
    op.drop_table("holding_period")
    op.drop_index("ix_item_event_item_id", table_name="item_event")
    op.drop_table("item_event")
    op.drop_index("ix_custody_office_held_since", table_name="custody")
    op.drop_index("ix_custody_expiry", table_name="custody")
    op.drop_table("custody")
    with op.batch_alter_table("reporter") as batch:
        batch.drop_constraint("fk_reporter_office_id_reporter", type_="foreignkey")
        batch.drop_index("ix_reporter_office_id")
        batch.drop_column("staff_role")
        batch.drop_column("office_id")
    with op.batch_alter_table("item") as batch:
        batch.drop_column("sensitive")
