"""A generated photo set: drawn objects on textured backgrounds, and transformed copies.

Each object is a seeded drawing (a body with stripes, dots, a label and a strap), so the same
seed in another colour gives "the same model in another colour". Each photo gets its own
background, as two real photos would.
"""

from __future__ import annotations

import cv2
import numpy as np

Colour = tuple[int, int, int]

PALETTE: dict[str, Colour] = {
    "red": (200, 30, 40),
    "blue": (30, 60, 200),
    "green": (40, 150, 60),
    "yellow": (230, 200, 40),
    "purple": (120, 40, 150),
    "orange": (240, 130, 30),
    "teal": (20, 140, 140),
    "brown": (120, 75, 40),
}


def background(seed: int, size: tuple[int, int] = (480, 640)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    height, width = size
    base = rng.integers(90, 170, size=3)
    ys, xs = np.mgrid[0:height, 0:width]
    gradient = (xs / width)[..., None] * rng.integers(-40, 40, size=3)
    image = np.clip(base + gradient + rng.normal(0, 6, (height, width, 3)), 0, 255)
    image = image.astype(np.uint8)
    for _ in range(25):  # floor/table texture: faint lines
        p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        p2 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        shade = tuple(int(v) for v in np.clip(base + rng.integers(-25, 25, 3), 0, 255))
        cv2.line(image, p1, p2, shade, 1, cv2.LINE_AA)
    return image


def draw_object(image: np.ndarray, seed: int, colour: Colour) -> np.ndarray:
    """Draw object `seed` in `colour` in the middle of `image` (RGB)."""
    rng = np.random.default_rng(1000 + seed)
    out = image.copy()
    height, width = out.shape[:2]
    cx, cy = width // 2, height // 2
    w, h = int(rng.integers(200, 280)), int(rng.integers(150, 220))
    x0, y0 = cx - w // 2, cy - h // 2
    dark = tuple(int(c * 0.45) for c in colour)
    light = tuple(int(min(255, c * 1.3 + 40)) for c in colour)
    cv2.rectangle(out, (x0, y0), (x0 + w, y0 + h), colour, -1)
    cv2.rectangle(out, (x0, y0), (x0 + w, y0 + h), dark, 3)
    for _ in range(int(rng.integers(3, 7))):  # stripes
        y = int(rng.integers(y0 + 10, y0 + h - 10))
        cv2.line(out, (x0 + 5, y), (x0 + w - 5, y), dark, int(rng.integers(2, 6)))
    for _ in range(int(rng.integers(5, 12))):  # studs and patches
        centre = (int(rng.integers(x0 + 15, x0 + w - 15)), int(rng.integers(y0 + 15, y0 + h - 15)))
        cv2.circle(out, centre, int(rng.integers(4, 14)), light, -1)
        cv2.circle(out, centre, int(rng.integers(2, 5)), dark, -1)
    for _ in range(int(rng.integers(2, 5))):  # zips and seams
        pts = rng.integers([x0, y0], [x0 + w, y0 + h], size=(4, 2)).astype(np.int32)
        cv2.polylines(out, [pts], False, light, 2, cv2.LINE_AA)
    label = "".join(chr(int(c)) for c in rng.integers(65, 91, size=4))
    cv2.putText(out, label, (x0 + 20, y0 + h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.2, light, 3)
    strap = (x0 + w // 4, y0), (x0 + 3 * w // 4, y0)
    cv2.ellipse(out, (cx, y0), (w // 4, int(rng.integers(40, 70))), 0, 180, 360, dark, 6)
    del strap
    return out


def photo(seed: int, colour: str, background_seed: int) -> np.ndarray:
    return draw_object(background(background_seed), seed, PALETTE[colour])


# -- transforms a second photo of the same object might show ---------------------------------


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def scale(image: np.ndarray, factor: float) -> np.ndarray:
    height, width = image.shape[:2]
    return cv2.resize(
        image, (int(width * factor), int(height * factor)), interpolation=cv2.INTER_AREA
    )


def brightness(image: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(image.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def blur(image: np.ndarray, kernel: int = 5) -> np.ndarray:
    return cv2.GaussianBlur(image, (kernel, kernel), 0)


def crop(image: np.ndarray, keep: float = 0.8) -> np.ndarray:
    height, width = image.shape[:2]
    dy, dx = int(height * (1 - keep) / 2), int(width * (1 - keep) / 2)
    return image[dy : height - dy, dx + dx // 2 : width - dx // 2]


def encode(image: np.ndarray, fmt: str = ".jpg", quality: int = 90) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == ".jpg" else []
    ok, buffer = cv2.imencode(fmt, cv2.cvtColor(image, cv2.COLOR_RGB2BGR), params)
    assert ok
    return buffer.tobytes()


TRANSFORMS = {
    "rotate_25": lambda im: rotate(im, 25),
    "rotate_90": lambda im: np.ascontiguousarray(np.rot90(im)),
    "scale_0.6": lambda im: scale(im, 0.6),
    "scale_1.5": lambda im: scale(im, 1.5),
    "darker": lambda im: brightness(im, 0.6),
    "brighter": lambda im: brightness(im, 1.35),
    "blur": blur,
    "crop": crop,
}
