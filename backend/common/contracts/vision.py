"""The vision service's API: POST /features (a record), POST /similarity, POST /compare."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.common.photo_similarity import COLOUR_BINS

# The feature extraction a record was made with; a record of another is extracted again.
MODEL_VERSION = "orb-rg-phash/2"
_BASE64 = r"^[A-Za-z0-9+/]*={0,2}$"


class FeatureRecord(BaseModel):
    """What POST /features answers, and what /similarity compares. The worker stores it, builds
    its compact descriptor from `phash` and `colour_hist` (backend/common/photo_similarity.py)
    and sends it back to /similarity for the shortlist; keypoints are vision's alone. Strict:
    JSON's types as the document states them ("5" is no number)."""

    model_config = ConfigDict(extra="allow", strict=True)

    model_version: Literal["orb-rg-phash/2"] = Field(
        description="The extraction it was made with (MODEL_VERSION)."
    )
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    phash: str = Field(pattern=r"^[0-9a-f]{16}$", description="64-bit perceptual hash, hex.")
    colour_hist: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        min_length=COLOUR_BINS * COLOUR_BINS,
        max_length=COLOUR_BINS * COLOUR_BINS,
        description="rg-chromaticity histogram of the object (its backdrop left out), row-major, "
        "summing to 1.",
    )
    colour_name: str | None = Field(
        default=None,
        description="The photo's main colour as the taxonomy names it (black, red, …), or null "
        "when none stands out: a proposal for a person to accept or correct.",
    )
    keypoints: int = Field(ge=0)
    points: str = Field(
        pattern=_BASE64, description="Keypoint positions: little-endian float32 (x, y), base64."
    )
    descriptors: str = Field(
        pattern=_BASE64, description="ORB descriptors: 32 bytes each, one per point, base64."
    )


class PairSimilarityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: FeatureRecord = Field(description="A feature record from POST /features.")
    b: FeatureRecord = Field(description="The record to compare it with.")


class ManySimilarityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: FeatureRecord = Field(description="A feature record from POST /features.")
    candidates: list[FeatureRecord] = Field(
        description="Records to compare it with: one result each, in the same order."
    )


# One record against another, or against many (the document says: exactly one of the two).
SimilarityRequest = PairSimilarityRequest | ManySimilarityRequest


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
