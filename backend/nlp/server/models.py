"""Model loading in the background, and the calls into the models.

Models load on a background thread at start-up; a request that arrives before any load began
starts it (once) and waits up to LOAD_WAIT_S. A model that fails to load is reported, never
replaced: fake vectors would produce false matches.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from prometheus_client import Histogram

from backend.common.metrics import BATCH_BUCKETS, SECONDS_BUCKETS
from backend.common.taxonomy import LABELS, Taxonomy, load_taxonomy
from backend.nlp.server.settings import NlpSettings

log = logging.getLogger(__name__)

# Offline by construction: a hub model *name* would make the process retry the network.
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("HF_HUB_DISABLE_UPDATE_CHECK", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BATCH_TEXTS = Histogram(
    "lostfound_nlp_batch_texts",
    "Texts in one call of a model (embedding: requests batched together; entities: one "
    "request's).",
    ["model"],
    buckets=BATCH_BUCKETS,
)
MODEL_SECONDS = Histogram(
    "lostfound_nlp_model_seconds",
    "Time of one call of a model.",
    ["model"],
    buckets=SECONDS_BUCKETS,
)

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


MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
# What backend/nlp/export made of the packaged MiniLM at build time (a resource of this PEX).
PACKAGED_ONNX = Path(__file__).resolve().parent.parent / "export" / "minilm-onnx"
ONNX_GRAPHS = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}


class Encoder(Protocol):
    """A sentence-embedding model: L2-normalised float32 vectors, one row per text."""

    model_id: str  # vectors of two ids are not comparable
    runtime: str

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...


class OnnxEncoder:
    """An exported MiniLM graph on ONNX Runtime, with the tokenizer and word-piece limit beside it.

    Texts go through the model in sub-batches of similar length, so one long text pads only its
    neighbours and not the whole request."""

    def __init__(self, graph: Path, threads: int, model_id: str, runtime: str) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.model_id, self.runtime = model_id, runtime
        if not graph.is_file():
            raise FileNotFoundError(f"embedding graph {graph} does not exist")
        folder = graph.parent
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Threads that spin while they wait steal the core spaCy runs on beside them.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        limits = json.loads((folder / "sentence_bert_config.json").read_text())
        self._tokenizer.enable_truncation(int(limits["max_seq_length"]))
        self._tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        vectors: np.ndarray | None = None
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[row].ids) for row in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for line, row in enumerate(rows):
                encoding = encodings[row]
                ids[line, : len(encoding.ids)] = encoding.ids
                mask[line, : len(encoding.ids)] = encoding.attention_mask
                types[line, : len(encoding.ids)] = encoding.type_ids
            [batch] = self._session.run(
                ["sentence_embedding"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
            )
            if vectors is None:
                vectors = np.empty((len(texts), batch.shape[1]), dtype=np.float32)
            vectors[rows] = batch
        assert vectors is not None, "no texts"
        return vectors


class Models:
    def __init__(
        self, settings: NlpSettings, encoder_factory: Callable[[], Encoder] | None = None
    ) -> None:
        """`encoder_factory` replaces the packaged ONNX model (the bench serves torch with it)."""
        self.settings = settings
        self._encoder_factory = encoder_factory
        self.runtime = ""
        self.embedding = LoadState()
        self.ner = LoadState()
        self.model_id = ""
        self.dim = 0
        self._encoder: Encoder | None = None
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
        settings = self.settings
        factory = self._encoder_factory or (lambda: onnx_encoder(settings))
        encoder = factory()
        self.dim = int(encoder.encode(["warm up"], settings.batch_size).shape[1])
        self._encoder, self.model_id, self.runtime = encoder, encoder.model_id, encoder.runtime

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
        assert self._encoder is not None
        BATCH_TEXTS.labels("embedding").observe(len(texts))
        with MODEL_SECONDS.labels("embedding").time():
            return self._encoder.encode(texts, self.settings.batch_size)

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
        BATCH_TEXTS.labels("entities").observe(len(texts))
        with self._ner_lock, MODEL_SECONDS.labels("entities").time():
            # One call at a time: spaCy pipelines are not meant for concurrent calls.
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


def onnx_encoder(settings: NlpSettings) -> OnnxEncoder:
    """The exported MiniLM graph the settings choose, packaged or in ONNX_MODEL_PATH."""
    runtime, folder = settings.embedding_runtime, settings.onnx_model_path
    # Another runtime, other vectors: stored reports are embedded again (the worker's sweep
    # compares this id with theirs).
    model_id = f"{MINILM_ID if folder is None else folder}+{runtime}"
    graph = (folder or PACKAGED_ONNX) / ONNX_GRAPHS[runtime]
    return OnnxEncoder(graph, settings.model_threads, model_id, runtime)


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
