"""the hand-over: private details and identifiers on items, the two-sided claim check and relayed
messages on matches, credentials (expiring tokens, sign-in codes) instead of one token hash

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:00:00

Every existing token becomes a credential that expires a year from now (it never expired
before); a reporter's e-mail is indexed for sign-in links. Items keep their public place and day
beside the exact ones (listings filter on those), computed here for the items there are.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from backend.common.clock import in_utc
from backend.common.geo import round_public

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXISTING_TOKEN_LIFETIME = timedelta(days=365)
CHUNK = 1000

item = sa.table(
    "item",
    sa.column("id", sa.Uuid()),
    sa.column("latitude", sa.Float()),
    sa.column("longitude", sa.Float()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("public_latitude", sa.Float()),
    sa.column("public_longitude", sa.Float()),
    sa.column("occurred_on", sa.Date()),
)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("private_details", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("identifier", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("identifier_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_item_identifier_key", ["identifier_key"])
        batch.add_column(sa.Column("public_latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("public_longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        batch.drop_index("ix_item_location")
    _public_place_and_day()
    with op.batch_alter_table("item") as batch:
        batch.create_index("ix_item_public_location", ["public_latitude", "public_longitude"])
        batch.create_index("ix_item_occurred_on", ["occurred_on"])
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("owner_claim", sa.Text(), nullable=True))
        for name in (
            "claim_verified",
            "finder_accepted_claim",
            "lost_shares_contact",
            "found_shares_contact",
        ):
            batch.add_column(_flag(name))
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=32), type_=sa.String(length=64))
    op.create_table(
        "match_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("match_id", sa.Uuid(), nullable=False),
        sa.Column("sender_side", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["match.id"], name=op.f("fk_match_message_match_id_match")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_message")),
    )
    op.create_index("ix_match_message_match_id", "match_message", ["match_id"])
    credential = op.create_table(
        "credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("token", "sign_in", name="credentialkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["reporter.id"], name=op.f("fk_credential_reporter_id_reporter")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_credential_secret_hash")),
    )
    op.create_index("ix_credential_reporter_id", "credential", ["reporter_id"])
    reporter = sa.table(
        "reporter", sa.column("id", sa.Uuid()), sa.column("token_hash", sa.String())
    )
    now = datetime.now(UTC)
    rows = op.get_bind().execute(sa.select(reporter.c.id, reporter.c.token_hash)).all()
    if rows:
        op.bulk_insert(
            credential,
            [
                {
                    "id": uuid.uuid4(),
                    "reporter_id": reporter_id,
                    "kind": "token",
                    "secret_hash": token_hash,
                    "created_at": now,
                    "expires_at": now + EXISTING_TOKEN_LIFETIME,
                }
                for reporter_id, token_hash in rows
            ],
        )
    with op.batch_alter_table("reporter") as batch:
        batch.drop_constraint("uq_reporter_token_hash", type_="unique")
        batch.drop_column("token_hash")
        batch.create_index("ix_reporter_email", ["email"])


def _public_place_and_day() -> None:
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(item.c.id, item.c.latitude, item.c.longitude, item.c.occurred_at)
        if last is not None:
            query = query.where(item.c.id > last)
        rows = connection.execute(query.order_by(item.c.id).limit(CHUNK)).all()
        if not rows:
            return
        for row in rows:
            connection.execute(
                item.update()
                .where(item.c.id == row.id)
                .values(
                    public_latitude=round_public(row.latitude),
                    public_longitude=round_public(row.longitude),
                    occurred_on=in_utc(row.occurred_at).date(),
                )
            )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("reporter") as batch:
        batch.drop_index("ix_reporter_email")
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
    # Each reporter keeps its newest usable token; the others (and sign-in codes) are lost.
    op.execute(
        """
        UPDATE reporter SET token_hash = (
            SELECT secret_hash FROM credential
            WHERE credential.reporter_id = reporter.id AND credential.kind = 'token'
              AND credential.revoked_at IS NULL
            ORDER BY credential.created_at DESC LIMIT 1
        )
        """
    )
    op.execute("UPDATE reporter SET token_hash = 'revoked-' || id WHERE token_hash IS NULL")
    with op.batch_alter_table("reporter") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_reporter_token_hash", ["token_hash"])
    op.drop_index("ix_credential_reporter_id", table_name="credential")
    op.drop_table("credential")
    op.drop_index("ix_match_message_match_id", table_name="match_message")
    op.drop_table("match_message")
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=64), type_=sa.String(length=32))
    with op.batch_alter_table("match") as batch:
        for name in (
            "found_shares_contact",
            "lost_shares_contact",
            "finder_accepted_claim",
            "claim_verified",
            "owner_claim",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_occurred_on")
        batch.drop_index("ix_item_public_location")
        batch.drop_column("occurred_on")
        batch.drop_column("public_longitude")
        batch.drop_column("public_latitude")
        batch.create_index("ix_item_location", ["latitude", "longitude"])
        batch.drop_index("ix_item_identifier_key")
        batch.drop_column("identifier_key")
        batch.drop_column("identifier")
        batch.drop_column("private_details")
