"""Who reports items, and the secrets they sign in with: bearer API tokens (one per device, each
with an expiry, rotated and revoked by its holder) and one-time sign-in codes sent by e-mail.
Only a secret's SHA-256 is stored."""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Select, String, Uuid, select
from sqlalchemy.orm import Mapped, mapped_column

from backend.common.clock import in_utc, utcnow
from backend.common.models.base import Base, enum_type
from backend.common.models.soft_delete import AuditLogMixin


class ReporterRole(enum.StrEnum):
    PERSON = "person"  # reports their own items, one at a time
    OFFICE = "office"  # a lost-property office: uploads many reports at once (admin-created)
    STAFF = "staff"  # a member of an office's desk: acts for the office, under their own name


class StaffRole(enum.StrEnum):
    CLERK = "clerk"  # registers, stores, hands over and disposes of the desk's items
    MANAGER = "manager"  # also adds staff, sets holding periods, reads audit trails


class CredentialKind(enum.StrEnum):
    TOKEN = "token"  # an API token: `Authorization: Bearer ...`
    SIGN_IN = "sign_in"  # a one-time code from a sign-in link, exchanged for a token


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # Secrets are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


class Reporter(AuditLogMixin, Base):
    __tablename__ = "reporter"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), default=None, index=True)
    role: Mapped[ReporterRole] = mapped_column(
        enum_type(ReporterRole), default=ReporterRole.PERSON, server_default="person"
    )
    # Staff only: the office whose desk they work at, and what they may do there.
    office_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reporter.id"), default=None, index=True
    )
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_type(StaffRole), default=None)

    @property
    def acts_for(self) -> uuid.UUID:
        """Whose reports this reporter's actions are about: a staff member acts for the office."""
        return self.office_id if self.office_id is not None else self.id

    @property
    def works_at_desk(self) -> bool:
        return self.role in (ReporterRole.OFFICE, ReporterRole.STAFF)

    @property
    def manages_desk(self) -> bool:
        """The office's own account, or a staff member with the manager role."""
        return self.role == ReporterRole.OFFICE or self.staff_role == StaffRole.MANAGER


class Credential(Base):
    """A secret a reporter holds. Usable while not revoked, not used (a sign-in code is used
    once) and not expired."""

    __tablename__ = "credential"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reporter.id"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(enum_type(CredentialKind))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @classmethod
    def issue(
        cls, reporter_id: uuid.UUID, kind: CredentialKind, lifetime: timedelta
    ) -> tuple[Credential, str]:
        """A new credential and its secret (the secret is not stored: hand it out once)."""
        secret = new_secret()
        now = utcnow()
        credential = cls(
            reporter_id=reporter_id,
            kind=kind,
            secret_hash=hash_secret(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
        return credential, secret

    @staticmethod
    def held(secret: str, kind: CredentialKind) -> Select[tuple[Credential, Reporter]]:
        """The credential of `kind` whose secret is `secret`, and its reporter (one row or none)."""
        return (
            select(Credential, Reporter)
            .join(Reporter, Reporter.id == Credential.reporter_id)
            .where(Credential.secret_hash == hash_secret(secret), Credential.kind == kind)
        )

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and in_utc(self.expires_at) > now

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
