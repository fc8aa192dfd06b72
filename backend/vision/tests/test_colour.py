"""The photo's main colour, proposed to a desk clerk: named as the taxonomy names colours, from
the object in the middle (not the floor around it), and nothing when no colour stands out."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend.common.taxonomy import taxonomy
from backend.vision.server.features import COLOUR_NAMES
from backend.vision.tests import synthetic
from backend.vision.tests.test_similarity import features


@pytest.mark.parametrize("colour", ["red", "blue", "green", "yellow", "purple", "orange", "brown"])
@pytest.mark.parametrize("seed", range(10))
def test_the_object_s_colour_is_proposed_whatever_the_floor(
    client: TestClient, colour: str, seed: int
) -> None:
    image = synthetic.photo(seed, colour, background_seed=seed + 7)
    proposed = features(client, image)["colour_name"]
    assert proposed == colour
    assert features(client, synthetic.brightness(image, 0.8))["colour_name"] == colour


@pytest.mark.parametrize(
    ("rgb", "expected"),
    [((15, 15, 18), "black"), ((235, 235, 230), "white"), ((128, 128, 130), "grey")],
)
def test_black_white_and_grey_are_named_too(
    client: TestClient, rgb: tuple[int, int, int], expected: str
) -> None:
    image = np.full((200, 300, 3), rgb, dtype=np.uint8)
    assert features(client, image)["colour_name"] == expected


def test_nothing_is_proposed_when_no_colour_stands_out(client: TestClient) -> None:
    stripes = np.zeros((200, 300, 3), dtype=np.uint8)
    palette = [synthetic.PALETTE[name] for name in ("red", "blue", "green", "yellow", "purple")]
    for index in range(300):
        stripes[:, index] = palette[(index // 10) % len(palette)]
    assert features(client, stripes)["colour_name"] is None


def test_every_name_proposed_is_a_colour_of_the_taxonomy() -> None:
    colours = {
        value
        for meanings in taxonomy().index.values()
        for label, value in meanings
        if label == "COLOUR"
    }
    assert set(COLOUR_NAMES) <= colours
