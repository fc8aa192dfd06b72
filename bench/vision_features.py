"""Vision throughput: /features over HTTP against in-process OpenCV (same images, same
threads), and the size of the vision PEX if it was built.

    ./pants run bench/vision_features.py -- [--images 200]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import httpx
import numpy as np

from backend.vision.server.main import create_app
from backend.vision.server.settings import VisionSettings
from bench._serve import served


def photos(count: int) -> list[bytes]:
    rng = np.random.default_rng(0)
    images = []
    for i in range(min(count, 20)):
        image = (rng.random((480, 640, 3)) * 60 + 90).astype(np.uint8)
        for _ in range(30):
            centre = (int(rng.integers(0, 640)), int(rng.integers(0, 480)))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            cv2.circle(image, centre, int(rng.integers(5, 60)), colour, -1)
        cv2.putText(image, f"#{i}", (200, 240), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 5)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        images.append(jpeg.tobytes())
    return [images[i % len(images)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    settings = VisionSettings()
    work = photos(args.images)
    threads = settings.decode_threads

    with (
        served(lambda: create_app(settings)) as (url, _, _),
        httpx.Client(timeout=60) as client,
        ThreadPoolExecutor(threads) as pool,
    ):

        def post(data: bytes) -> None:
            files = {"file": ("x.jpg", data, "image/jpeg")}
            client.post(url + "/features", files=files).raise_for_status()

        post(work[0])
        started = time.perf_counter()
        list(pool.map(post, work))
        http_rate = len(work) / (time.perf_counter() - started)

    pipeline = create_app(settings).state.pipeline
    with ThreadPoolExecutor(threads) as pool:
        pipeline.features_sync(work[0])
        started = time.perf_counter()
        list(pool.map(pipeline.features_sync, work))
        local_rate = len(work) / (time.perf_counter() - started)

    print(f"{'features (640x480 JPEG)':<28}{'images/s':>10}")
    print(f"{'in-process':<28}{local_rate:>10.0f}")
    print(f"{'/features over HTTP':<28}{http_rate:>10.0f}")
    print(f"ratio HTTP / in-process: {http_rate / local_rate:.2f} (target >= 0.80)")
    pex = Path("dist/backend.vision/server.pex")
    if pex.exists():
        print(f"vision PEX: {pex.stat().st_size / 2**20:.1f} MiB ({pex})")
    else:
        print("vision PEX: not built (./pants package backend/vision:server)")


if __name__ == "__main__":
    main()
