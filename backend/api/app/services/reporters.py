"""Who reports, and how they keep their account: people register themselves; lost-property
offices are registered by the admin. A token is shown once; it expires, its holder rotates or
revokes it, and a person who lost it signs in again with a one-time link sent by e-mail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.api.app.errors import Forbidden, NotFound, Unauthorized
from backend.api.app.rate_limits import RateLimits
from backend.api.app.services.access import Caller
from backend.api.app.services.desk import office_of
from backend.api.app.settings import ApiSettings
from backend.common.clock import utcnow
from backend.common.models import (
    Credential,
    CredentialKind,
    Reporter,
    ReporterRole,
    StaffRole,
)


@dataclass(frozen=True)
class Issued:
    """A reporter and the token just issued to it (its secret, shown once)."""

    reporter: Reporter
    token: str
    credential: Credential


def register(
    session: Session,
    settings: ApiSettings,
    name: str,
    email: str | None,
    client: str,
    rate_limits: RateLimits,
) -> Issued:
    """A person's account, and its first token."""
    rate_limits.check(rate_limits.registrations, f"ip:{client}")
    return _create(session, settings, name, email, ReporterRole.PERSON, actor=None)


def register_office(
    session: Session, settings: ApiSettings, caller: Caller, name: str, email: str | None
) -> Issued:
    """A lost-property office's account (it may upload reports in bulk), and its token."""
    if not caller.is_admin:
        raise Forbidden("only the admin registers lost-property offices")
    return _create(session, settings, name, email, ReporterRole.OFFICE, actor=caller.actor)


def register_staff(
    session: Session,
    settings: ApiSettings,
    caller: Caller,
    name: str,
    email: str | None,
    staff_role: StaffRole,
) -> Issued:
    """A staff account at the caller's office (its manager adds them), and its first token."""
    office_id = office_of(caller, manager=True)
    return _create(
        session,
        settings,
        name,
        email,
        ReporterRole.STAFF,
        actor=caller.actor,
        office_id=office_id,
        staff_role=staff_role,
    )


def staff_of(session: Session, caller: Caller) -> list[Reporter]:
    office_id = office_of(caller)
    return list(
        session.scalars(
            select(Reporter).where(Reporter.office_id == office_id).order_by(Reporter.name)
        )
    )


def _create(
    session: Session,
    settings: ApiSettings,
    name: str,
    email: str | None,
    role: ReporterRole,
    actor: str | None,
    office_id: uuid.UUID | None = None,
    staff_role: StaffRole | None = None,
) -> Issued:
    reporter = Reporter(
        name=name, email=email, role=role, office_id=office_id, staff_role=staff_role
    )
    reporter.record_change(actor)
    session.add(reporter)
    session.flush()
    issued = _issue_token(session, settings, reporter)
    session.commit()
    return issued


def _issue_token(session: Session, settings: ApiSettings, reporter: Reporter) -> Issued:
    credential, token = Credential.issue(
        reporter.id, CredentialKind.TOKEN, timedelta(days=settings.token_ttl_days)
    )
    session.add(credential)
    return Issued(reporter, token, credential)


def _me(caller: Caller) -> tuple[Reporter, Credential]:
    if caller.reporter is None or caller.credential is None:
        raise NotFound("the admin token has no reporter")
    return caller.reporter, caller.credential


def rotate_token(session: Session, settings: ApiSettings, caller: Caller) -> Issued:
    """A new token for the caller; the one it called with stops working."""
    reporter, current = _me(caller)
    session.execute(
        update(Credential).where(Credential.id == current.id).values(revoked_at=utcnow())
    )
    issued = _issue_token(session, settings, reporter)
    session.commit()
    return issued


def revoke_token(session: Session, caller: Caller, *, everywhere: bool) -> None:
    """Sign out: the token the caller used stops working, or (everywhere) every token of the
    reporter (a lost phone)."""
    reporter, current = _me(caller)
    which = Credential.reporter_id == reporter.id if everywhere else Credential.id == current.id
    session.execute(
        update(Credential).where(which, Credential.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    session.commit()


@dataclass(frozen=True)
class SignInCode:
    reporter: Reporter
    code: str


def request_sign_in(
    session: Session,
    settings: ApiSettings,
    email: str,
    client: str,
    rate_limits: RateLimits,
) -> list[SignInCode]:
    """One-time codes for every person's account with this e-mail address (none if there is
    no such account: the caller answers the same either way, so no one learns who has one)."""
    rate_limits.check(rate_limits.sign_ins, f"ip:{client}")
    rate_limits.check(rate_limits.sign_ins, f"email:{email.casefold()}")
    accounts = session.scalars(
        select(Reporter).where(
            Reporter.email == email, Reporter.role.in_((ReporterRole.PERSON, ReporterRole.STAFF))
        )
    ).all()
    codes = []
    for reporter in accounts:
        credential, code = Credential.issue(
            reporter.id,
            CredentialKind.SIGN_IN,
            timedelta(minutes=settings.sign_in_code_ttl_minutes),
        )
        session.add(credential)
        codes.append(SignInCode(reporter, code))
    session.commit()
    return codes


def sign_in(session: Session, settings: ApiSettings, code: str) -> Issued:
    """Exchange a sign-in code (once, before it expires) for a new token."""
    now = utcnow()
    found = session.execute(
        Credential.held(code, CredentialKind.SIGN_IN).with_for_update(of=Credential)
    ).one_or_none()
    if found is None or not found.Credential.usable(now):
        raise Unauthorized("this sign-in link is not valid: it works once, for a few minutes")
    credential, reporter = found
    credential.revoke(now)  # used: a link works once
    issued = _issue_token(session, settings, reporter)
    session.commit()
    return issued
