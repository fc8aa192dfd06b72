"""A lost-property desk's day: its found items in custody (received onto a shelf, moved, handed
to their owner, disposed of after their holding period), the office's holding periods, the
expiry list, each item's trail of who did what, the review queue and the desk's statistics.

Staff act for their office (`Reporter.acts_for`): every item here is one of the office's found
reports, and every step is written to the item's append-only trail (models/desk.py)."""

from __future__ import annotations

import calendar
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session

from backend.api.app.errors import Conflict, Forbidden, Invalid, NotFound
from backend.api.app.paging import Page
from backend.api.app.services.access import Caller
from backend.api.app.services.items import load_item
from backend.api.app.services.matches import notify
from backend.api.app.services.trail import record
from backend.api.app.settings import ApiSettings
from backend.common.clock import in_utc, utcnow
from backend.common.models import (
    SENSITIVE_DESTINATIONS,
    Custody,
    CustodyState,
    DisposalDestination,
    HandOverMethod,
    HoldingPeriod,
    Item,
    ItemAction,
    ItemEvent,
    ItemKind,
    ItemStatus,
    Match,
    MatchStatus,
    Reporter,
)
from backend.common.models.desk import is_sensitive
from backend.common.notices import HANDED_OVER, SHIPPED
from backend.common.taxonomy import Taxonomy

UNKNOWN_CATEGORY = "unknown"


def office_of(caller: Caller, *, manager: bool = False) -> uuid.UUID:
    """The office the caller works for; Forbidden for anyone else (or a clerk, for `manager`)."""
    reporter = caller.reporter
    if reporter is None or not reporter.works_at_desk:
        raise Forbidden("this is for the staff of a lost-property office")
    if manager and not reporter.manages_desk:
        raise Forbidden("only the office's manager may do this")
    return reporter.acts_for


def _office_item(
    session: Session, caller: Caller, item_id: uuid.UUID, *, lock: bool = True
) -> tuple[Item, uuid.UUID]:
    """The office's report `item_id`, locked for a step unless only read."""
    office_id = office_of(caller)
    item = load_item(session, item_id, for_update=lock)
    if item.reporter_id != office_id:
        raise Forbidden("this item is another office's (or a person's) report")
    return item, office_id


def _custody(session: Session, item_id: uuid.UUID, *, lock: bool = True) -> Custody:
    custody = session.get(Custody, item_id, with_for_update=lock)
    if custody is None:
        raise NotFound(f"item {item_id} is not in custody: receive it first")
    return custody


# -- holding periods -----------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter: 31 Jan -> 28 Feb);
    ValueError outside the years 1-9999."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_range(since: str | None, until: str | None) -> tuple[str, str]:
    """The months (YYYY-MM) statistics cover: as asked, by default the last twelve, this one
    included."""
    this_month = utcnow().date().replace(day=1)
    return (
        since or add_months(this_month, -11).strftime("%Y-%m"),
        until or this_month.strftime("%Y-%m"),
    )


def holding_months(
    session: Session,
    settings: ApiSettings,
    office_id: uuid.UUID,
    category: str,
    value_eur: int | None,
) -> int:
    """How long the office keeps an item: its own period for the category, else the
    deployment's; never shorter than the valuable period for an item worth that much."""
    own = session.get(HoldingPeriod, (office_id, category))
    months = own.months if own is not None else settings.holding_period_months
    if value_eur is not None and value_eur >= settings.valuable_from_eur:
        months = max(months, settings.valuable_holding_period_months)
    return months


def holding_periods(session: Session, caller: Caller) -> list[HoldingPeriod]:
    office_id = office_of(caller)
    return list(
        session.scalars(
            select(HoldingPeriod)
            .where(HoldingPeriod.office_id == office_id)
            .order_by(HoldingPeriod.category)
        )
    )


def _known_category(taxonomy: Taxonomy, category: str) -> str:
    found = taxonomy.canonical("CATEGORY", category)
    if not found:
        raise Invalid(("path", "category"), f"{category!r} is not a category the taxonomy knows")
    return found[0]


def set_holding_period(
    session: Session, caller: Caller, taxonomy: Taxonomy, category: str, months: int
) -> HoldingPeriod:
    """The office's own period for a category (items received from now on)."""
    office_id = office_of(caller, manager=True)
    canonical = _known_category(taxonomy, category)
    period = session.get(HoldingPeriod, (office_id, canonical))
    if period is None:
        period = HoldingPeriod(office_id=office_id, category=canonical, months=months)
        session.add(period)
    else:
        period.months = months
    session.commit()
    return period


def clear_holding_period(
    session: Session, caller: Caller, taxonomy: Taxonomy, category: str
) -> None:
    office_id = office_of(caller, manager=True)
    period = session.get(HoldingPeriod, (office_id, _known_category(taxonomy, category)))
    if period is None:
        raise NotFound(f"the office has no period of its own for {category!r}")
    session.delete(period)
    session.commit()


# -- custody -------------------------------------------------------------------------------------


def category_of(item: Item, taxonomy: Taxonomy) -> str:
    """The category a desk counts the item under: what was typed, read by the taxonomy, else
    what enrichment found, else unknown."""
    typed = taxonomy.canonical("CATEGORY", item.category)
    return typed[0] if typed else item.canonical_category or UNKNOWN_CATEGORY


def receive(
    session: Session,
    settings: ApiSettings,
    taxonomy: Taxonomy,
    caller: Caller,
    item_id: uuid.UUID,
    location: str,
    value_eur: int | None,
    received_at: datetime | None,
) -> Custody:
    """Take a found report's item into custody, on a shelf; its holding period starts."""
    item, office_id = _office_item(session, caller, item_id)
    if item.kind != ItemKind.FOUND:
        raise Conflict("only found items are kept in custody")
    if session.get(Custody, item.id) is not None:
        raise Conflict("this item is already in custody: move it to change its place")
    held_since = received_at or utcnow()
    category = category_of(item, taxonomy)
    months = holding_months(session, settings, office_id, category, value_eur)
    custody = Custody(
        item_id=item.id,
        office_id=office_id,
        state=CustodyState.HELD,
        location=location,
        category=category,
        value_eur=value_eur,
        sensitive=is_sensitive(category),
        held_since=held_since,
        keep_until=add_months(in_utc(held_since).date(), months),
    )
    session.add(custody)
    record(
        session,
        item.id,
        caller,
        ItemAction.RECEIVED,
        location=location,
        keep_until=custody.keep_until.isoformat(),
        value_eur=value_eur,
    )
    session.commit()
    return custody


def custody_of(session: Session, caller: Caller, item_id: uuid.UUID) -> Custody:
    _office_item(session, caller, item_id, lock=False)
    return _custody(session, item_id, lock=False)


def move(session: Session, caller: Caller, item_id: uuid.UUID, location: str) -> Custody:
    item, _ = _office_item(session, caller, item_id)
    custody = _custody(session, item.id)
    custody.require_held()
    record(session, item.id, caller, ItemAction.MOVED, previous=custody.location, location=location)
    custody.location = location
    session.commit()
    return custody


@dataclass(frozen=True)
class HandOver:
    method: HandOverMethod
    id_checked: str | None = None  # pickup: which document was shown
    address: str | None = None  # shipping
    tracking_number: str | None = None


def hand_over(
    session: Session, caller: Caller, item_id: uuid.UUID, how: HandOver
) -> tuple[Custody, uuid.UUID | None]:
    """The owner has the item: at the counter (identity checked) or by post (tracked). Where
    the owner came through an agreed match, their report is returned too and they are told
    (the outbox: the caller queues delivery of the returned match's notices)."""
    item, _ = _office_item(session, caller, item_id)
    custody = _custody(session, item.id)
    now = utcnow()
    custody.end(CustodyState.HANDED_OVER, now)
    item.move_to(ItemStatus.RETURNED)
    item.record_change(caller.actor)
    details = {key: value for key, value in vars(how).items() if value is not None}
    record(session, item.id, caller, ItemAction.HANDED_OVER, **details)
    agreed = session.scalars(
        select(Match).where(Match.found_item_id == item.id, Match.status == MatchStatus.CONFIRMED)
    ).first()
    if agreed is not None and agreed.lost_item is not None:
        agreed.lost_item.move_to(ItemStatus.RETURNED)
        kind = SHIPPED if how.method == HandOverMethod.SHIPPING else HANDED_OVER
        extra = {"tracking_number": how.tracking_number} if how.tracking_number else {}
        notify(session, agreed, agreed.lost_item.reporter_id, kind, **extra)
    session.commit()
    return custody, agreed.id if agreed is not None else None


def dispose(
    session: Session, caller: Caller, item_id: uuid.UUID, destination: DisposalDestination
) -> Custody:
    """The item leaves the desk after its holding period: to charity, auction, the police…
    Identity documents and payment cards go back to who issued them, the police, or are
    destroyed (SENSITIVE_DESTINATIONS)."""
    item, _ = _office_item(session, caller, item_id)
    custody = _custody(session, item.id)
    custody.require_held()
    now = utcnow()
    if now.date() <= custody.keep_until:
        raise Conflict(
            f"this item must be kept until {custody.keep_until.isoformat()} (its holding period)"
        )
    if custody.sensitive and destination not in SENSITIVE_DESTINATIONS:
        allowed = ", ".join(sorted(SENSITIVE_DESTINATIONS))
        raise Conflict(f"a {custody.category} is never sold or given away: it goes to {allowed}")
    custody.end(CustodyState.DISPOSED, now)
    item.move_to(ItemStatus.CLOSED)
    item.record_change(caller.actor)
    record(session, item.id, caller, ItemAction.DISPOSED, destination=destination.value)
    session.commit()
    return custody


def _held(office_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    return (Custody.office_id == office_id, Custody.state == CustodyState.HELD)


def expired(
    session: Session, caller: Caller, on: date | None, page: Page
) -> tuple[list[tuple[Custody, Item]], int]:
    """Held items whose holding period ended before `on` (today by default): what the desk
    may dispose of, longest expired first."""
    office_id = office_of(caller)
    day = on or utcnow().date()
    where = (*_held(office_id), Custody.keep_until < day)
    rows = session.execute(
        select(Custody, Item)
        .join(Item, Item.id == Custody.item_id)
        .where(*where)
        .order_by(Custody.keep_until, Custody.item_id)
        .limit(page.size)
        .offset(page.offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(Custody).where(*where)) or 0
    return [row._tuple() for row in rows], total


def trail(session: Session, caller: Caller, item_id: uuid.UUID) -> list[tuple[ItemEvent, str]]:
    """Every step of the item, oldest first, with who took it (a name; "admin" for the
    admin): the office's manager reads it."""
    office_of(caller, manager=True)
    _office_item(session, caller, item_id, lock=False)
    rows = session.execute(
        select(ItemEvent, Reporter.name)
        .outerjoin(Reporter, Reporter.id == ItemEvent.actor_id)
        .where(ItemEvent.item_id == item_id)
        .order_by(ItemEvent.id)
    ).all()
    return [(step, name or "admin") for step, name in rows]


def review_queue(
    session: Session, caller: Caller, page: Page
) -> tuple[list[tuple[Match, str]], int]:
    """Suggested matches for the office's reports, best first, with the office's side."""
    office_id = office_of(caller)
    ours = select(Item.id).where(Item.reporter_id == office_id)
    suggested = (
        Match.status == MatchStatus.SUGGESTED,
        or_(Match.found_item_id.in_(ours), Match.lost_item_id.in_(ours)),
    )
    # One pass over the suggestions finds the page's ids and how many there are in all; the
    # page's matches (with their reports) are read by id after.
    ranked = session.execute(
        select(Match.id, func.count().over())
        .where(*suggested)
        .order_by(Match.score.desc(), Match.id)
        .limit(page.size)
        .offset(page.offset)
    ).all()
    if ranked:
        total = ranked[0][1]
    else:  # an empty page: past the last one, or none at all
        total = session.scalar(select(func.count()).select_from(Match).where(*suggested)) or 0
    ids = [match_id for match_id, _ in ranked]
    loaded = {
        match.id: match
        for match in session.scalars(select(Match).where(Match.id.in_(ids))).unique()
    }
    return [
        (match, "found" if match.found_item.reporter_id == office_id else "lost")
        for match in (loaded[match_id] for match_id in ids)
        if match.found_item is not None and match.lost_item is not None
    ], total


# -- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """The items a desk received in one month (of one category, or all: category None), and
    what became of them so far."""

    month: str  # YYYY-MM
    category: str | None
    received: int
    returned: int
    disposed: int
    held: int
    median_days_to_return: float | None

    @property
    def return_rate(self) -> float:
        return self.returned / self.received if self.received else 0.0


def _month(column: Any, dialect: str) -> ColumnElement[Any]:
    """The month of a time, in SQL: a timestamp (PostgreSQL: date_trunc groups fastest) or a
    string (SQLite); `_month_name` reads either."""
    if dialect == "postgresql":
        return func.date_trunc("month", func.timezone("UTC", column))
    return func.strftime("%Y-%m", column)


def _month_name(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.strftime("%Y-%m")


def _first_instant(month: str, later: int = 0) -> datetime:
    """The first instant (UTC) of `month` (YYYY-MM), or of the month `later` months on; a
    month before the year 1 or after 9999 is the first or last a datetime holds."""
    year, number = (int(part) for part in month.split("-"))
    try:
        first = add_months(date(max(year, 1), number, 1), later)
    except ValueError:
        first = date(9999, 12, 1)
    return datetime(first.year, first.month, 1, tzinfo=UTC)


def _median_days_to_return(
    session: Session, month: ColumnElement[Any], where: tuple[ColumnElement[bool], ...]
) -> dict[tuple[str, str | None], float]:
    """Median days from receipt to hand-over per (month, category) and per (month, None)."""
    returned = (*where, Custody.state == CustodyState.HANDED_OVER)
    if session.get_bind().dialect.name == "postgresql":  # computed where the rows are
        days = func.extract("epoch", Custody.ended_at - Custody.held_since) / 86_400
        rows = session.execute(
            select(month, Custody.category, func.percentile_cont(0.5).within_group(days))
            .where(*returned)
            .group_by(func.grouping_sets(tuple_(month, Custody.category), tuple_(month)))
        )
        return {
            (_month_name(month_of), category): float(median) for month_of, category, median in rows
        }
    waited: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    days = func.julianday(Custody.ended_at) - func.julianday(Custody.held_since)
    for month_of, category, value in session.execute(
        select(month, Custody.category, days).where(*returned)
    ):
        waited[(month_of, category)].append(value)
        waited[(month_of, None)].append(value)
    return {key: statistics.median(values) for key, values in waited.items()}


def statistics_by_month(
    session: Session, caller: Caller, since: str, until: str
) -> list[MonthFigures]:
    """Per month received (`since` to `until`, YYYY-MM) and category, then per month for all
    categories: received, returned, disposed, still held, median days to return."""
    office_id = office_of(caller)
    month = _month(Custody.held_since, session.get_bind().dialect.name)
    where = (
        Custody.office_id == office_id,
        Custody.held_since >= _first_instant(since),
        Custody.held_since < _first_instant(until, later=1),
    )

    def counted(state: CustodyState) -> ColumnElement[int]:
        return func.count().filter(Custody.state == state)

    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for month_of, category, *figures in session.execute(
        select(
            month,
            Custody.category,
            func.count(),
            counted(CustodyState.HANDED_OVER),
            counted(CustodyState.DISPOSED),
            counted(CustodyState.HELD),
        )
        .where(*where)
        .group_by(month, Custody.category)
    ):
        for key in ((_month_name(month_of), category), (_month_name(month_of), None)):
            counts[key] = [
                total + figure for total, figure in zip(counts[key], figures, strict=True)
            ]
    medians = _median_days_to_return(session, month, where)
    figures = [
        MonthFigures(
            month=month_of,
            category=category,
            received=received,
            returned=returned,
            disposed=disposed,
            held=held,
            median_days_to_return=(
                round(medians[(month_of, category)], 1) if (month_of, category) in medians else None
            ),
        )
        for (month_of, category), (received, returned, disposed, held) in counts.items()
    ]
    # Months in order; within one, the total first, then the categories.
    return sorted(figures, key=lambda row: (row.month, row.category is not None, row.category))
