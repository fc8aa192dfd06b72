"""The exported graphs against the model they were exported from: ONNX Runtime gives torch's
vectors (fp32), or nearly (int8), on texts as people and desks write them."""

from __future__ import annotations

import numpy as np
import pytest

from backend.nlp.server.models import ONNX_GRAPHS, PACKAGED_ONNX, OnnxEncoder
from backend.nlp.server.torch_encoder import TorchEncoder

pytestmark = pytest.mark.integration

TEXTS = [
    "Lost my black leather wallet near Amsterdam Centraal. It has a red stripe inside.",
    "fouund a black instrument case at the staton, zip broen",
    "TAS ZW",
    "Zwarte portemonnee gevonden bij de bushalte, met bankpas",
    "Umbrella: found a forest-green brolly, cane handle made of wood, one rib damaged",
    "?",
    # Longer than the model's 256 word pieces: cut there, as sentence-transformers does.
    "Backpack with a laptop, charger, keys and a notebook. " * 40,
]
# Measured on these texts: fp32 0.9999995 at worst; int8 0.987-0.995 on the report texts, 0.958
# on "?" (a text of one word piece has nothing to average its rounding errors over).
WORST_COSINE = {"onnx": 0.999, "onnx-int8": 0.95}


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return TorchEncoder(threads=1).encode(TEXTS, batch_size=32)


@pytest.mark.parametrize("runtime", sorted(ONNX_GRAPHS))
def test_the_exported_graph_gives_torch_s_vectors(runtime: str, torch_vectors: np.ndarray) -> None:
    encoder = OnnxEncoder(PACKAGED_ONNX / ONNX_GRAPHS[runtime], 1, "minilm", runtime)

    vectors = encoder.encode(TEXTS, batch_size=32)

    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert float((vectors * torch_vectors).sum(axis=1).min()) >= WORST_COSINE[runtime]


def test_sub_batches_of_similar_length_keep_each_text_s_vector() -> None:
    encoder = OnnxEncoder(PACKAGED_ONNX / ONNX_GRAPHS["onnx"], 1, "minilm", "onnx")

    together = encoder.encode(TEXTS, batch_size=3)  # the long text pads only its neighbours
    one_by_one = np.stack([encoder.encode([text], batch_size=1)[0] for text in TEXTS])

    assert np.allclose(together, one_by_one, atol=1e-5)
