"""A lost-property desk over HTTP: custody of its found items (receive, move, hand over,
dispose), holding periods, the expiry list, each item's trail, the review queue and statistics.
The work is backend/api/app/services/desk.py."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status

from backend.api.app.deps import (
    CallerDep,
    DatabaseRoute,
    JobsDep,
    PageDep,
    SessionDep,
    SettingsDep,
)
from backend.api.app.schemas import (
    CustodyMove,
    CustodyOut,
    CustodyReceive,
    DisposalIn,
    ExpiredItem,
    ExpiredPage,
    HandOverIn,
    HoldingPeriodIn,
    HoldingPeriodOut,
    HoldingPeriods,
    ItemEventOut,
    MonthFiguresOut,
    ReviewPage,
)
from backend.api.app.services import desk
from backend.api.app.services.desk import HandOver, MonthFigures
from backend.api.app.views import match_view
from backend.common.taxonomy import taxonomy

router = APIRouter(tags=["desk"], route_class=DatabaseRoute)

_STEP: dict[int | str, dict[str, Any]] = {
    409: {"description": "The step does not apply now (already handed over, still in its period…)"}
}
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


@router.post(
    "/items/{item_id}/custody",
    status_code=status.HTTP_201_CREATED,
    response_model=CustodyOut,
    summary="Desk: take your office's found item into custody, on a shelf",
    responses=_STEP,
)
def receive(
    item_id: uuid.UUID,
    body: CustodyReceive,
    session: SessionDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> CustodyOut:
    custody = desk.receive(
        session,
        settings,
        taxonomy(settings.taxonomy_file),
        caller,
        item_id,
        body.location,
        body.value_eur,
        body.received_at,
    )
    return CustodyOut.model_validate(custody)


@router.get(
    "/items/{item_id}/custody",
    response_model=CustodyOut,
    summary="Desk: where the item is, until when it is kept, what became of it",
)
def read_custody(item_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> CustodyOut:
    return CustodyOut.model_validate(desk.custody_of(session, caller, item_id))


@router.post(
    "/items/{item_id}/custody/move",
    response_model=CustodyOut,
    summary="Desk: put the item on another shelf, bin or seal bag",
    responses=_STEP,
)
def move(
    item_id: uuid.UUID, body: CustodyMove, session: SessionDep, caller: CallerDep
) -> CustodyOut:
    return CustodyOut.model_validate(desk.move(session, caller, item_id, body.location))


@router.post(
    "/items/{item_id}/custody/hand-over",
    response_model=CustodyOut,
    summary="Desk: the owner has it (pickup with the identity checked, or shipping tracked)",
    responses=_STEP,
)
def hand_over(
    item_id: uuid.UUID,
    body: HandOverIn,
    background: BackgroundTasks,
    session: SessionDep,
    caller: CallerDep,
    jobs: JobsDep,
) -> CustodyOut:
    how = HandOver(body.method, body.id_checked, body.address, body.tracking_number)
    custody, match_id = desk.hand_over(session, caller, item_id, how)
    if match_id is not None:  # the owner is told
        background.add_task(jobs.notify, match_id)
    return CustodyOut.model_validate(custody)


@router.post(
    "/items/{item_id}/custody/disposal",
    response_model=CustodyOut,
    summary="Desk: the item leaves after its holding period (charity, auction, police…)",
    responses=_STEP,
)
def dispose(
    item_id: uuid.UUID, body: DisposalIn, session: SessionDep, caller: CallerDep
) -> CustodyOut:
    return CustodyOut.model_validate(desk.dispose(session, caller, item_id, body.destination))


@router.get(
    "/items/{item_id}/trail",
    response_model=list[ItemEventOut],
    summary="Office manager: every step taken with the item, who took it and when",
)
def read_trail(item_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> list[ItemEventOut]:
    return [
        ItemEventOut(
            id=step.id,
            item_id=step.item_id,
            actor_id=step.actor_id,
            actor_name=name,
            action=step.action,
            details=step.details,
            at=step.at,
        )
        for step, name in desk.trail(session, caller, item_id)
    ]


@router.get(
    "/offices/me/holding-periods",
    response_model=HoldingPeriods,
    summary="Desk: how long items are kept (the office's own periods per category)",
)
def read_holding_periods(
    session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> HoldingPeriods:
    own = desk.holding_periods(session, caller)
    return HoldingPeriods(
        default_months=settings.holding_period_months,
        valuable_months=settings.valuable_holding_period_months,
        valuable_from_eur=settings.valuable_from_eur,
        categories=[HoldingPeriodOut.model_validate(period) for period in own],
    )


@router.put(
    "/offices/me/holding-periods/{category}",
    response_model=HoldingPeriodOut,
    summary="Office manager: the office's holding period for a category (items received "
    "from now on)",
)
def set_holding_period(
    category: str,
    body: HoldingPeriodIn,
    session: SessionDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> HoldingPeriodOut:
    period = desk.set_holding_period(
        session, caller, taxonomy(settings.taxonomy_file), category, body.months
    )
    return HoldingPeriodOut.model_validate(period)


@router.delete(
    "/offices/me/holding-periods/{category}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Office manager: back to the default period for a category",
)
def clear_holding_period(
    category: str, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> Response:
    desk.clear_holding_period(session, caller, taxonomy(settings.taxonomy_file), category)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/offices/me/expired",
    response_model=ExpiredPage,
    summary="Desk: held items whose holding period ended, longest expired first",
)
def list_expired(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    on: Annotated[date | None, Query(description="The day to look from (default: today).")] = None,
) -> ExpiredPage:
    rows, total = desk.expired(session, caller, on, page)
    return ExpiredPage(
        items=[
            ExpiredItem.model_validate(
                {**CustodyOut.model_validate(custody).model_dump(), "title": item.title}
            )
            for custody, item in rows
        ],
        total=total,
        page=page.number,
        page_size=page.size,
    )


@router.get(
    "/offices/me/review",
    response_model=ReviewPage,
    summary="Desk: matches suggested for your office's reports, best first, with their "
    "score components (the web app says them in words)",
)
def review_queue(
    request: Request, session: SessionDep, caller: CallerDep, page: PageDep
) -> ReviewPage:
    rows, total = desk.review_queue(session, caller, page)
    return ReviewPage(
        items=[match_view(match, side, request) for match, side in rows],
        total=total,
        page=page.number,
        page_size=page.size,
    )


def _figures(row: MonthFigures) -> MonthFiguresOut:
    return MonthFiguresOut(
        month=row.month,
        category=row.category,
        received=row.received,
        returned=row.returned,
        disposed=row.disposed,
        held=row.held,
        return_rate=round(row.return_rate, 4),
        median_days_to_return=row.median_days_to_return,
    )


@router.get(
    "/offices/me/statistics",
    response_model=list[MonthFiguresOut],
    summary="Desk: items received per month and category, and what became of them",
    description="Each month's total comes first (category null), then its categories.",
)
def read_statistics(
    session: SessionDep,
    caller: CallerDep,
    since: Month | None = None,
    until: Month | None = None,
) -> list[MonthFiguresOut]:
    first, last = desk.month_range(since, until)
    return [_figures(row) for row in desk.statistics_by_month(session, caller, first, last)]


@router.get(
    "/offices/me/statistics.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The same figures as CSV"}},
    summary="Desk: the statistics as a CSV file (for a spreadsheet)",
)
def export_statistics(
    session: SessionDep,
    caller: CallerDep,
    since: Month | None = None,
    until: Month | None = None,
) -> Response:
    first, last = desk.month_range(since, until)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MonthFiguresOut.model_fields)
    for row in desk.statistics_by_month(session, caller, first, last):
        figures = _figures(row).model_dump()
        figures["category"] = figures["category"] or "(all)"
        writer.writerow("" if value is None else value for value in figures.values())
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statistics-{first}-{last}.csv"'},
    )
