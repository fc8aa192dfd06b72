"""HTTP clients of the NLP and vision services: requests and replies are the contracts in
backend/common/contracts, the models the services themselves serve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from backend.common.contracts.nlp import AnalyzeRequest, AnalyzeResponse, EmbeddingModel
from backend.common.contracts.vision import (
    FeatureRecord,
    ManySimilarityRequest,
    SimilarityResults,
)

ReplyT = TypeVar("ReplyT", bound=BaseModel)


@dataclass(frozen=True)
class TextAnalysis:
    """NLP's reading of one report text."""

    vector: list[float]
    attributes: dict[str, list[str]]
    model: str


class ServiceError(Exception):
    """A call failed. `transient` errors (network, 5xx, 429) are retried; others are final.

    The message (for the log) names the URL; `reason` is for the item's owner: which service,
    and what it said, never where it runs; `kind` is for the operators' metrics: a few fixed
    words ("text_unreachable"), never the detail.
    """

    def __init__(self, message: str, *, transient: bool, reason: str, kind: str) -> None:
        super().__init__(message)
        self.transient = transient
        self.reason = reason
        self.kind = kind


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return ""
    if isinstance(detail, list):  # a validation error: its messages
        return "; ".join(str(entry.get("msg", "")) for entry in detail if isinstance(entry, dict))
    return str(detail or "")[:300]


def _call(client: httpx.Client, service: str, method: str, path: str, **kwargs: Any) -> Any:
    """The reply's JSON; ServiceError for a network failure or an error status."""
    url = f"{client.base_url}{path.lstrip('/')}"  # for the log: httpx ends base_url with /
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise ServiceError(
            f"{method} {url}: {type(exc).__name__}: {exc}",
            transient=True,
            reason=f"the {service} service could not be reached",
            kind=f"{service}_unreachable",
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
            kind=f"{service}_unavailable" if transient else f"{service}_refused",
        )
    return response.json()


class NlpClient:
    def __init__(
        self, base_url: str, timeout_s: float, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout_s, transport=transport)

    def model(self) -> str:
        """The id of the vectors NLP gives now."""
        body = _call(self._client, "text", "GET", "/model")
        return _reply(EmbeddingModel, body, "text").model

    def analyze(self, texts: list[str]) -> list[TextAnalysis]:
        """Embedding and attributes of each report text (at most NLP's MAX_TEXTS): one call."""
        request = AnalyzeRequest(texts=texts)
        body = _call(self._client, "text", "POST", "/analyze", **_json(request))
        reply = _reply(AnalyzeResponse, body, "text")
        if len(reply.results) != len(texts):
            raise ServiceError(
                f"text service answered {len(reply.results)} results for {len(texts)} texts",
                transient=True,
                reason="the text service answered in an unexpected form",
                kind="text_unexpected_reply",
            )
        return [
            TextAnalysis(result.vector, result.attributes.model_dump(), reply.model)
            for result in reply.results
        ]


class VisionClient:
    def __init__(
        self, base_url: str, timeout_s: float, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=timeout_s, transport=transport)
        # Bytes of feature records sent to /similarity: what matching moves across the network.
        self.similarity_bytes_sent = 0

    def features(self, photo: Path, content_type: str) -> dict[str, Any]:
        """The photo's feature record (as stored: every field vision answered)."""
        with photo.open("rb") as handle:
            body = _call(
                self._client,
                "photo",
                "POST",
                "/features",
                files={"file": (photo.name, handle, content_type)},
            )
        # As vision answered: a field an older vision did not send (colour_name) stays absent.
        return _reply(FeatureRecord, body, "photo").model_dump(exclude_unset=True)

    def similarity(
        self, record: dict[str, Any], candidates: list[dict[str, Any]], batch: int
    ) -> list[float]:
        """Scores against every candidate, in calls of at most `batch` (vision's limit)."""
        scores: list[float] = []
        for start in range(0, len(candidates), batch):
            try:
                request = ManySimilarityRequest(
                    a=FeatureRecord.model_validate(record),
                    candidates=[
                        FeatureRecord.model_validate(c) for c in candidates[start : start + batch]
                    ],
                )
            except ValidationError as exc:  # a record of another extraction: not comparable
                raise ServiceError(
                    f"photo records vision cannot compare: {exc}",
                    transient=False,
                    reason="the photos were described by an older model",
                    kind="photo_outdated_record",
                ) from exc
            payload = _json(request, exclude_unset=True)  # the stored records, as stored
            self.similarity_bytes_sent += len(payload["content"])
            body = _call(self._client, "photo", "POST", "/similarity", **payload)
            scores.extend(r.score for r in _reply(SimilarityResults, body, "photo").results)
        return scores


def _json(request: BaseModel, *, exclude_unset: bool = False) -> dict[str, Any]:
    """The request body as pydantic writes the contract's JSON (one pass, no dict between)."""
    return {
        "content": request.model_dump_json(exclude_unset=exclude_unset).encode(),
        "headers": {"Content-Type": "application/json"},
    }


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
            kind=f"{service}_unexpected_reply",
        ) from exc
