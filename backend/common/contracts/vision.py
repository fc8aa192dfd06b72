"""The vision service's API: POST /features (a record), POST /similarity, POST /compare."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

# A feature record is the vision service's own format (keypoints, colour, hash, model
# version): others store it and send it back, they never look inside.
FeatureRecord = dict[str, Any]


class SimilarityRequest(BaseModel):
    a: FeatureRecord = Field(description="A feature record from POST /features.")
    b: FeatureRecord | None = Field(default=None, description="One record to compare with.")
    candidates: list[FeatureRecord] | None = Field(
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
