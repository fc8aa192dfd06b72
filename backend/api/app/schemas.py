"""Request and response bodies. Contact details appear only in `ItemPrivate` (the owner's view)
and in a match's `other_contact` once both sides confirmed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backend.common.models import EnrichmentState, ItemKind, ItemStatus, MatchStatus

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Brand = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
PlaceName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]

# Clocks of phones drift; a report "from the future" beyond this is a mistake.
CLOCK_SKEW = timedelta(minutes=10)


def _utc_not_in_future(moment: datetime) -> datetime:
    """Naive times are taken as UTC; later than now (plus CLOCK_SKEW) is refused."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("occurred_at is in the future")
    return moment


class ReporterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    email: Email | None = None


class ReporterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str | None


class ReporterCreated(ReporterOut):
    token: str = Field(description="Bearer token for this reporter. Shown once; store it.")


class _ItemFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text200
    description: Description = ""
    category: Label | None = None
    colour: Label | None = None
    brand: Brand | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    place_name: PlaceName | None = None
    occurred_at: datetime
    contact: Contact

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        self.occurred_at = _utc_not_in_future(self.occurred_at)
        return self


class ItemCreate(_ItemFields):
    kind: ItemKind


class ItemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Text200 | None = None
    description: Description | None = None
    category: Label | None = None
    colour: Label | None = None
    brand: Brand | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    place_name: PlaceName | None = None
    occurred_at: datetime | None = None
    contact: Contact | None = None
    status: ItemStatus | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        given = self.model_fields_set
        if ("latitude" in given) != ("longitude" in given):
            raise ValueError("latitude and longitude go together: give both or neither")
        if self.occurred_at is not None:
            self.occurred_at = _utc_not_in_future(self.occurred_at)
        for required in ("title", "occurred_at", "contact"):
            if required in given and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be null")
        return self


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    content_type: str
    size_bytes: int
    sha256: str
    url: str


class ItemPublic(BaseModel):
    """What anyone may see of a report: no contact details."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ItemKind
    title: str
    description: str
    category: str | None
    colour: str | None
    brand: str | None
    latitude: float | None
    longitude: float | None
    place_name: str | None
    occurred_at: datetime
    status: ItemStatus
    enrichment_state: EnrichmentState
    photo: PhotoOut | None = None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    distance_km: float | None = Field(default=None, description="Set when listing near a point.")


class ItemPrivate(ItemPublic):
    """The reporter's own view of the report."""

    contact: str
    reporter_id: uuid.UUID
    enrichment_error: str | None = None


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    page: int
    page_size: int


class ScoreComponents(BaseModel):
    text: float
    image: float | None
    attributes: float
    category: float | None = Field(
        default=None, description="Category compatibility; null when either side's is unknown."
    )
    details: float | None = Field(
        default=None, description="Shared identifying details (rare words); null if not scored."
    )
    distance: float
    time: float


class MatchOut(BaseModel):
    id: uuid.UUID
    status: MatchStatus
    score: float
    components: ScoreComponents
    your_side: str = Field(description="'lost' or 'found': which item of the pair is yours.")
    you_confirmed: bool
    other_confirmed: bool
    other_item: ItemPublic
    other_contact: str | None = Field(
        default=None, description="The other reporter's contact, once both sides confirmed."
    )
    created_at: datetime
