"""Real MiniLM embeddings: a lost report is closer to its found report than to unrelated ones."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

# (category, lost report, found report): written the way two different people would.
PAIRS = [
    (
        "wallet",
        "black leather wallet lost near the station",
        "found: dark wallet, leather, platform 2",
    ),
    (
        "phone",
        "Lost my iPhone 13 with a cracked screen on the bus",
        "Found a mobile phone with broken glass on bus line 12",
    ),
    (
        "keys",
        "Set of house keys on a red keyring",
        "Found keys attached to a red key ring outside the bakery",
    ),
    (
        "umbrella",
        "Left my blue folding umbrella in the cafe",
        "Blue compact umbrella found under a table at the coffee shop",
    ),
    (
        "bag",
        "Lost a grey Eastpak backpack with books inside",
        "Found a gray rucksack full of school books",
    ),
    (
        "glasses",
        "Lost prescription glasses in a brown case",
        "Found spectacles in a brown hard case on a bench",
    ),
    ("watch", "Gold wristwatch lost at the gym", "Found a golden watch in the gym changing room"),
    (
        "dog",
        "Our small white dog ran away in the park",
        "Found a little white puppy wandering in the park",
    ),
    ("passport", "Lost my passport at the airport", "Passport found at the airport security check"),
    (
        "laptop",
        "Silver MacBook left on the train",
        "Found an Apple laptop, silver, on the intercity train",
    ),
    (
        "headphones",
        "Lost black wireless headphones on the tram",
        "Found a pair of black Bluetooth headphones on tram 5",
    ),
    ("ring", "Lost my wedding ring while swimming", "Found a gold ring at the swimming pool"),
    (
        "scarf",
        "Green woollen scarf lost at the concert",
        "Found a green knitted scarf after the concert",
    ),
    (
        "bike",
        "My red bicycle was taken from the school",
        "Found an abandoned red bike near the school gate",
    ),
    (
        "teddy",
        "Child's teddy bear lost at the playground",
        "Found a soft toy bear in the playground",
    ),
    (
        "jacket",
        "Lost a navy winter jacket at the restaurant",
        "Dark blue winter coat left at the restaurant",
    ),
    (
        "earring",
        "Lost a single pearl earring at the theatre",
        "Found one pearl earring in the theatre aisle",
    ),
    ("cat", "Missing grey tabby cat, answers to Milo", "Found a grey striped cat near the garden"),
    ("id", "Lost my ID card and bank cards", "Found an identity card with some bank cards"),
    (
        "tablet",
        "iPad in a pink cover lost at the library",
        "Found a tablet with a pink case in the library",
    ),
    (
        "camera",
        "Lost my Canon camera at the beach",
        "Found a digital camera on the beach near the pier",
    ),
    (
        "guitar",
        "Acoustic guitar left at the bus stop",
        "Found a guitar in a case at the bus shelter",
    ),
]


def embed(client: TestClient, texts: list[str], kind: str) -> np.ndarray:
    response = client.post("/embed", json={"texts": texts, "kind": kind})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dim"] == 384
    assert body["mode"] == "onnx"
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2+onnx"
    return np.asarray(body["vectors"], dtype=np.float32)


def test_vectors_are_unit_length_and_deterministic(client: TestClient) -> None:
    first = embed(client, ["blue umbrella", "red bicycle"], "passage")
    again = embed(client, ["red bicycle"], "passage")

    assert first.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(first[1], again[0], atol=1e-5)


def test_matching_reports_are_closer_than_unrelated_ones(client: TestClient) -> None:
    lost = embed(client, [lost for _, lost, _ in PAIRS], "query")
    found = embed(client, [found for _, _, found in PAIRS], "passage")
    cosine = lost @ found.T

    misses = []
    for i, (category, _, _) in enumerate(PAIRS):
        others = [cosine[i, j] for j in range(len(PAIRS)) if j != i]
        if cosine[i, i] <= max(others):
            misses.append((category, float(cosine[i, i]), float(max(others))))
    assert misses == [], misses
    # And the gap is real, not a tie-break.
    assert float(np.mean(np.diag(cosine))) > float(np.mean(cosine)) + 0.3


def test_concurrent_requests_are_batched_and_answered_in_order(client: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"lost item number {i}" for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda text: embed(client, [text], "passage")[0], texts))
    alone = embed(client, texts, "passage")

    for i, vector in enumerate(results):
        np.testing.assert_allclose(vector, alone[i], atol=1e-4)
