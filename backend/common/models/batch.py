"""A bulk upload from a lost-property office: what each row of the file became."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.models.base import Base, enum_type
from backend.common.models.soft_delete import AuditLogMixin


class RowOutcome(enum.StrEnum):
    ACCEPTED = "accepted"  # stored as a new report
    DUPLICATE = "duplicate"  # its external reference was reported before: that report stands
    REFUSED = "refused"  # nothing stored; `errors` says why


class Batch(AuditLogMixin, Base):
    __tablename__ = "batch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(10))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(Integer, default=0)


class BatchRow(Base):
    """Row `row` of the uploaded file (1 = the first report), and what became of it."""

    __tablename__ = "batch_row"

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    outcome: Mapped[RowOutcome] = mapped_column(enum_type(RowOutcome))
    item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("item.id"), default=None)
    # [{"loc": [...], "msg": "...", "type": "..."}], as a 422 would say it; null when accepted.
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
