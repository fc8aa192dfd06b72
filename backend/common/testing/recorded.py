"""Replies recorded from the running services (backend/common/contracts/recorded): the
services' tests check they still answer so, the worker's tests that its clients read them."""

from __future__ import annotations

import json
import pkgutil
from typing import Any


def recorded(name: str) -> dict[str, Any]:
    """`{"request": ..., "reply": ...}` of one recorded call, e.g. "nlp_embed"."""
    data = pkgutil.get_data("backend.common.contracts", f"recorded/{name}.json")
    assert data is not None, name
    exchange: dict[str, Any] = json.loads(data)
    return exchange
