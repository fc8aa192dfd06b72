from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from backend.api.app.deps import CallerDep, DatabaseRoute, RateLimitsDep, SessionDep
from backend.api.app.schemas import ReporterCreate, ReporterCreated, ReporterOut
from backend.common.models import Reporter, hash_api_token, new_api_token

router = APIRouter(prefix="/reporters", tags=["reporters"], route_class=DatabaseRoute)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReporterCreated,
    summary="Register a reporter and get its API token (shown once)",
)
def create_reporter(
    body: ReporterCreate, request: Request, session: SessionDep, rate_limits: RateLimitsDep
) -> ReporterCreated:
    client = request.client.host if request.client else "unknown"
    rate_limits.check(rate_limits.registrations, f"ip:{client}")
    token = new_api_token()
    reporter = Reporter(name=body.name, email=body.email, token_hash=hash_api_token(token))
    session.add(reporter)
    session.commit()
    return ReporterCreated(id=reporter.id, name=reporter.name, email=reporter.email, token=token)


@router.get("/me", response_model=ReporterOut, summary="The reporter the token belongs to")
def read_me(caller: CallerDep, session: SessionDep) -> Reporter:  # closed on return
    if caller.reporter is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the admin token has no reporter")
    return caller.reporter
