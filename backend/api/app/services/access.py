"""Who is calling and what they may see: the caller, and the access rules the services and the
views share (the views decide nothing themselves)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.common.models import Credential, Item, Match, MatchStatus, Reporter


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: a reporter (with the token it called with), or the
    administrator (reporter is None)."""

    reporter: Reporter | None
    is_admin: bool = False
    credential: Credential | None = None

    @property
    def actor(self) -> str:
        return "admin" if self.reporter is None else str(self.reporter.id)

    @property
    def acts_for(self) -> uuid.UUID | None:
        """Whose reports the caller's own are: a desk's staff act for their office."""
        return None if self.reporter is None else self.reporter.acts_for


def is_owner(item: Item, caller: Caller | None) -> bool:
    return (
        caller is not None and caller.reporter is not None and item.reporter_id == caller.acts_for
    )


def may_see_photo(session: Session, item: Item, caller: Caller | None) -> bool:
    """The reporter, the admin, and the other side of an agreed match."""
    if caller is None:
        return False
    if caller.is_admin or is_owner(item, caller):
        return True
    assert caller.reporter is not None
    matches = session.scalars(
        select(Match).where(
            or_(Match.lost_item_id == item.id, Match.found_item_id == item.id),
            Match.status == MatchStatus.CONFIRMED,
        )
    ).unique()
    return any(
        match.agreed and match.side_of(caller.reporter.acts_for) is not None for match in matches
    )
