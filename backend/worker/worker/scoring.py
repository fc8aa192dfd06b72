"""Match scores, computed for one report against all its candidates at once (numpy, no loops).

Each candidate gets features, each in [0, 1] or NaN when one side lacks what it compares (no
photo, no place, no category): text similarity, colour and brand agreement, category
compatibility, "one holds the other" (a bag and one of its contents), distance, time, the photo
descriptor, identifier equality; and for the shortlist, shared rare words (spelt either side's
way) and place names (details.py), vision's check of the photos, and a brand conflict. How they
combine is not hand-set: a logistic model fitted on labelled reports
(research/experiments/matching/fit.py, matching_model.json) gives the probability that a
candidate is the same object, and a missing feature has its own weight instead of a zero.

Scoring is in two passes. The first (`shortlist`) reads only what every candidate's match
record holds and keeps a shortlist: the best by the first-pass model, and the best by the
photo descriptor. The second (`finish`) adds, for the shortlist only, what costs more.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from backend.common import match_record
from backend.common.geo import haversine_km
from backend.common.photo_similarity import descriptor_scores

FIRST_PASS = (
    "text",
    "colour",
    "brand",
    "category",
    "contents",
    "distance",
    "time",
    "photo",
    "identifier",
)
SECOND_PASS = (*FIRST_PASS, "details", "place", "brand_conflict")
MODEL_FILE = Path(__file__).resolve().parent / "matching_model.json"
# How the features are read from two reports. Bumped when one is computed differently, as a refit
# would change a score (2: details said in other words, details.SAME_MEANING; 3: compounds written
# open or closed, words.compounds, and the photos vision checks, photos_to_check; 4: a category
# read by every one of its group the report names, rules.CategoryCodes.known_as; 5: what a bag
# held is a detail, rules.attribute_terms; 6: how a find was handed in is no detail,
# words.STOP_WORDS; 7: a journey's ends are its places, rules.journey_ends; 8: a photo's evidence
# is how far it singles a find out, photo_evidence; 9: a detail one report denies counts
# against, words.negated_terms; 10: where one report held the other, its details and colour
# are read on what the container's text says of that thing, rules.holdings; 11: what was held
# may be named by a category above or below it, rules.CategoryCodes.kin); part of the model's
# id, so the sweep matches stored reports again.
FEATURES_VERSION = 11


@dataclass(frozen=True)
class Scales:
    distance_km: float
    time_days: float


@dataclass(frozen=True)
class Logistic:
    """p = 1 / (1 + exp(-(bias + sum(weight * value) + sum(missing weight)))), a feature that is
    NaN taking its `missing` weight instead of `weight * value`."""

    bias: float
    weights: Mapping[str, float]
    missing: Mapping[str, float]

    def probability(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        z: np.ndarray | float = self.bias
        for name, weight in self.weights.items():
            values = features[name]
            absent = np.isnan(values)
            z = z + np.where(absent, self.missing.get(name, 0.0), weight * np.nan_to_num(values))
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64))))


@dataclass(frozen=True)
class MatchModel:
    """The fitted combination (matching_model.json): the first pass's model, the final one, and
    the calibrated probability a suggestion needs."""

    first: Logistic
    final: Logistic
    threshold: float
    margin: float
    fitted_on: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MatchModel:
        def logistic(part: Mapping[str, Any]) -> Logistic:
            return Logistic(float(part["bias"]), dict(part["weights"]), dict(part["missing"]))

        return cls(
            first=logistic(data["first"]),
            final=logistic(data["final"]),
            threshold=float(data["threshold"]),
            margin=float(data["margin"]),
            fitted_on=str(data.get("fitted_on", "")),
        )

    @cached_property
    def id(self) -> str:
        """What the model is, from its content and FEATURES_VERSION: every refit is a new id. A
        report matched by another id is matched again (sweep.py), so stored suggestions carry
        this model's scores without anyone remembering to bump a version for a refit."""
        content = json.dumps(
            {"features": FEATURES_VERSION, **self.to_json()}, sort_keys=True
        ).encode()
        return f"logistic-{hashlib.sha256(content).hexdigest()[:12]}"

    def to_json(self) -> dict[str, Any]:
        def logistic(part: Logistic) -> dict[str, Any]:
            return {
                "bias": round(part.bias, 6),
                "weights": {k: round(v, 6) for k, v in part.weights.items()},
                "missing": {k: round(v, 6) for k, v in part.missing.items()},
            }

        return {
            "fitted_on": self.fitted_on,
            "first": logistic(self.first),
            "final": logistic(self.final),
            "threshold": round(self.threshold, 4),
            "margin": round(self.margin, 4),
        }


@cache
def match_model(path: Path = MODEL_FILE) -> MatchModel:
    return MatchModel.from_json(json.loads(path.read_text()))


@dataclass(frozen=True)
class Candidates:
    """Column arrays of n candidates; NaN marks a missing value. `category` and `contents`
    are already relative to the report being matched; `image`, `details` and `place`
    are filled in for the shortlist (NaN before); `photo_hint` is known for all."""

    text: np.ndarray  # (n,) cosine of the report's text embedding and each candidate's
    masks: np.ndarray  # (n, 2) int64 attribute masks (colours, brands)
    latitude: np.ndarray  # (n,) float64
    longitude: np.ndarray  # (n,)
    occurred_days: np.ndarray  # (n,) days since the epoch
    category: np.ndarray  # (n,) category compatibility with the report, NaN if unknown
    contents: np.ndarray  # (n,) 1: one holds the other (a bag and what was in it); NaN unknown
    identifier: np.ndarray  # (n,) 1 same identifier, 0 another, NaN where either has none
    journey: np.ndarray  # (n,) bool: the candidate's place is a route
    photo_hint: np.ndarray  # (n,) photo descriptor score, NaN unless both sides have a photo
    image: np.ndarray  # (n,) vision's score, NaN without photos (or not yet checked)
    details: np.ndarray
    place: np.ndarray  # (n,) place-name agreement

    def subset(self, rows: np.ndarray) -> Candidates:
        return Candidates(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Refined:
    """What the second pass learnt about shortlisted candidates (NaN: not known)."""

    details: np.ndarray
    image: np.ndarray
    place: np.ndarray
    # Where one of a pair held the other (contents): the colours of the thing held as the
    # container's text names them (colour masks, 0: none named; rules.held_colours), and
    # whether the container is the report matched. None: no holding read.
    held_colours: np.ndarray | None = None
    holder_is_probe: np.ndarray | None = None


@dataclass(frozen=True)
class Probe:
    """The report being matched, as scoring reads it."""

    masks: tuple[int, int]
    latitude: float | None
    longitude: float | None
    occurred_days: float
    journey: bool


def first_pass(
    record: np.void,
    records: np.ndarray,
    category: np.ndarray,
    codes: Any,
    text: np.ndarray | None = None,
) -> tuple[Probe, Candidates]:
    """A report and its candidates as scoring reads them, from match records alone;
    `category` is each candidate's category compatibility with the report, `codes` the
    taxonomy's category codes (rules.CategoryCodes), `text` the cosines of the report's
    embedding and the records' when the caller has them already (one matrix product for a
    batch of reports, matching.find_matches)."""
    n = len(records)
    hint = np.full(n, np.nan)
    if record["photo"]:
        with_photo = records["photo"] == 1
        hint[with_photo] = descriptor_scores(
            int(record["phash"]),
            record["colour"],
            records["phash"][with_photo],
            records["colour"][with_photo],
        )
    located = not np.isnan(record["latitude"])
    journey = bool(int(record["flags"]) & match_record.JOURNEY)
    if text is None:
        text = match_record.unit_vectors(records["vector"]) @ match_record.unit_vectors(
            record["vector"]
        )
    probe = Probe(
        masks=(int(record["colours"]), int(record["brands"])),
        latitude=float(record["latitude"]) if located else None,
        longitude=float(record["longitude"]) if located else None,
        occurred_days=float(record["occurred_days"]),
        journey=journey,
    )
    mine = int(record["ident"])
    theirs = records["ident"].astype(np.uint64)
    identifier = np.where(
        (mine != 0) & (theirs != 0), (theirs == np.uint64(mine)).astype(float), np.nan
    )
    nans = np.full(n, np.nan)
    candidates = Candidates(
        text=text,
        masks=np.stack([records["colours"], records["brands"]], axis=1).astype(np.int64),
        latitude=records["latitude"].astype(np.float64),
        longitude=records["longitude"].astype(np.float64),
        occurred_days=records["occurred_days"],
        category=category,
        contents=codes.contents(record, records),
        identifier=identifier,
        journey=(records["flags"] & match_record.JOURNEY) != 0,
        photo_hint=hint,
        image=nans.copy(),
        details=nans.copy(),
        place=nans.copy(),
    )
    return probe, candidates


def missing_as_nan(values: Iterable[float | None]) -> np.ndarray:
    """A column of candidates' values; None (not known) becomes NaN."""
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)


def _agreement(mine: int | np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """+1 where both name a value and share one, -1 where both name values and share none
    (`mine`: one mask, or one per candidate)."""
    known = (np.asarray(mine) != 0) & (theirs != 0)
    return np.where(known, np.where((theirs & mine) != 0, 1.0, -1.0), np.nan)


# Evidence for and against is signed, around 0: a feature one side cannot speak to says nothing
# (the model gives these no weight of their own when missing). Reports that leave a field out are
# not less likely the same object; this keeps what a tuning set happened to leave out from
# becoming evidence on reports written elsewhere.
NEUTRAL_WHEN_MISSING = frozenset(
    {"colour", "brand", "category", "contents", "identifier", "photo", "place", "brand_conflict"}
)


def _signed(values: np.ndarray) -> np.ndarray:
    """[0, 1] as [-1, 1]: 0.5 says nothing either way."""
    return 2.0 * values - 1.0


def features(probe: Probe, candidates: Candidates, scales: Scales) -> dict[str, np.ndarray]:
    """Every feature of every candidate (NaN: not known). Agreement features are signed: +1
    agree, -1 disagree (NEUTRAL_WHEN_MISSING). `brand_conflict` (1: both name brands, and not
    the same) is the final model's apart from `brand`: near-twins often share a popular brand,
    so agreeing says little, but a Nike and an Adidas are two objects. (A colour is seen
    differently by owner and finder, navy or black: its conflict is no such evidence.)"""
    if probe.latitude is None or probe.longitude is None or probe.journey:
        distance = np.full(len(candidates.text), np.nan)
    else:
        km = haversine_km(
            probe.latitude, probe.longitude, candidates.latitude, candidates.longitude
        )
        distance = np.where(candidates.journey, np.nan, np.exp(-km / scales.distance_km))
    days = np.abs(candidates.occurred_days - probe.occurred_days)
    image = np.where(np.isnan(candidates.image), candidates.photo_hint, candidates.image)
    brand = _agreement(probe.masks[1], candidates.masks[:, 1])
    return {
        "text": np.clip(candidates.text.astype(np.float64), -1.0, 1.0),
        "colour": _agreement(probe.masks[0], candidates.masks[:, 0]),
        "brand": brand,
        "brand_conflict": np.where(np.isnan(brand), np.nan, (brand < 0).astype(float)),
        "category": _signed(candidates.category),
        "contents": _signed(candidates.contents),
        "distance": distance,
        "time": np.exp(-days / scales.time_days),
        "photo": _signed(image),
        "identifier": _signed(candidates.identifier),
        "details": candidates.details,
        "place": candidates.place,
    }


def components(parts: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The features as the people read them (a match's `components`, each in [0, 1]): colour
    and brand as one `attributes`, the place name where coordinates are missing as `distance`."""
    with np.errstate(invalid="ignore"):  # neither colour nor brand known: NaN
        attributes = np.nanmean(np.stack([parts["colour"], parts["brand"]]), axis=0)
    return {
        "text": np.clip((parts["text"] - 0.15) / 0.7, 0.0, 1.0),
        "image": (parts["photo_alike"] + 1.0) / 2.0,
        "attributes": (attributes + 1.0) / 2.0,
        "category": (parts["category"] + 1.0) / 2.0,
        "details": np.clip(parts["details"], 0.0, 1.0),  # a denied detail reads as none shared
        "distance": np.where(np.isnan(parts["distance"]), parts["place"], parts["distance"]),
        "time": parts["time"],
    }


def shortlist(
    probe: Probe,
    candidates: Candidates,
    model: MatchModel,
    scales: Scales,
    size: int,
    photo_size: int,
) -> np.ndarray:
    """The first pass: indices of the best `size` candidates by the first-pass model, and of
    the best `photo_size` by photo descriptor (a photo twin with a poor text is still checked),
    all best first by the first pass (what photos_to_check reads as "in contention")."""
    with np.errstate(invalid="ignore"):  # nanmean of two NaNs: fine, NaN
        first = model.first.probability(features(probe, candidates, scales))
    by_score = np.argsort(-first, kind="stable")[:size]
    with_photo = np.flatnonzero(~np.isnan(candidates.photo_hint))
    by_photo = with_photo[np.argsort(-candidates.photo_hint[with_photo], kind="stable")]
    photo_twins = np.setdiff1d(by_photo[:photo_size], by_score)
    return np.concatenate([by_score, photo_twins[np.argsort(-first[photo_twins], kind="stable")]])


def photos_to_check(hints: np.ndarray, most: int) -> np.ndarray:
    """Positions in a shortlist (`hints`: its photo descriptor scores, NaN without a photo, in
    shortlist order, best first by the first pass) whose photos vision compares keypoint by
    keypoint, at most `most`: in turn the next candidate in contention, whatever its descriptor
    says, and the next most alike by descriptor. The descriptor's perceptual hash does not
    survive a photo taken at another angle, so checking only what it ranks first left the true
    find's turned photo unchecked, its low descriptor score counting against it; the others
    keep their descriptor score."""
    in_contention = np.flatnonzero(~np.isnan(hints))
    alike = in_contention[np.argsort(-hints[in_contention], kind="stable")]
    picked: list[int] = []
    for pair in zip(in_contention, alike, strict=True):
        for k in pair:
            if len(picked) < most and int(k) not in picked:
                picked.append(int(k))
    return np.array(picked, dtype=np.intp)


def finish(
    probe: Probe,
    candidates: Candidates,
    chosen: np.ndarray,
    refined: Refined,
    model: MatchModel,
    scales: Scales,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The second pass: the shortlist best first (positions in `chosen`, so `chosen[order]` are
    candidates' indices), their features in that order, and `total`: the final model's
    probability."""
    pool = replace(
        candidates.subset(chosen),
        details=refined.details,
        image=refined.image,
        place=refined.place,
    )
    parts = features(probe, pool, scales)
    parts["colour"] = _colour_of_held(probe, pool, refined, parts["colour"])
    # People are shown how alike the photos are; the model weighs how far that singles a find out.
    parts["photo_alike"] = parts["photo"]
    parts["photo"] = photo_evidence(parts["photo"])
    parts["total"] = model.final.probability(parts)
    order = np.argsort(-parts["total"], kind="stable")
    return order, {name: values[order] for name, values in parts.items()}


def _colour_of_held(
    probe: Probe, pool: Candidates, refined: Refined, colour: np.ndarray
) -> np.ndarray:
    """Where one of a pair held the other, the container's colour is its own, not its
    contents': the held report's colour is compared with what the container's text says of
    that thing ("a pink water bottle"), and says nothing where it says no colour."""
    held = pool.contents == 1
    if not held.any():
        return colour
    n = len(colour)
    named = refined.held_colours if refined.held_colours is not None else np.zeros(n, np.int64)
    holder = refined.holder_is_probe
    held_report = np.where(
        holder if holder is not None else np.zeros(n, bool), pool.masks[:, 0], probe.masks[0]
    )
    return np.where(held, _agreement(named, held_report), colour)


def photo_evidence(alike: np.ndarray) -> np.ndarray:
    """The photo feature of a shortlist (signed: +1 alike, NaN: no photo) as evidence for each
    find: the likeness to the owner's photo that no other find's photo shares. Products of one
    make and colour photograph alike, so a photo that several finds match says which kind of
    object it is, not which one: counted in full, it put a look-alike without the owner's
    details above the true find handed in without a photo. The most alike keeps what it has
    over the next, the other look-alikes say nothing, and an unlike photo counts against its
    find as before."""
    known = np.flatnonzero(~np.isnan(alike))
    if len(known) < 2:
        return alike
    values = alike[known]
    best = int(np.argmax(values))
    rivals = np.full(len(values), values[best])
    rivals[best] = np.max(np.delete(values, best))
    evidence = alike.copy()
    evidence[known] = values - np.maximum(np.minimum(values, rivals), 0.0)
    return evidence


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def suggested(totals: np.ndarray, model: MatchModel, most: int) -> int:
    """How many of the best-first `totals` (probabilities) to suggest: at most `most`, each at
    least the calibrated threshold, and within `margin` of the best in log-odds (a clear best is
    shown alone, near-ties all, however small the probabilities are)."""
    if not len(totals):
        return 0
    top = totals[:most]
    near = _logit(top) >= _logit(totals[0]) - model.margin
    return int(np.sum(near & (top >= model.threshold)))
