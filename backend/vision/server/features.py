"""Image feature records and their similarity.

A record holds three complementary signals, because each alone fails somewhere:
- ORB keypoints + RANSAC homography: recognises the same object under rotation, scale, crop and
  light, but is colour-blind (a red and a blue bag of one model look alike);
- an rg-chromaticity histogram: unchanged when the light gets brighter or darker, and tells
  the red bag from the blue one;
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
    return {
        "model_version": MODEL_VERSION,
        "width": original_size[0],
        "height": original_size[1],
        "work_width": width,
        "work_height": height,
        "phash": f"{perceptual_hash(gray):016x}",
        "colour_hist": [round(float(v), 6) for v in colour_histogram(bgr)],
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


def colour_histogram(bgr: np.ndarray) -> np.ndarray:
    """Normalised 2-D histogram of rg chromaticity (r/(r+g+b), g/(r+g+b)).

    Chromaticity does not change when light scales all channels alike, so a darker or brighter
    photo keeps its histogram (Lab a*/b* shrink with lightness, which broke that). The centre,
    where the object usually is, weighs triple; near-black and near-white pixels, whose
    chromaticity is noise, are left out; smoothing tolerates small shifts between cameras.
    """
    channels = bgr.astype(np.float32) + 1.0
    total = channels.sum(axis=2)
    r, g = channels[:, :, 2] / total, channels[:, :, 1] / total
    height, width = total.shape
    weight = np.ones_like(total)
    weight[height // 8 : height - height // 8, width // 8 : width - width // 8] += 2.0
    valid = (total > 60) & (total < 740)
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
