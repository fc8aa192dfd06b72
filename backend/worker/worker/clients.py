"""HTTP clients of the NLP and vision services: requests and replies are the contracts in
backend/common/contracts, the models the services themselves serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from backend.common.contracts.nlp import (
    AnalyzeRequest,
    AnalyzeResponse,
)
from backend.common.contracts.vision import SimilarityRequest, SimilarityResults

ReplyT = TypeVar("ReplyT", bound=BaseModel)


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
    """The reply's JSON; ServiceError for a network failure or an error status."""
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
    def __init__(
        self, base_url: str, timeout_s: float, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def analyze(self, text: str) -> tuple[list[float], str, dict[str, list[str]]]:
        """Embedding, model and attributes of a report text: one call, one batch."""
        request = AnalyzeRequest(texts=[text])
        body = _call(
            self._client, "text", "POST", f"{self.base_url}/analyze", json=request.model_dump()
        )
        reply = _reply(AnalyzeResponse, body, "text")
        [result] = reply.results
        return result.vector, reply.model, result.attributes.model_dump()


class VisionClient:
    def __init__(
        self, base_url: str, timeout_s: float, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

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
            request = SimilarityRequest(a=record, candidates=candidates[start : start + batch])
            body = _call(
                self._client,
                "photo",
                "POST",
                f"{self.base_url}/similarity",
                json=request.model_dump(exclude_none=True),
            )
            scores.extend(r.score for r in _reply(SimilarityResults, body, "photo").results)
        return scores


def _reply(model: type[ReplyT], body: Any, service: str) -> ReplyT:
    """The reply as its contract; a reply that does not fit is retried (a rolling update may
    briefly serve another version), never stored half-understood."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ServiceError(
            f"{service} reply does not fit {model.__name__}: {exc}",
            transient=True,
            reason=f"the {service} service answered in an unexpected form",
        ) from exc
