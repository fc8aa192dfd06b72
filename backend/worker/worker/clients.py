"""HTTP clients of the NLP and vision services, following their documented contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx


class ServiceError(Exception):
    """A call failed. `transient` errors (network, 5xx, 429) are retried; others are final.

    The message (for the log) names the URL; `reason` is for the item's owner: which service,
    and what it said, never where it runs.
    """

    def __init__(self, message: str, *, transient: bool, reason: str) -> None:
        super().__init__(message)
        self.transient = transient
        self.reason = reason


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return ""
    if isinstance(detail, list):  # a validation error: its messages
        return "; ".join(str(entry.get("msg", "")) for entry in detail if isinstance(entry, dict))
    return str(detail or "")[:300]


def _call(client: httpx.Client, service: str, method: str, url: str, **kwargs: Any) -> Any:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ServiceError(
            f"{method} {url}: {type(exc).__name__}: {exc}",
            transient=True,
            reason=f"the {service} service could not be reached",
        ) from exc
    if response.status_code >= 400:
        transient = response.status_code >= 500 or response.status_code == 429
        detail = _detail(response)
        reason = (
            f"the {service} service was unavailable"
            if transient
            else f"the {service} service refused it: {detail or response.status_code}"
        )
        raise ServiceError(
            f"{method} {url} answered {response.status_code}: {response.text[:300]}",
            transient=transient,
            reason=reason,
        )
    return response.json()


class NlpClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s)

    def embed(self, text: str) -> tuple[list[float], str]:
        body = _call(
            self._client,
            "text",
            "POST",
            f"{self.base_url}/embed",
            json={"texts": [text], "kind": "passage"},
        )
        return body["vectors"][0], body["model"]

    def entities(self, text: str) -> dict[str, list[str]]:
        body = _call(
            self._client, "text", "POST", f"{self.base_url}/entities", json={"texts": [text]}
        )
        attributes: dict[str, list[str]] = body["results"][0]["attributes"]
        return attributes


class VisionClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s)

    def features(self, photo: Path, content_type: str) -> dict[str, Any]:
        with photo.open("rb") as handle:
            record: dict[str, Any] = _call(
                self._client,
                "photo",
                "POST",
                f"{self.base_url}/features",
                files={"file": (photo.name, handle, content_type)},
            )
        return record

    def similarity(
        self, record: dict[str, Any], candidates: list[dict[str, Any]], batch: int
    ) -> list[float]:
        """Scores against every candidate, in calls of at most `batch` (vision's limit)."""
        scores: list[float] = []
        for start in range(0, len(candidates), batch):
            body = _call(
                self._client,
                "photo",
                "POST",
                f"{self.base_url}/similarity",
                json={"a": record, "candidates": candidates[start : start + batch]},
            )
            scores.extend(float(result["score"]) for result in body["results"])
        return scores
