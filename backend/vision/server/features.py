"""Image feature records and their similarity.

A record holds three complementary signals, because each alone fails somewhere:
- ORB keypoints + RANSAC homography: recognises the same object under rotation, scale, crop and
  light, but is colour-blind (a red and a blue bag of one model look alike);
- an rg-chromaticity histogram of the object, its backdrop left out: unchanged when the light
  gets brighter or darker, and tells the red bag from the blue one;
- a 64-bit perceptual hash (DCT): catches near-duplicates (recompressed, resized) cheaply.
Records are plain JSON so the worker can store them and compare later without the image. How the
three combine into one score, and the compact descriptor the worker ranks candidates with, are
backend/common/photo_similarity.py: one formula for both.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from backend.common import photo_similarity
from backend.common.contracts.vision import MODEL_VERSION
from backend.common.photo_similarity import COLOUR_BINS

_MIN_GOOD_MATCHES = 8
_RATIO = 0.75


def extract_features(
    rgb: np.ndarray, original_size: tuple[int, int], orb_features: int
) -> dict[str, Any]:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    orb = cv2.ORB.create(nfeatures=orb_features)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32).reshape(-1, 2)
    if descriptors is None:
        descriptors = np.zeros((0, 32), dtype=np.uint8)
    height, width = gray.shape
    small = _shrunk(bgr)  # a colour needs no detail
    weight = object_weight(small)
    return {
        "model_version": MODEL_VERSION,
        "width": original_size[0],
        "height": original_size[1],
        "work_width": width,
        "work_height": height,
        "phash": f"{perceptual_hash(gray):016x}",
        "colour_hist": [round(float(v), 6) for v in colour_histogram(small, weight)],
        "colour_name": main_colour(small, weight),
        "keypoints": len(keypoints),
        "points": base64.b64encode(points.astype("<f4").tobytes()).decode(),
        "descriptors": base64.b64encode(descriptors.tobytes()).decode(),
    }


def perceptual_hash(gray: np.ndarray) -> int:
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8].flatten()
    median = np.median(low[1:])
    bits = low > median
    return int("".join("1" if bit else "0" for bit in bits), 2)


# OpenCV hues (0-179), each range's upper bound, named as the taxonomy names colours
# (backend/common/taxonomy/terms.csv).
_HUE_NAMES = (
    (8, "red"),
    (20, "orange"),
    (33, "yellow"),
    (85, "green"),
    (130, "blue"),
    (150, "purple"),
    (170, "pink"),
    (180, "red"),
)
# Red closes the hue circle, so _HUE_NAMES ends where it began; a name is listed once here.
COLOUR_NAMES = [name for _, name in _HUE_NAMES[:-1]] + ["brown", "grey", "white", "black"]
_MIN_SHARE = 0.4  # below this, no colour is "the" colour: nothing is proposed
_BACKDROP_DISTANCE = 25.0  # Lab distance (OpenCV's 8-bit scale) within which a pixel is backdrop
_COLOUR_SIDE = 200  # pixels: the photo is shrunk to this before its colour is read
_OBJECT_AT_LEAST = 0.1  # less than this of the weight unlike the edges: the object fills it


def _nearness(length: int) -> np.ndarray:
    """How much each position along one side weighs: a bell around the middle."""
    offset = (np.arange(length) - length / 2) / (length / 6)
    return np.exp(-(offset**2) / 2)


def _colour_names(bgr: np.ndarray) -> np.ndarray:
    """Each pixel's colour name, as an index into COLOUR_NAMES."""
    hue, saturation, value = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV).reshape(-1, 3).T.astype(int)
    index = np.searchsorted([bound for bound, _ in _HUE_NAMES], hue, side="right")
    index[index == len(_HUE_NAMES) - 1] = 0  # hue wraps around: red at both ends
    index[(hue >= 8) & (hue < 20) & (value < 150)] = COLOUR_NAMES.index("brown")
    grey = saturation < 45
    index[grey] = COLOUR_NAMES.index("grey")
    index[grey & (value > 200)] = COLOUR_NAMES.index("white")
    index[value < 50] = COLOUR_NAMES.index("black")
    return index.reshape(bgr.shape[:2])


def _middle(bgr: np.ndarray) -> np.ndarray:
    """Each pixel's nearness to the middle, where the object usually is."""
    return np.outer(_nearness(bgr.shape[0]), _nearness(bgr.shape[1]))


def _shrunk(bgr: np.ndarray) -> np.ndarray:
    """The photo at most _COLOUR_SIDE pixels a side."""
    scale = _COLOUR_SIDE / max(bgr.shape[:2])
    if scale >= 1.0:
        return bgr
    return cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def object_weight(bgr: np.ndarray) -> np.ndarray:
    """How much each pixel counts towards the object's colour: by its nearness to the middle
    (where the object usually is), and nothing for pixels close in colour to the photo's edges,
    the backdrop (a floor, a table), unless those are nearly all there is (the object fills
    the photo)."""
    weight = _middle(bgr)
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    # One backdrop colour per side: a floor's light changes across a photo.
    sides = [lab[:2].reshape(-1, 3), lab[-2:].reshape(-1, 3), lab[:, :2].reshape(-1, 3)]
    sides.append(lab[:, -2:].reshape(-1, 3))
    distance = np.min(
        [np.linalg.norm(lab - np.median(side, axis=0), axis=2) for side in sides], axis=0
    )
    object_only = np.where(distance > _BACKDROP_DISTANCE, weight, 0.0)
    if object_only.sum() >= _OBJECT_AT_LEAST * weight.sum():
        return object_only
    return weight


def main_colour(bgr: np.ndarray, weight: np.ndarray) -> str | None:
    """The photo's main colour as a desk would name it: the name most of the object's pixels
    carry (`weight`: object_weight). A proposal a person accepts or corrects, so None when no
    name holds a clear share."""
    names = _colour_names(bgr)
    votes = np.bincount(names.ravel(), weights=weight.ravel(), minlength=len(COLOUR_NAMES))
    best = int(np.argmax(votes))
    return COLOUR_NAMES[best] if votes[best] >= _MIN_SHARE * float(votes.sum()) else None


def colour_histogram(bgr: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Normalised 2-D histogram of rg chromaticity (r/(r+g+b), g/(r+g+b)) of the object's pixels
    (`weight`: object_weight).

    Chromaticity does not change when light scales all channels alike, so a darker or brighter
    photo keeps its histogram (Lab a*/b* shrink with lightness, which broke that). The backdrop
    is left out because two photos of one item rarely share one: counted in, the floor decided
    whether a desk's photo and the owner's agreed in colour. Near-black and near-white pixels,
    whose chromaticity is noise, are left out; smoothing tolerates small shifts between cameras.
    """
    channels = bgr.astype(np.float32) + 1.0
    total = channels.sum(axis=2)
    r, g = channels[:, :, 2] / total, channels[:, :, 1] / total
    valid = (total > 60) & (total < 740)
    if not weight[valid].any():  # a black or white object: the rest of the photo is all there is
        weight = _middle(bgr)
    hist, _, _ = np.histogram2d(
        r[valid], g[valid], bins=COLOUR_BINS, range=[[0, 1], [0, 1]], weights=weight[valid]
    )
    hist = cv2.GaussianBlur(hist.astype(np.float32), (3, 3), 0)
    mass = float(hist.sum())
    return (hist / mass if mass > 0 else hist).flatten().astype(np.float32)


@dataclass(frozen=True)
class Parsed:
    phash: int
    hist: np.ndarray
    points: np.ndarray
    descriptors: np.ndarray


class RecordError(ValueError):
    pass


def parse_record(record: dict[str, Any]) -> Parsed:
    try:
        if record.get("model_version") != MODEL_VERSION:
            raise RecordError(
                f"record model_version {record.get('model_version')!r} is not {MODEL_VERSION!r}; "
                "extract the features again"
            )
        with np.errstate(over="ignore"):  # 1e39 becomes inf in float32: refused below
            hist = np.asarray(record["colour_hist"], dtype=np.float32)
        if hist.shape != (COLOUR_BINS * COLOUR_BINS,):
            raise RecordError("colour_hist has the wrong length")
        if not np.isfinite(hist).all() or (hist < 0).any():
            raise RecordError("colour_hist holds a value that is not a finite number >= 0")
        points = np.frombuffer(base64.b64decode(record["points"]), dtype="<f4").reshape(-1, 2)
        if not np.isfinite(points).all():
            raise RecordError("points hold a value that is not a finite number")
        descriptors = np.frombuffer(base64.b64decode(record["descriptors"]), dtype=np.uint8)
        descriptors = descriptors.reshape(-1, 32)
        if len(points) != len(descriptors):
            raise RecordError("points and descriptors differ in count")
        return Parsed(int(record["phash"], 16), hist, points, descriptors)
    except RecordError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError(f"malformed feature record: {exc}") from exc


def geometric_agreement(a: Parsed, b: Parsed) -> tuple[float, int]:
    """Share of keypoints that agree on one homography (RANSAC inliers), saturating in [0, 1]."""
    if len(a.descriptors) < _MIN_GOOD_MATCHES or len(b.descriptors) < _MIN_GOOD_MATCHES:
        return 0.0, 0
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(a.descriptors, b.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < _MIN_GOOD_MATCHES:
        return 0.0, 0
    src = np.array([a.points[m.queryIdx] for m in good], dtype=np.float32).reshape(-1, 1, 2)
    dst = np.array([b.points[m.trainIdx] for m in good], dtype=np.float32).reshape(-1, 1, 2)
    _, inlier_mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
    inliers = int(inlier_mask.sum()) if inlier_mask is not None else 0
    if inliers < _MIN_GOOD_MATCHES:
        return 0.0, inliers
    # ~15 inliers is already strong evidence; 45 is near certainty.
    return 1.0 - math.exp(-(inliers - _MIN_GOOD_MATCHES + 1) / 12.0), inliers


def colour_similarity(a: Parsed, b: Parsed) -> float:
    roots_a, roots_b = np.sqrt(np.maximum(a.hist, 0)), np.sqrt(np.maximum(b.hist, 0))
    return float(photo_similarity.colour_similarity(roots_a, roots_b))


def hash_similarity(a: Parsed, b: Parsed) -> float:
    return float(photo_similarity.hash_similarity(a.phash, b.phash))


def similarity(a: Parsed, b: Parsed) -> dict[str, Any]:
    geometric, inliers = geometric_agreement(a, b)
    colour = colour_similarity(a, b)
    hashed = hash_similarity(a, b)
    score = float(photo_similarity.photo_score(geometric, colour, hashed))
    return {
        "score": round(score, 4),
        "components": {
            "geometric": round(geometric, 4),
            "inliers": inliers,
            "colour": round(colour, 4),
            "hash": round(hashed, 4),
        },
        "model_version": MODEL_VERSION,
    }
