"""The vision service's API: POST /features (a record), POST /similarity, POST /compare."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.common.photo_similarity import COLOUR_BINS


class FeatureRecord(BaseModel):
    """What POST /features answers. The worker stores it, builds its compact descriptor from
    `phash` and `colour_hist` (backend/common/photo_similarity.py) and sends it back to
    /similarity for the shortlist; keypoints are vision's alone."""

    model_config = ConfigDict(extra="allow")

    model_version: str
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    phash: str = Field(pattern=r"^[0-9a-f]{16}$", description="64-bit perceptual hash, hex.")
    colour_hist: list[float] = Field(
        min_length=COLOUR_BINS * COLOUR_BINS,
        max_length=COLOUR_BINS * COLOUR_BINS,
        description="rg-chromaticity histogram, row-major, summing to 1.",
    )
    keypoints: int = Field(ge=0)


# Stored records are sent back as they were stored.
StoredRecord = dict[str, Any]


class SimilarityRequest(BaseModel):
    a: StoredRecord = Field(description="A feature record from POST /features.")
    b: StoredRecord | None = Field(default=None, description="One record to compare with.")
    candidates: list[StoredRecord] | None = Field(
        default=None, description="Or many records: one result each, in the same order."
    )

    @model_validator(mode="after")
    def _one_of(self) -> SimilarityRequest:
        if (self.b is None) == (self.candidates is None):
            raise ValueError("give exactly one of 'b' and 'candidates'")
        return self


class Components(BaseModel):
    geometric: float
    inliers: int
    colour: float
    hash: float


class SimilarityResult(BaseModel):
    score: float = Field(ge=0, le=1)
    components: Components
    model_version: str


class SimilarityResults(BaseModel):
    results: list[SimilarityResult]
