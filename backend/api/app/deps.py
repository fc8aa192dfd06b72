"""Request dependencies: settings, a database session per request, and who is calling."""

from __future__ import annotations

import functools
import hmac
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.app.jobs import JobQueue
from backend.api.app.photo_store import PhotoStore
from backend.api.app.rate_limits import RateLimits
from backend.api.app.settings import ApiSettings
from backend.common.models import Reporter, hash_api_token

OPTIONAL_BEARER = "OptionalBearer"
_bearer = HTTPBearer(auto_error=False, description="The token returned by POST /reporters.")
# Same header, for public reads: the OpenAPI document marks it optional (see main.py).
_optional_bearer = HTTPBearer(
    auto_error=False,
    scheme_name=OPTIONAL_BEARER,
    description="Optional: the reporter sees the private view of their own reports.",
)


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_jobs(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


def get_photos(request: Request) -> PhotoStore:
    photos: PhotoStore = request.app.state.photos
    return photos


def get_rate_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


_session = Depends(get_session)


class DatabaseRoute(APIRoute):
    """A route whose database session closes (its connection back in the pool) as soon as the
    route function returns. FastAPI closes dependencies after validating the response, which
    takes a worker thread: under load every thread could wait for a connection held by a
    finished request waiting for a thread (a deadlock the soak benchmark found at 64
    connections). Routes build their response bodies before returning, so nothing is lazy."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _closing_sessions(endpoint), **kwargs)


def _closing_sessions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            for value in kwargs.values():
                if isinstance(value, Session):
                    value.close()

    return run


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: a reporter, or the administrator (reporter is None)."""

    reporter: Reporter | None
    is_admin: bool = False

    @property
    def actor(self) -> str:
        return "admin" if self.reporter is None else str(self.reporter.id)


def get_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[Session, _session],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = credentials.credentials
    # Issued tokens are printable ASCII; anything else (a header of Latin-1 bytes) is not one.
    if not (token.isascii() and token.isprintable()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    admin = settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        return Caller(reporter=None, is_admin=True)
    reporter = session.scalar(select(Reporter).where(Reporter.token_hash == hash_api_token(token)))
    if reporter is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(reporter=reporter)


def get_optional_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
    session: Annotated[Session, _session],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> Caller | None:
    """For public reads: anonymous callers are fine, a token that is sent must be valid."""
    if credentials is None:
        return None
    return get_caller(credentials, session, settings)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]
PhotosDep = Annotated[PhotoStore, Depends(get_photos)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
SessionDep = Annotated[Session, _session]
CallerDep = Annotated[Caller, Depends(get_caller)]
OptionalCallerDep = Annotated[Caller | None, Depends(get_optional_caller)]
