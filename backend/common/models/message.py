"""Messages between the two sides of an agreed match, relayed by the platform: neither side's
e-mail or phone number is shown unless its owner chooses to share it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.clock import utcnow
from backend.common.models.base import Base


class MatchMessage(Base):
    __tablename__ = "match_message"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    match_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("match.id"), index=True)
    sender_side: Mapped[str] = mapped_column(String(8))  # "lost" or "found"
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
