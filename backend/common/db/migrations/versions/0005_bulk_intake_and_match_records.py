"""bulk intake (offices, batches, external references); compact match records for retrieval

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00

Each enriched item's float32 embedding becomes part of its match record (int8, with its masks,
category, place, time and photo descriptor); the embedding column goes.
"""

import uuid
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa
from alembic import op

from backend.common import match_record
from backend.common.photo_similarity import descriptor_or_none

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATCHABLE = "status = 'open' AND enrichment_state = 'done' AND deleted_at IS NULL"
CHUNK = 1000

item = sa.table(
    "item",
    sa.column("id", sa.Uuid()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("latitude", sa.Float()),
    sa.column("longitude", sa.Float()),
    sa.column("attributes", sa.JSON()),
    sa.column("canonical_category", sa.String()),
    sa.column("category_group", sa.String()),
    sa.column("image_features", sa.JSON()),
    sa.column("text_embedding", sa.LargeBinary()),
    sa.column("match_record", sa.LargeBinary()),
    sa.column("match_group", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("reporter") as batch:
        batch.add_column(
            sa.Column(
                "role",
                sa.Enum("person", "office", name="reporterrole", native_enum=False, length=16),
                nullable=False,
                server_default="person",
            )
        )
    op.create_table(
        "batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["reporter.id"], name=op.f("fk_batch_reporter_id_reporter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
    )
    op.create_index(op.f("ix_batch_reporter_id"), "batch", ["reporter_id"])

    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("match_record", sa.LargeBinary(), nullable=True))
        batch.add_column(
            sa.Column("match_group", sa.String(length=50), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("text_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("features_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("batch_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("external_ref", sa.String(length=100), nullable=True))
        batch.create_foreign_key(op.f("fk_item_batch_id_batch"), "batch", ["batch_id"], ["id"])
        batch.create_index(op.f("ix_item_batch_id"), ["batch_id"])
        batch.create_unique_constraint(
            op.f("uq_item_reporter_id_external_ref"), ["reporter_id", "external_ref"]
        )

    op.create_table(
        "batch_row",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(length=100), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "accepted", "duplicate", "refused", name="rowoutcome", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("item_id", sa.Uuid(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_batch_row_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_batch_row_item_id_item")),
        sa.PrimaryKeyConstraint("batch_id", "row", name=op.f("pk_batch_row")),
    )

    _records_from_embeddings()

    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_candidates")
        batch.drop_column("text_embedding")
    op.create_index(
        "ix_item_match",
        "item",
        ["kind", "match_group", "occurred_at"],
        postgresql_include=["latitude", "longitude", "match_record"],
        postgresql_where=sa.text(MATCHABLE),
        sqlite_where=sa.text(MATCHABLE),
    )


def _records_from_embeddings() -> None:
    connection = op.get_bind()
    after: uuid.UUID | None = None
    while True:
        query = sa.select(item).where(item.c.text_embedding.is_not(None))
        if after is not None:
            query = query.where(item.c.id > after)
        rows = connection.execute(query.order_by(item.c.id).limit(CHUNK)).all()
        if not rows:
            return
        for row in rows:
            embedding = np.frombuffer(row.text_embedding, dtype="<f4")
            record = match_record.pack(
                item_id=row.id,
                occurred_at=row.occurred_at,
                latitude=row.latitude,
                longitude=row.longitude,
                attributes=row.attributes,
                canonical_category=row.canonical_category,
                vector=match_record.quantize(embedding),
                descriptor=descriptor_or_none(row.image_features),
            )
            connection.execute(
                item.update()
                .where(item.c.id == row.id)
                .values(match_record=record, match_group=row.category_group or "")
            )
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_item_match", "item")
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("text_embedding", sa.LargeBinary(), nullable=True))
        batch.create_index("ix_item_candidates", ["kind", "status", "category_group"])
    connection = op.get_bind()
    full = sa.table("item", sa.column("id", sa.Uuid()), sa.column("match_record", sa.LargeBinary()))
    embedding = sa.table(
        "item", sa.column("id", sa.Uuid()), sa.column("text_embedding", sa.LargeBinary())
    )
    for row in connection.execute(sa.select(full).where(full.c.match_record.is_not(None))):
        [record] = match_record.unpack([row.match_record], match_record.dim_of(row.match_record))
        vector = match_record.unit_vectors(record["vector"]).astype("<f4")
        connection.execute(
            embedding.update()
            .where(embedding.c.id == row.id)
            .values(text_embedding=vector.tobytes())
        )
    op.drop_table("batch_row")
    with op.batch_alter_table("item") as batch:
        batch.drop_constraint(op.f("uq_item_reporter_id_external_ref"), type_="unique")
        batch.drop_index(op.f("ix_item_batch_id"))
        batch.drop_constraint(op.f("fk_item_batch_id_batch"), type_="foreignkey")
        batch.drop_column("external_ref")
        batch.drop_column("batch_id")
        batch.drop_column("features_sha256")
        batch.drop_column("text_digest")
        batch.drop_column("match_group")
        batch.drop_column("match_record")
    op.drop_index(op.f("ix_batch_reporter_id"), "batch")
    op.drop_table("batch")
    with op.batch_alter_table("reporter") as batch:
        batch.drop_column("role")
