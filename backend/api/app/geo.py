"""Distance filters that run in SQL on SQLite and PostgreSQL alike (plain arithmetic)."""

from __future__ import annotations

import math
from typing import cast

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

KM_PER_DEGREE = 111.32
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


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
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / max(KM_PER_DEGREE * math.cos(math.radians(lat0)), 1e-6)
    return and_(
        lat.between(lat0 - dlat, lat0 + dlat),
        lon.between(lon0 - dlon, lon0 + dlon),
        squared_distance_km2(lat, lon, lat0, lon0) <= radius_km * radius_km,
    )
