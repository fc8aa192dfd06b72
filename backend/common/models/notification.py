"""The notification outbox: written in the same transaction as the match it announces, then
delivered by the worker, so a crash never loses a notice. Delivery is at least once: a crash
between sending the e-mail and committing SENT sends it again (an e-mail cannot be taken back;
twice is better than never)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.models.base import Base, enum_type
from backend.common.models.soft_delete import AuditLogMixin


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(AuditLogMixin, Base):
    __tablename__ = "notification"
    # One notice of each kind per match and recipient, however often a task re-runs.
    __table_args__ = (UniqueConstraint("match_id", "reporter_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    match_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("match.id"), index=True)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"))
    # What it announces: a suggestion, a proof, an agreement, or "message:<id>" (one per message).
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus),
        default=NotificationStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
