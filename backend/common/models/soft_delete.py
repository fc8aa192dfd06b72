"""Soft delete and audit columns for SQLAlchemy 2 models.

Soft-deleted rows are hidden from every ORM SELECT (including `Session.get` and relationship
loads) by a session-wide criterion. Ask for them explicitly with
`select(Model).execution_options(include_deleted=True)` or `include_deleted(stmt)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import DateTime, String, event, func
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql import Executable

from backend.common.clock import utcnow

INCLUDE_DELETED = "include_deleted"

StatementT = TypeVar("StatementT", bound=Executable)


class SoftDeleteMixin:
    """`deleted_at` marks a row deleted; ordinary queries no longer see it."""

    deleted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None, index=True
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self, at: datetime | None = None) -> None:
        if self.deleted_at is None:
            self.deleted_at = at or utcnow()

    def restore(self) -> None:
        self.deleted_at = None


class AuditLogMixin:
    """Who created and last changed a row, and when (times are UTC)."""

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_by: Mapped[str | None] = mapped_column(String(64), default=None)

    def record_change(self, actor: str | None) -> None:
        """Stamp `actor` as the author of this change (and of the row, if it is new)."""
        if self.created_by is None:
            self.created_by = actor
        self.updated_by = actor


def include_deleted(statement: StatementT) -> StatementT:
    """The same statement, seeing soft-deleted rows too."""
    return statement.execution_options(**{INCLUDE_DELETED: True})


@event.listens_for(Session, "do_orm_execute")
def _hide_soft_deleted(state: ORMExecuteState) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get(INCLUDE_DELETED, False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(
                SoftDeleteMixin,
                lambda cls: cls.deleted_at.is_(None),
                include_aliases=True,
            )
        )
