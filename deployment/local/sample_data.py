"""Sample lost and found reports, with generated photos, for the demo and the end-to-end tests.

Each pair describes one object the way two different people would; its two photos show the same
drawn object, turned and placed differently, on different backgrounds.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    description: str
    category: str | None
    colour: str | None
    brand: str | None
    latitude: float
    longitude: float
    place_name: str
    days_ago: float
    photo_seed: int | None = None
    photo_colour: tuple[int, int, int] = (40, 40, 40)
    photo_turned: bool = False
    # What only the owner (or the holder) knows: the claim check compares the two sides' (never
    # shown publicly, never matched on).
    private_details: str = ""

    def body(self, contact: str) -> dict[str, object]:
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "colour": self.colour,
            "brand": self.brand,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "place_name": self.place_name,
            "occurred_at": (datetime.now(UTC) - timedelta(days=self.days_ago)).isoformat(),
            "contact": contact,
            "private_details": self.private_details,
        }


def _pair(
    seed: int, colour: tuple[int, int, int], lost: dict, found: dict
) -> tuple[Report, Report]:
    return (
        Report(kind="lost", photo_seed=seed, photo_colour=colour, **lost),
        Report(kind="found", photo_seed=seed, photo_colour=colour, photo_turned=True, **found),
    )


PAIRS: list[tuple[Report, Report]] = [
    _pair(
        1,
        (30, 30, 30),
        dict(
            title="Black leather wallet",
            description="Lost my black leather wallet near Amsterdam Centraal. It has my ID and a red stripe inside.",
            category="wallet",
            colour="black",
            brand="Fossil",
            latitude=52.3791,
            longitude=4.9003,
            place_name="Amsterdam Centraal",
            days_ago=2,
            private_details="A red stripe inside, behind my ID card; a Rabobank pass",
        ),
        dict(
            title="Found a dark wallet",
            description="Dark leather wallet found on platform 2 at Centraal station, cards inside.",
            category="wallet",
            colour="black",
            brand=None,
            latitude=52.3789,
            longitude=4.8999,
            place_name="Centraal platform 2",
            days_ago=1.5,
            private_details="Red stripe inside, an ID card and a Rabobank bank pass",
        ),
    ),
    _pair(
        2,
        (30, 70, 200),
        dict(
            title="iPhone in a blue case",
            description="Lost my iPhone 14 in a blue silicone case on tram 5, screen slightly cracked.",
            category="phone",
            colour="blue",
            brand="Apple",
            latitude=52.3600,
            longitude=4.8850,
            place_name="Tram 5, Museumplein",
            days_ago=1,
        ),
        dict(
            title="Mobile phone with blue cover",
            description="Found an Apple phone with a blue cover on a tram seat, cracked glass.",
            category="phone",
            colour="blue",
            brand="Apple",
            latitude=52.3580,
            longitude=4.8820,
            place_name="Tram 5 depot",
            days_ago=0.8,
        ),
    ),
    _pair(
        3,
        (200, 40, 40),
        dict(
            title="House keys on a red keyring",
            description="Three house keys and a bike key on a red keyring, lost in Vondelpark.",
            category="keys",
            colour="red",
            brand=None,
            latitude=52.3580,
            longitude=4.8686,
            place_name="Vondelpark",
            days_ago=3,
        ),
        dict(
            title="Bunch of keys",
            description="Found keys with a red key ring near the pond in Vondelpark.",
            category="keys",
            colour="red",
            brand=None,
            latitude=52.3576,
            longitude=4.8690,
            place_name="Vondelpark pond",
            days_ago=2.5,
        ),
    ),
    _pair(
        4,
        (110, 110, 120),
        dict(
            title="Grey Eastpak backpack",
            description="Grey Eastpak backpack with school books and a pencil case, left at the library.",
            category="bag",
            colour="grey",
            brand="Eastpak",
            latitude=52.3760,
            longitude=4.9080,
            place_name="Public library OBA",
            days_ago=4,
        ),
        dict(
            title="Gray rucksack full of books",
            description="Found a gray rucksack with text books at the library entrance.",
            category="bag",
            colour="grey",
            brand=None,
            latitude=52.3762,
            longitude=4.9085,
            place_name="OBA entrance",
            days_ago=3.5,
        ),
    ),
    _pair(
        5,
        (40, 140, 60),
        dict(
            title="Green folding umbrella",
            description="Green compact umbrella forgotten in a cafe on the Prinsengracht.",
            category="umbrella",
            colour="green",
            brand=None,
            latitude=52.3700,
            longitude=4.8840,
            place_name="Cafe on Prinsengracht",
            days_ago=1,
        ),
        dict(
            title="Umbrella left behind",
            description="Green folding umbrella found under a table in our coffee shop on Prinsengracht.",
            category="umbrella",
            colour="green",
            brand=None,
            latitude=52.3702,
            longitude=4.8838,
            place_name="Prinsengracht coffee shop",
            days_ago=0.9,
        ),
    ),
]

DISTRACTORS: list[Report] = [
    Report(
        kind="found",
        title="Child's red bicycle",
        description="Small red kids bike left at the playground.",
        category="bicycle",
        colour="red",
        brand=None,
        latitude=52.3500,
        longitude=4.9200,
        place_name="Oosterpark playground",
        days_ago=2,
        photo_seed=40,
        photo_colour=(200, 40, 40),
    ),
    Report(
        kind="found",
        title="Silver bracelet",
        description="Thin silver bracelet found in the changing room of the gym.",
        category="jewellery",
        colour="grey",
        brand=None,
        latitude=52.3400,
        longitude=4.8900,
        place_name="Gym Zuid",
        days_ago=5,
    ),
    Report(
        kind="lost",
        title="Blue woollen scarf",
        description="Lost a long blue woollen scarf at the concert hall.",
        category="clothing",
        colour="blue",
        brand=None,
        latitude=52.3560,
        longitude=4.8790,
        place_name="Concertgebouw",
        days_ago=2,
        photo_seed=41,
        photo_colour=(30, 70, 200),
    ),
]


def photo_png(seed: int, colour: tuple[int, int, int], turned: bool, background_seed: int) -> bytes:
    """A 640x480 PNG of object `seed` in `colour` on a textured background."""
    rng = np.random.default_rng(background_seed)
    image = (rng.random((480, 640, 3)) * 30 + rng.integers(90, 160, 3)).astype(np.uint8)
    obj = _object(seed, colour)
    if turned:
        obj = np.ascontiguousarray(np.rot90(obj))
    h, w = obj.shape[:2]
    y0, x0 = int(rng.integers(10, 480 - h - 10)), int(rng.integers(10, 640 - w - 10))
    image[y0 : y0 + h, x0 : x0 + w] = obj
    return _png(image)


def _object(seed: int, colour: tuple[int, int, int]) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    h, w = 280, 360  # a photo of a lost item is mostly the item
    obj = np.empty((h, w, 3), dtype=np.uint8)
    obj[:] = colour
    dark = (np.array(colour) * 0.4).astype(np.uint8)
    light = np.minimum(255, np.array(colour) * 1.3 + 60).astype(np.uint8)
    obj[:6], obj[-6:], obj[:, :6], obj[:, -6:] = dark, dark, dark, dark
    for _ in range(24):  # patches, studs and seams: corners for keypoints
        y, x = int(rng.integers(10, h - 40)), int(rng.integers(10, w - 40))
        ph, pw = int(rng.integers(8, 30)), int(rng.integers(8, 30))
        obj[y : y + ph, x : x + pw] = light if rng.random() < 0.5 else dark
    for _ in range(4):
        y = int(rng.integers(10, h - 10))
        obj[y : y + 3, 8 : w - 8] = dark
    return obj


def _png(rgb: np.ndarray) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    height, width, _ = rgb.shape
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )
