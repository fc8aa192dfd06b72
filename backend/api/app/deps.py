"""Request dependencies: settings, a database session per request, and who is calling."""

from __future__ import annotations

import functools
import hmac
import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from backend.api.app.jobs import JobQueue
from backend.api.app.paging import MAX_PAGE, MAX_PAGE_SIZE, Page
from backend.api.app.photo_store import PhotoStore
from backend.api.app.rate_limits import RateLimits
from backend.api.app.services.access import Caller
from backend.api.app.settings import ApiSettings
from backend.common.clock import utcnow
from backend.common.models import Credential, CredentialKind

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
    connections). Routes build their response bodies before returning, so nothing is lazy.

    FastAPI's own `Depends(..., scope="function")` (0.121) does not do this: it closes after the
    response was validated too. Tried: bench/api_soak.py at 64 connections gave 26 of 64
    listings a 503 (pool timeout) in 10 s, against none with this route class."""

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


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"}
    )


def get_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[Session, _session],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    token = credentials.credentials
    # Issued tokens are printable ASCII; anything else (a header of Latin-1 bytes) is not one.
    if not (token.isascii() and token.isprintable()):
        raise _unauthorized("invalid bearer token")
    admin = settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        return Caller(reporter=None, is_admin=True)
    found = session.execute(Credential.held(token, CredentialKind.TOKEN)).one_or_none()
    if found is None:
        raise _unauthorized("invalid bearer token")
    credential, reporter = found
    if credential.revoked_at is not None:
        raise _unauthorized("this token was revoked: sign in again with an e-mail link")
    if not credential.usable(utcnow()):
        raise _unauthorized("this token expired: sign in again with an e-mail link")
    return Caller(reporter=reporter, credential=credential)


def get_optional_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
    session: Annotated[Session, _session],
    settings: Annotated[ApiSettings, Depends(get_settings)],
) -> Caller | None:
    """For public reads: anonymous callers are fine, a token that is sent must be valid."""
    if credentials is None:
        return None
    return get_caller(credentials, session, settings)


def page_of(
    settings: Annotated[ApiSettings, Depends(get_settings)],
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[
        int | None,
        Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page; the server may serve fewer."),
    ] = None,
) -> Page:
    """The page a listing asks for (paging.py)."""
    return Page(page, min(page_size or settings.default_page_size, settings.max_page_size))


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
PageDep = Annotated[Page, Depends(page_of)]
JobsDep = Annotated[JobQueue, Depends(get_jobs)]
PhotosDep = Annotated[PhotoStore, Depends(get_photos)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
SessionDep = Annotated[Session, _session]
CallerDep = Annotated[Caller, Depends(get_caller)]
OptionalCallerDep = Annotated[Caller | None, Depends(get_optional_caller)]
