"""NLP throughput: /embed over HTTP (batch 32) against the same model in process, and
/entities docs/s; /analyze on 1,024 report texts (2 clients, 64 texts a request) on each
embedding runtime (ONNX fp32 and int8, torch; 1 or 2 model threads) against bare MiniLM on the
same texts (one process, torch, batch 32) and against the service as it was (torch, 2 threads);
spaCy's entity pipeline as the service loads it against the whole pipeline; each runtime's
start-up time and memory.

    ./pants run bench/nlp_embed.py -- [--batches 40]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import httpx

from backend.nlp.server.main import create_app
from backend.nlp.server.models import onnx_encoder
from backend.nlp.server.settings import NlpSettings
from backend.nlp.server.torch_encoder import TorchEncoder
from bench._reports import reports
from bench._serve import rss_mib, served

BATCH = 32
SENTENCES = [
    f"{colour} {thing} lost near the {place} on {day}"
    for colour in ("black", "red", "blue", "green")
    for thing in ("wallet", "phone", "backpack", "umbrella", "set of keys", "watch")
    for place in ("station", "park", "library", "airport")
    for day in ("Monday", "Friday")
]


def batches(count: int) -> list[list[str]]:
    return [
        [SENTENCES[(i * BATCH + j) % len(SENTENCES)] for j in range(BATCH)] for i in range(count)
    ]


def in_process(count: int, settings: NlpSettings) -> float:
    """The service's model in this process: HTTP and batching cost the difference."""
    model = onnx_encoder(settings)
    work = batches(count)
    model.encode(work[0], BATCH)
    started = time.perf_counter()
    for batch in work:
        model.encode(batch, BATCH)
    return count * BATCH / (time.perf_counter() - started)


def over_http(url: str, count: int, path: str = "/embed") -> float:
    work = batches(count)
    with httpx.Client(timeout=120) as client:
        client.post(url + path, json={"texts": work[0]}).raise_for_status()
        started = time.perf_counter()
        for batch in work:
            client.post(url + path, json={"texts": batch}).raise_for_status()
    return count * BATCH / (time.perf_counter() - started)


def report_texts(count: int = 1024) -> list[str]:
    """Texts as the worker sends them (title, description, colour, brand, category)."""
    return [
        ". ".join(part for part in (r.title, r.description, r.colour, r.brand, r.category) if part)
        for r in reports(count, seed=2)
    ]


def analyze_over_http(url: str, texts: list[str], clients: int = 2, per_request: int = 64) -> float:
    requests = [texts[i : i + per_request] for i in range(0, len(texts), per_request)]
    with httpx.Client(timeout=300) as client:
        client.post(url + "/analyze", json={"texts": requests[0]}).raise_for_status()

        def post(batch: list[str]) -> None:
            client.post(url + "/analyze", json={"texts": batch}).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, requests))
    return len(texts) / (time.perf_counter() - started)


def bare_minilm(texts: list[str], threads: int) -> float:
    """sentence-transformers on torch, nothing else: the model's own speed."""
    model = TorchEncoder(threads)
    model.encode(texts[:32], BATCH)
    started = time.perf_counter()
    model.encode(texts, BATCH)
    return len(texts) / (time.perf_counter() - started)


def spacy_rates(texts: list[str], settings: NlpSettings) -> tuple[float, float]:
    """Texts/s of the service's entity pipeline, and of the whole pipeline it trims."""
    from backend.common.taxonomy import taxonomy
    from backend.nlp.server.models import NOT_FOR_ENTITIES, entity_pipeline

    rates = []
    served_then_whole: tuple[Sequence[str], ...] = (NOT_FOR_ENTITIES, ())
    for exclude in served_then_whole:
        nlp = entity_pipeline(settings.spacy_model, taxonomy(), exclude=exclude)
        list(nlp.pipe(texts[:64]))
        started = time.perf_counter()
        list(nlp.pipe(texts, batch_size=64))
        rates.append(len(texts) / (time.perf_counter() - started))
    return rates[0], rates[1]


# The service's runtimes, each served on its own: (label, settings, torch threads), the default
# first torch one is the service as it was before ONNX ("before"; torch is not in its PEX now:
# the bench hands the service the model on torch).
RUNTIMES: list[tuple[str, dict[str, Any], int | None]] = [
    ("onnx fp32, 2 threads (default)", {}, None),
    ("onnx fp32, 1 thread", {"model_threads": 1}, None),
    ("onnx int8, 2 threads", {"embedding_runtime": "onnx-int8"}, None),
    ("onnx int8, 1 thread", {"embedding_runtime": "onnx-int8", "model_threads": 1}, None),
    ("torch, 2 threads (before)", {}, 2),
    ("torch, 1 thread", {}, 1),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    settings = NlpSettings()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    texts = report_texts()
    threads = os.cpu_count() or 1

    served_rates = []
    for number, (label, changes, torch_threads) in enumerate(RUNTIMES):
        config = settings.model_copy(update=changes)
        on_torch = None if torch_threads is None else partial(TorchEncoder, torch_threads)
        print(f"serving {label} ...", flush=True)
        with served(partial(create_app, config, on_torch)) as (url, pid, startup_s):
            rss_ready = rss_mib(pid)
            if number == 0:
                http_rate = over_http(url, args.batches)
                entities_rate = over_http(url, max(5, args.batches // 2), "/entities")
            rate = analyze_over_http(url, texts)
            served_rates.append((label, rate, startup_s, rss_ready, rss_mib(pid)))
    # In this process only after the served ones: their forks must not inherit a loaded torch.
    baseline = in_process(args.batches, settings)
    minilm = bare_minilm(texts, threads)
    slim, whole = spacy_rates(texts, settings)
    before = next(rate for label, rate, *_ in served_rates if "before" in label)

    print(f"\n{'embedding (batch 32), the default runtime':<44}{'sentences/s':>12}")
    print(f"{'in process':<44}{baseline:>12.0f}")
    print(f"{'/embed over HTTP':<44}{http_rate:>12.0f}")
    print(f"ratio HTTP / in-process: {http_rate / baseline:.2f} (target >= 0.80)")
    print(f"/entities over HTTP: {entities_rate:.0f} docs/s")
    print(f"\n{len(texts)} report texts, /analyze over HTTP (2 clients, 64 a request)")
    print(
        f"bare MiniLM (sentence-transformers, torch, {threads} threads, batch 32): {minilm:.0f}/s"
    )
    header = ("runtime", "texts/s", "x MiniLM", "x before", "start s", "RSS ready", "RSS after")
    print(f"{header[0]:<32}" + "".join(f"{h:>11}" for h in header[1:]))
    for label, rate, startup_s, rss_ready, rss_after in served_rates:
        print(
            f"{label:<32}{rate:>11.0f}{rate / minilm:>11.2f}{rate / before:>11.2f}"
            f"{startup_s:>11.1f}{rss_ready:>11.0f}{rss_after:>11.0f}"
        )
    print("targets: torch >= 0.90 x MiniLM; the faster runtime >= 2.5 x before (RSS in MiB)")
    print(f"\n{'spaCy, the entity pipeline served':<40}{slim:>12.0f}")
    print(f"{'spaCy, the whole pipeline':<40}{whole:>12.0f}")
    print(f"ratio entity pipeline / whole: {slim / whole:.2f}")


if __name__ == "__main__":
    main()
