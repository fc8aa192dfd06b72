"""HTTP clients of the NLP and vision services, following their documented contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx


class ServiceError(Exception):
    """A call failed. `transient` errors (network, 5xx, 429) are retried; others are final."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ServiceError(f"{method} {url}: {type(exc).__name__}: {exc}", transient=True) from exc
    if response.status_code >= 400:
        detail = response.text[:300]
        transient = response.status_code >= 500 or response.status_code == 429
        raise ServiceError(
            f"{method} {url} answered {response.status_code}: {detail}", transient=transient
        )
    return response.json()


class NlpClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s)

    def embed(self, text: str) -> tuple[list[float], str]:
        body = _call(
            self._client,
            "POST",
            f"{self.base_url}/embed",
            json={"texts": [text], "kind": "passage"},
        )
        return body["vectors"][0], body["model"]

    def entities(self, text: str) -> dict[str, list[str]]:
        body = _call(self._client, "POST", f"{self.base_url}/entities", json={"texts": [text]})
        attributes: dict[str, list[str]] = body["results"][0]["attributes"]
        return attributes

    def ready(self) -> bool:
        return bool(_call(self._client, "GET", f"{self.base_url}/readyz").get("ready"))


class VisionClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s)

    def features(self, photo: Path, content_type: str) -> dict[str, Any]:
        with photo.open("rb") as handle:
            record: dict[str, Any] = _call(
                self._client,
                "POST",
                f"{self.base_url}/features",
                files={"file": (photo.name, handle, content_type)},
            )
        return record

    def similarity(self, record: dict[str, Any], candidates: list[dict[str, Any]]) -> list[float]:
        if not candidates:
            return []
        body = _call(
            self._client,
            "POST",
            f"{self.base_url}/similarity",
            json={"a": record, "candidates": candidates},
        )
        return [float(result["score"]) for result in body["results"]]
