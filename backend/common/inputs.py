"""What every service accepts as text and time: one rule, used by each request schema.

Text from the world carries NUL bytes (PostgreSQL refuses them: a 500), other control characters
and lone surrogates (UTF-8 cannot encode them: a 500 where the text is written or embedded).
Times come naive or with any offset, and from years a database cannot store once converted.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from backend.common.clock import in_utc

# Reports are written by people: nothing before this is a plausible lost or found moment, and it
# keeps every conversion (UTC, epoch days) inside what Python and the databases represent.
EARLIEST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)

_LINE_BREAKS = "\n\r\t"


def refuse_unprintable(value: str, *, multiline: bool = False) -> str:
    """`value`, or ValueError naming the first control character or lone surrogate."""
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError(f"invalid character U+{ord(char):04X} (a lone surrogate) at {index}")
        if category == "Cc" and not (multiline and char in _LINE_BREAKS):
            raise ValueError(f"control character U+{ord(char):04X} at position {index}")
    return value


@dataclass(frozen=True)
class _Printable:
    """Annotated metadata for str: refuses control characters (line breaks and tabs too unless
    `multiline`) and lone surrogates with a message naming the character, and states the rule
    as a `pattern` in the JSON schema (OpenAPI) so clients can know it."""

    multiline: bool

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            partial(refuse_unprintable, multiline=self.multiline), handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = _MULTILINE_PATTERN if self.multiline else _SINGLE_LINE_PATTERN
        return json_schema


# Every control character (C0, DEL and C1: Unicode category Cc) but, in multiline text, the
# line breaks and tab; lone surrogates cannot be written in a JSON Schema pattern.
_SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
_MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"

# Compose with StringConstraints: Annotated[str, StringConstraints(max_length=...), SingleLine].
SingleLine = _Printable(multiline=False)
MultiLine = _Printable(multiline=True)


def as_utc(moment: datetime, *, field: str = "time") -> datetime:
    """An aware UTC time (naive times are taken as UTC); refused before EARLIEST_MOMENT."""
    if moment.tzinfo is None:  # compared before converting: year 1 may not convert
        moment = moment.replace(tzinfo=UTC)
    if moment < EARLIEST_MOMENT:
        raise ValueError(f"{field} is before {EARLIEST_MOMENT.date().isoformat()}")
    try:
        return in_utc(moment)
    except OverflowError as exc:  # 9999-12-31T23:00-05:00 has no UTC representation
        raise ValueError(f"{field} is out of range") from exc


def search_bound(moment: datetime) -> datetime:
    """A bound of a time range someone searches, in UTC: any date-time is a fine bound (1205 is
    "since ever"); it is kept within what the databases store."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment < EARLIEST_MOMENT:
        return EARLIEST_MOMENT
    try:
        return in_utc(moment)
    except OverflowError:  # 9999-12-31T23:00-05:00: later than anything stored
        return LATEST_MOMENT


# The last moment the databases store without overflowing a conversion.
LATEST_MOMENT = datetime(9999, 12, 30, tzinfo=UTC)


def _iso_8601_only(value: Any) -> Any:
    # Pydantic also takes numbers as Unix times ("0.5" is 1970): a report's time is a date.
    if isinstance(value, int | float) or (
        isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    ):
        raise ValueError("expected an ISO 8601 date-time such as 2026-05-01T14:30:00Z")
    return value


# A date-time as ISO 8601 text only.
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601_only)]
