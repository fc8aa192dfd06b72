"""Reporters over HTTP: register, read yourself; the admin registers offices. The work is
backend/api/app/services/reporters.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from backend.api.app.deps import CallerDep, DatabaseRoute, RateLimitsDep, SessionDep, SettingsDep
from backend.api.app.errors import Invalid, NotFound
from backend.api.app.schemas import MyItemPage, ReporterCreate, ReporterCreated, ReporterOut
from backend.api.app.services import items, reporters
from backend.api.app.views import item_private
from backend.common.models import Reporter

router = APIRouter(tags=["reporters"], route_class=DatabaseRoute)


def _created(reporter: Reporter, token: str) -> ReporterCreated:
    return ReporterCreated(
        id=reporter.id, name=reporter.name, email=reporter.email, role=reporter.role, token=token
    )


@router.post(
    "/reporters",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Register a reporter and get its API token (shown once)",
)
def create_reporter(
    body: ReporterCreate, request: Request, session: SessionDep, rate_limits: RateLimitsDep
) -> ReporterCreated:
    client = request.client.host if request.client else "unknown"
    return _created(*reporters.register(session, body.name, body.email, client, rate_limits))


@router.post(
    "/offices",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Admin: register a lost-property office (it may upload reports in bulk)",
)
def create_office(body: ReporterCreate, session: SessionDep, caller: CallerDep) -> ReporterCreated:
    return _created(*reporters.register_office(session, caller, body.name, body.email))


@router.get(
    "/reporters/me", response_model=ReporterOut, summary="The reporter the token belongs to"
)
def read_me(caller: CallerDep, session: SessionDep) -> Reporter:  # closed on return
    if caller.reporter is None:
        raise NotFound("the admin token has no reporter")
    return caller.reporter


@router.get(
    "/reporters/me/items",
    response_model=MyItemPage,
    summary="Your reports, newest first, as you see them (contact included)",
)
def read_my_items(
    request: Request,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int | None, Query(ge=1)] = None,
) -> MyItemPage:
    size = page_size or settings.default_page_size
    if size > settings.max_page_size:
        raise Invalid(("query", "page_size"), f"must be at most {settings.max_page_size}")
    rows, total = items.of_reporter(session, caller, page, size)
    return MyItemPage(
        items=[item_private(item, request) for item in rows], total=total, page=page, page_size=size
    )
