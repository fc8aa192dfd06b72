"""Distances on the globe: great-circle distance (for numbers and numpy columns alike) and the
bounding box around a point. The same filters in SQL: backend/common/db/spatial.py."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TypeVar, cast

import numpy as np

KM_PER_DEGREE = 111.32
# Decimals of latitude and longitude anyone may see of a report: about 1.1 km.
PUBLIC_DEGREES = 2
EARTH_RADIUS_KM = 6371.0088

Coordinate = TypeVar("Coordinate", float, np.ndarray)


def haversine_km(lat1: float, lon1: float, lat2: Coordinate, lon2: Coordinate) -> Coordinate:
    """Great-circle distance from one point to another, or to a column of points."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.subtract(lon2, lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return cast(Coordinate, float(distance) if np.ndim(distance) == 0 else distance)


def bounding_box(lat0: float, radius_km: float) -> tuple[float, float]:
    """Half the height and width, in degrees, of the box holding a circle around latitude lat0."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / max(KM_PER_DEGREE * math.cos(math.radians(lat0)), 1e-6)
    return dlat, dlon


def round_public(value: float | None) -> float | None:
    """A coordinate as the public sees it (PUBLIC_DEGREES decimals)."""
    return None if value is None else round(value, PUBLIC_DEGREES)


def locality(
    latitude: float | None, longitude: float | None, occurred_at: datetime
) -> tuple[bool, float, float, datetime]:
    """A sort key that puts reports of one neighbourhood side by side: those without a place
    last, then by cells of a tenth of a degree (about 10 km), then by time. The API queues an
    upload's reports in this order and the worker groups reports into candidate queries by it,
    so one query serves reports that share their candidates."""
    return (
        latitude is None,
        round(latitude or 0.0, 1),
        round(longitude or 0.0, 1),
        occurred_at,
    )
