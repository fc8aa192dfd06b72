"""Request and response bodies. Contact details appear only in `ItemPrivate` (the owner's view)
and in a match's `other_contact` once both sides confirmed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Self

import email_validator
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from backend.common.inputs import IsoDateTime, MultiLine, SingleLine, as_utc
from backend.common.limits import (
    MAX_BRAND_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_IDENTIFIER_CHARS,
    MAX_LABEL_CHARS,
    MAX_PRIVATE_DETAILS_CHARS,
    MAX_TITLE_CHARS,
)
from backend.common.models import (
    CustodyState,
    DisposalDestination,
    EnrichmentState,
    HandOverMethod,
    ItemAction,
    ItemKind,
    ItemStatus,
    MatchStatus,
    ReporterRole,
    RowOutcome,
    StaffRole,
)

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS),
    SingleLine,
]


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# pydantic's EmailStr (email-validator, syntax only: no DNS); SingleLine refuses control
# characters with the same message as every other field. Syntax only means the reserved
# domains too (name@host.test is well formed): email-validator's list of them is emptied, as
# its documentation allows, so the OpenAPI `format: email` is the whole rule.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()
Email = Annotated[EmailStr, BeforeValidator(_stripped), SingleLine]
Brand = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_BRAND_CHARS), SingleLine
]
PlaceName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
Contact = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), SingleLine
]
Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LABEL_CHARS),
    SingleLine,
]
ProofText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500), MultiLine
]
# Numbers from JSON only (`false` is not 0.0), finite and on the globe.
Latitude = Annotated[float, Field(ge=-90, le=90, strict=True, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True, allow_inf_nan=False)]

# Clocks of phones drift; a report "from the future" beyond this is a mistake.
CLOCK_SKEW = timedelta(minutes=10)


Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION_CHARS), MultiLine
]
PrivateDetails = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_PRIVATE_DETAILS_CHARS), MultiLine
]
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_IDENTIFIER_CHARS), SingleLine
]
MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MultiLine
]


def _occurred(moment: datetime, field: str = "occurred_at") -> datetime:
    """In UTC, after EARLIEST_MOMENT, and not later than now (plus CLOCK_SKEW)."""
    moment = as_utc(moment, field=field)
    if moment > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(f"{field} is in the future")
    return moment


class ReporterCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
    ]
    email: Email | None = None


class ReporterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str | None
    role: ReporterRole = ReporterRole.PERSON
    office_id: uuid.UUID | None = Field(default=None, description="Staff: their office.")
    staff_role: StaffRole | None = None


class StaffCreate(ReporterCreate):
    staff_role: StaffRole = StaffRole.CLERK


class TokenOut(BaseModel):
    token: str = Field(
        description="Bearer token: shown once, store it. Sign in again by e-mail link "
        "(POST /reporters/sign-in-link) if it is lost."
    )
    expires_at: datetime = Field(description="When the token stops working (rotate it before).")


class ReporterCreated(ReporterOut, TokenOut):
    pass


class SignedIn(TokenOut):
    reporter: ReporterOut


class SignInLinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class SignInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
    ] = Field(description="The code of the sign-in link.")


class _ItemFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    category: Label | None = None
    colour: Label | None = None
    brand: Brand | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    place_name: PlaceName | None = None
    occurred_at: IsoDateTime
    contact: Contact
    private_details: PrivateDetails = Field(
        default="",
        description="What only the owner (or whoever holds the item) knows: an engraving, the "
        "contents, a mark. Never public, never used for matching: a match's claim check "
        "compares the other side's answer with it.",
    )
    identifier: Identifier | None = Field(
        default=None,
        description="A serial number, IMEI or frame number. Private; reports with the same one "
        "are matched exactly.",
    )

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at(cls, moment: datetime) -> datetime:
        return _occurred(moment)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        return self


class ItemCreate(_ItemFields):
    kind: ItemKind


class ItemUpdate(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    # Absent means "unchanged"; null only where the report may lack the value. SkipJsonSchema:
    # the document says these are never null, and a null gets a 422 naming the field.
    title: Title | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    category: Label | None = None
    colour: Label | None = None
    brand: Brand | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    place_name: PlaceName | None = None
    occurred_at: IsoDateTime | SkipJsonSchema[None] = None
    contact: Contact | SkipJsonSchema[None] = None
    private_details: PrivateDetails | SkipJsonSchema[None] = None
    identifier: Identifier | None = None
    status: ItemStatus | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        given = self.model_fields_set
        if ("latitude" in given) != ("longitude" in given) or (self.latitude is None) != (
            self.longitude is None
        ):
            raise ValueError("latitude and longitude go together: give both or neither")
        for required in _NOT_NULL:
            if required in given and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be null")
        return self

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at(cls, moment: datetime | None) -> datetime | None:
        return None if moment is None else _occurred(moment)


_NOT_NULL = ("title", "description", "occurred_at", "contact", "private_details", "status")


class MatchConfirm(BaseModel):
    """A side's "yes, that's it". The finder adds a proof, given once and judged once; the
    owner's claim is their report's private details, fixed from their confirmation on."""

    model_config = ConfigDict(extra="forbid")

    proof: ProofText | SkipJsonSchema[None] = Field(
        default=None,
        description="Finder: something only the item in hand shows (an engraving, a sticker, "
        "what is inside). Required from the finder, and given once.",
    )


class ContactSharing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share: bool = Field(description="Show my contact to the other side of this agreed match.")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: MessageText


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    from_you: bool
    text: str
    created_at: datetime


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    content_type: str
    size_bytes: int
    sha256: str
    url: str


class ItemPublic(BaseModel):
    """A report as others see it: never the contact. In the public view (anyone but the
    reporter and the other side of a match whose contacts were shared) description, brand and
    photo are null, the place is rounded to 0.01 degree and the time to the day."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ItemKind
    title: str
    description: str | None
    category: str | None
    colour: str | None
    brand: str | None
    latitude: float | None
    longitude: float | None
    place_name: str | None
    occurred_at: IsoDateTime
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
    private_details: str = ""
    identifier: str | None = None
    reporter_id: uuid.UUID
    enrichment_error: str | None = None
    sensitive: bool = Field(
        default=False,
        description="An identity document or a payment card: the public view, search and "
        "listings never show it; a match's other side sees only what it is.",
    )
    proposed_colour: str | None = Field(
        default=None,
        description="The photo's main colour as the vision service reads it, once the photo "
        "was read: a proposal to accept (set `colour` to it) or correct.",
    )


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    page: int
    page_size: int


class MyItemPage(BaseModel):
    items: list[ItemPrivate]
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
    """A match as one side sees it. Each side sees the verdict on the other side's answer, never
    on its own: an answer is no oracle to try guesses against."""

    id: uuid.UUID
    status: MatchStatus
    score: float
    components: ScoreComponents
    your_side: str = Field(description="'lost' or 'found': which item of the pair is yours.")
    your_item_id: uuid.UUID = Field(description="Your report of the pair.")
    you_confirmed: bool
    other_confirmed: bool
    finder_proof: str | None = Field(
        default=None,
        description="What the finder says only the item in hand shows (the owner sees it once "
        "given).",
    )
    proof_verified: bool | None = Field(
        default=None,
        description="Owner only: the proof names private details of your report (and little "
        "else). Null for the finder, and before a proof.",
    )
    owner_claim: str | None = Field(
        default=None,
        description="The owner's private details as they stood when they confirmed; the finder "
        "sees them once their own proof is given.",
    )
    claim_verified: bool | None = Field(
        default=None,
        description="Finder only: the owner's claim agrees with your proof and private details. "
        "Null for the owner, and before the proof.",
    )
    agreed: bool = Field(
        description="Both confirmed and each side's check passed (or was accepted): messages "
        "are open."
    )
    awaiting: str | None = Field(
        default=None, description="What stands between this match and the hand-over, for you."
    )
    you_share_contact: bool = Field(description="Whether the other side sees your contact.")
    other_item: ItemPublic
    other_contact: str | None = Field(
        default=None,
        description="The other reporter's contact: once agreed, and only if they chose to share "
        "it. Otherwise talk through messages.",
    )
    created_at: datetime


# -- bulk intake -------------------------------------------------------------------------------

ExternalRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
]
ArchiveName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), SingleLine
]


class BulkReport(ItemCreate):
    """One row of an office's upload: a report, the office's own reference for it, and the
    name of its photo in the uploaded archive."""

    external_ref: ExternalRef = Field(
        description="The office's reference (its register number): uploading it again is the "
        "same report."
    )
    photo: ArchiveName | None = Field(
        default=None, description="File name of the report's photo in the `photos` archive."
    )
    contact: Contact | SkipJsonSchema[None] = Field(  # type: ignore[assignment]
        default=None, description="Default: the upload's `contact`, else the office's e-mail."
    )


class RowError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class BatchRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    row: int = Field(description="1 is the first report of the file (the header not counted).")
    external_ref: str | None
    outcome: RowOutcome
    item_id: uuid.UUID | None = Field(description="The report: new, or the earlier duplicate.")
    errors: list[RowError] | None = Field(description="Why a refused row stored nothing.")


class BatchProgress(BaseModel):
    reports: int = Field(description="Reports of this upload: accepted rows and duplicates.")
    enriched: int
    matched: int = Field(description="Enriched and matched (or no longer open).")
    failed: int = Field(description="Enrichment failed; `failed_for_good` are not retried.")
    failed_for_good: int
    suggestions: int = Field(description="Matches suggested for this upload's reports.")
    percent: float = Field(description="Matched or failed for good, of all reports.")


class BatchOut(BaseModel):
    id: uuid.UUID
    file_name: str
    file_format: str
    created_at: datetime
    rows_total: int
    rows_accepted: int
    rows_duplicate: int
    rows_refused: int
    progress: BatchProgress
    refused: list[BatchRowOut] = Field(
        description="The first refused rows, with their reasons (all: GET /batches/{id}/rows)."
    )


class BatchRowPage(BaseModel):
    rows: list[BatchRowOut]
    total: int
    page: int
    page_size: int


# -- a desk's day --------------------------------------------------------------------------------

Location = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
]
DeskNote = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine
]


class CustodyReceive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: Location = Field(description="Shelf, bin or seal-bag number.")
    value_eur: Annotated[int, Field(ge=0, le=10_000_000, strict=True)] | None = Field(
        default=None,
        description="Estimated value in euros: from VALUABLE_FROM_EUR it is kept longer.",
    )
    received_at: IsoDateTime | None = Field(
        default=None, description="When the desk took it in (default: now); never in the future."
    )

    @field_validator("received_at")
    @classmethod
    def _received_at(cls, moment: datetime | None) -> datetime | None:
        return None if moment is None else _occurred(moment, "received_at")


class CustodyMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: Location


class HandOverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: HandOverMethod
    id_checked: DeskNote | None = Field(
        default=None, description="Pickup: the identity document the owner showed."
    )
    address: DeskNote | None = Field(default=None, description="Shipping: where it went.")
    tracking_number: DeskNote | None = Field(default=None, description="Shipping.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.method == HandOverMethod.PICKUP and self.id_checked is None:
            raise ValueError("a pickup records the identity document checked (id_checked)")
        if self.method == HandOverMethod.SHIPPING and (
            self.address is None or self.tracking_number is None
        ):
            raise ValueError("shipping records the address and the tracking number")
        return self


class DisposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    destination: DisposalDestination


class CustodyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: uuid.UUID
    state: CustodyState
    location: str
    category: str = Field(description="The category its holding period and statistics use.")
    value_eur: int | None
    sensitive: bool = Field(
        description="An identity document or payment card: never public, never sold or given."
    )
    held_since: datetime
    keep_until: date = Field(description="The last day of its holding period.")
    ended_at: datetime | None


class ExpiredItem(CustodyOut):
    title: str


class ExpiredPage(BaseModel):
    items: list[ExpiredItem]
    total: int
    page: int
    page_size: int


class ItemEventOut(BaseModel):
    id: int
    item_id: uuid.UUID
    actor_id: uuid.UUID | None = Field(description="The staff member; null for the admin.")
    actor_name: str = Field(description="The staff member's name, or 'admin'.")
    action: ItemAction
    details: dict[str, Any]
    at: datetime


class HoldingPeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: Annotated[int, Field(ge=1, le=120, strict=True)]


class HoldingPeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    category: str
    months: int


class HoldingPeriods(BaseModel):
    default_months: int
    valuable_months: int
    valuable_from_eur: int
    categories: list[HoldingPeriodOut] = Field(description="The office's own periods.")


class ReviewPage(BaseModel):
    items: list[MatchOut]
    total: int
    page: int
    page_size: int


class MonthFiguresOut(BaseModel):
    month: str = Field(description="YYYY-MM: the month the items were received.")
    category: str | None = Field(description="null: all categories of the month.")
    received: int
    returned: int
    disposed: int
    held: int
    return_rate: float
    median_days_to_return: float | None
