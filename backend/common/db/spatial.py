"""Distances in space and time that run in SQL on SQLite and PostgreSQL alike."""

from __future__ import annotations

import math
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy.orm import InstrumentedAttribute

from backend.common.clock import in_utc
from backend.common.geo import KM_PER_DEGREE, bounding_box


def squared_distance_km2(
    lat: InstrumentedAttribute[float | None],
    lon: InstrumentedAttribute[float | None],
    lat0: float,
    lon0: float,
) -> ColumnElement[float]:
    """Equirectangular approximation of the squared distance: within 1 % of the great-circle
    distance for the city-scale radii users search with, and needs no SQL math functions."""
    kx = KM_PER_DEGREE * math.cos(math.radians(lat0))
    dy = (lat - lat0) * KM_PER_DEGREE
    dx = (lon - lon0) * kx
    return cast(ColumnElement[float], dy * dy + dx * dx)


def within_radius(
    lat: InstrumentedAttribute[float | None],
    lon: InstrumentedAttribute[float | None],
    lat0: float,
    lon0: float,
    radius_km: float,
) -> ColumnElement[bool]:
    # The bounding box lets the (latitude, longitude) index narrow the scan first.
    dlat, dlon = bounding_box(lat0, radius_km)
    return and_(
        lat.between(lat0 - dlat, lat0 + dlat),
        lon.between(lon0 - dlon, lon0 + dlon),
        squared_distance_km2(lat, lon, lat0, lon0) <= radius_km * radius_km,
    )


def days_apart(
    column: InstrumentedAttribute[datetime], moment: datetime, dialect: str
) -> ColumnElement[float]:
    """|column - moment| in days (SQLite stores times as text: julianday reads them)."""
    if dialect == "sqlite":
        julian = in_utc(moment).timestamp() / 86400.0 + 2440587.5
        return cast(ColumnElement[float], func.abs(func.julianday(column) - julian))
    epoch = func.extract("epoch", column)
    return cast(ColumnElement[float], func.abs(epoch - in_utc(moment).timestamp()) / 86400.0)
