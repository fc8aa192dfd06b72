"""Who reports: people register themselves; lost-property offices are registered by the admin."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.api.app.deps import Caller
from backend.api.app.errors import Forbidden
from backend.api.app.rate_limits import RateLimits
from backend.common.models import Reporter, ReporterRole, hash_api_token, new_api_token


def register(
    session: Session,
    name: str,
    email: str | None,
    client: str,
    rate_limits: RateLimits,
) -> tuple[Reporter, str]:
    """A person's account, and its token (shown once)."""
    rate_limits.check(rate_limits.registrations, f"ip:{client}")
    return _create(session, name, email, ReporterRole.PERSON, actor=None)


def register_office(
    session: Session, caller: Caller, name: str, email: str | None
) -> tuple[Reporter, str]:
    """A lost-property office's account (it may upload reports in bulk), and its token."""
    if not caller.is_admin:
        raise Forbidden("only the admin registers lost-property offices")
    return _create(session, name, email, ReporterRole.OFFICE, actor=caller.actor)


def _create(
    session: Session, name: str, email: str | None, role: ReporterRole, actor: str | None
) -> tuple[Reporter, str]:
    token = new_api_token()
    reporter = Reporter(name=name, email=email, token_hash=hash_api_token(token), role=role)
    reporter.record_change(actor)
    session.add(reporter)
    session.commit()
    return reporter, token
