"""Reporters over HTTP: register, read yourself, keep your account (rotate or revoke your token,
sign in again by e-mail link); the admin registers offices, an office's manager its staff. The
work is backend/api/app/services/reporters.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    PageDep,
    RateLimitsDep,
    SessionDep,
    SettingsDep,
)
from backend.api.app.errors import NotFound
from backend.api.app.schemas import (
    MyItemPage,
    ReporterCreate,
    ReporterCreated,
    ReporterOut,
    SignedIn,
    SignInLinkRequest,
    SignInRequest,
    StaffCreate,
    TokenOut,
)
from backend.api.app.services import items, reporters
from backend.api.app.services.reporters import Issued
from backend.api.app.settings import ApiSettings
from backend.api.app.views import item_private
from backend.common.mail import send_or_log
from backend.common.notices import sign_in_mail

router = APIRouter(tags=["reporters"], route_class=DatabaseRoute)


def _client(request: Request) -> str:
    # The peer, or the client a trusted proxy names (FORWARDED_ALLOW_IPS, common/serve.py).
    return request.client.host if request.client else "unknown"


def _created(issued: Issued) -> ReporterCreated:
    reporter = issued.reporter
    return ReporterCreated(
        id=reporter.id,
        name=reporter.name,
        email=reporter.email,
        role=reporter.role,
        office_id=reporter.office_id,
        staff_role=reporter.staff_role,
        token=issued.token,
        expires_at=issued.credential.expires_at,
    )


def _token(issued: Issued) -> TokenOut:
    return TokenOut(token=issued.token, expires_at=issued.credential.expires_at)


@router.post(
    "/reporters",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Register a reporter and get its API token (shown once)",
)
def create_reporter(
    body: ReporterCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    rate_limits: RateLimitsDep,
) -> ReporterCreated:
    issued = reporters.register(
        session, settings, body.name, body.email, _client(request), rate_limits
    )
    return _created(issued)


@router.post(
    "/offices",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Admin: register a lost-property office (it may upload reports in bulk)",
)
def create_office(
    body: ReporterCreate, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> ReporterCreated:
    return _created(reporters.register_office(session, settings, caller, body.name, body.email))


@router.post(
    "/offices/me/staff",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Office manager: add a staff account (a clerk or a manager) at your desk",
    description="The staff member signs in with this token, or later by e-mail link.",
)
def create_staff(
    body: StaffCreate, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> ReporterCreated:
    issued = reporters.register_staff(
        session, settings, caller, body.name, body.email, body.staff_role
    )
    return _created(issued)


@router.get(
    "/offices/me/staff", response_model=list[ReporterOut], summary="Your desk's staff accounts"
)
def list_staff(session: SessionDep, caller: CallerDep) -> list[ReporterOut]:
    return [ReporterOut.model_validate(member) for member in reporters.staff_of(session, caller)]


@router.get(
    "/reporters/me", response_model=ReporterOut, summary="The reporter the token belongs to"
)
def read_me(caller: CallerDep, session: SessionDep) -> ReporterOut:  # closed on return
    if caller.reporter is None:
        raise NotFound("the admin token has no reporter")
    return ReporterOut.model_validate(caller.reporter)


@router.post(
    "/reporters/me/token",
    response_model=TokenOut,
    summary="Rotate your token: a new one (shown once); the one you called with stops working",
)
def rotate_token(caller: CallerDep, session: SessionDep, settings: SettingsDep) -> TokenOut:
    return _token(reporters.rotate_token(session, settings, caller))


@router.delete(
    "/reporters/me/token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: revoke the token you called with, or every token of yours",
)
def revoke_token(
    caller: CallerDep,
    session: SessionDep,
    everywhere: Annotated[
        bool, Query(description="Revoke every token of yours (a lost phone), not just this one")
    ] = False,
) -> Response:
    reporters.revoke_token(session, caller, everywhere=everywhere)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/reporters/sign-in-link",
    status_code=status.HTTP_202_ACCEPTED,
    summary="E-mail a one-time sign-in link to the accounts of this address (if any)",
    description="Answers the same whether or not an account has this address.",
)
def request_sign_in_link(
    body: SignInLinkRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    rate_limits: RateLimitsDep,
) -> dict[str, str]:
    codes = reporters.request_sign_in(
        session, settings, str(body.email), _client(request), rate_limits
    )
    if codes:
        links = [(code.reporter.name, sign_in_url(settings, code.code)) for code in codes]
        mail = sign_in_mail(str(body.email), links, settings.sign_in_code_ttl_minutes)
        background.add_task(send_or_log, settings, mail)
    return {"detail": "if an account has this address, a sign-in link is on its way"}


def sign_in_url(settings: ApiSettings, code: str) -> str:
    return f"{settings.web_app_url.rstrip('/')}/#/sign-in/{code}"


@router.post(
    "/reporters/sign-in",
    response_model=SignedIn,
    summary="Exchange the code of a sign-in link for a new token (once)",
    responses={401: {"description": "The code is unknown, used or expired"}},
)
def sign_in(body: SignInRequest, session: SessionDep, settings: SettingsDep) -> SignedIn:
    issued = reporters.sign_in(session, settings, body.code)
    return SignedIn(
        token=issued.token,
        expires_at=issued.credential.expires_at,
        reporter=ReporterOut.model_validate(issued.reporter),
    )


@router.get(
    "/reporters/me/items",
    response_model=MyItemPage,
    summary="Your reports, newest first, as you see them (contact included)",
)
def read_my_items(
    request: Request, caller: CallerDep, session: SessionDep, page: PageDep
) -> MyItemPage:
    rows, total = items.of_reporter(session, caller, page)
    return MyItemPage(
        items=[item_private(item, request) for item in rows],
        total=total,
        page=page.number,
        page_size=page.size,
    )
