"""The packaged API and vision service against what an attacker sends to the process itself:
decompression bombs (memory within the Kubernetes limits) and forged client addresses (only a
configured proxy names the client)."""

from __future__ import annotations

import concurrent.futures
import io
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from PIL import Image, ImageDraw

from tests.e2e.running import Stack

pytestmark = pytest.mark.integration

MANIFESTS = Path("deployment/k8s")
TRUSTED_PROXY = "127.0.0.2"  # the ingress, as the API sees it


def memory_limit_bytes(manifest: str) -> int:
    """The container's memory limit in its Kubernetes manifest (e.g. 384Mi)."""
    [deployment] = [
        doc
        for doc in yaml.safe_load_all((MANIFESTS / manifest).read_text())
        if doc and doc.get("kind") == "Deployment"
    ]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    limit = container["resources"]["limits"]["memory"]
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", limit).groups()  # type: ignore[union-attr]
    return int(number) * {"Mi": 2**20, "Gi": 2**30}[unit]


def bomb_png(width: int, height: int) -> bytes:
    """A PNG of width x height transparent pixels: small on the wire, width * height * 4 bytes
    decoded."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + 4 * width)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def largest_allowed_png() -> bytes:
    """A PNG with transparency just under the decode limit (12 megapixels), its shapes in a few
    colours: a valid photo that costs the most memory to read (decoded whole, then composited
    onto white)."""
    image = Image.new("RGBA", (4000, 2990), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for n in range(40):
        box = (n * 97 % 3600, n * 53 % 2600, n * 97 % 3600 + 400, n * 53 % 2600 + 300)
        draw.ellipse(box, fill=(n * 40 % 256, 90, 200 - n * 3, 128 + n))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(
        tmp_path_factory.mktemp("hardening"),
        database_url=None,
        broker_url=None,
        only=("api", "vision"),
        extra_env={
            "FORWARDED_ALLOW_IPS": TRUSTED_PROXY,
            "REGISTRATIONS_PER_IP": "3/hour",
            "PHOTOS_PER_REPORTER": "1000/hour",
        },
    )
    yield from running.serving()


def test_three_decompression_bombs_at_once_stay_within_the_memory_limits(
    services: Stack,
) -> None:
    api, vision = services.url("api"), services.url("vision")
    # Registered through the proxy: the address test below counts the direct ones.
    proxy = httpx.Client(transport=httpx.HTTPTransport(local_address=TRUSTED_PROXY))
    registered = proxy.post(
        f"{api}/reporters", json={"name": "Eve"}, headers={"X-Forwarded-For": "192.0.2.1"}
    )
    token = registered.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "kind": "found",
        "title": "A bag",
        "occurred_at": "2026-12-01T10:00:00Z",
        "contact": "eve@example.org",
    }
    items = [httpx.post(f"{api}/items", json=body, headers=headers).json()["id"] for _ in range(6)]
    bomb = bomb_png(6300, 6300)
    valid = largest_allowed_png()

    def upload(item: str, image: bytes) -> int:
        files = {"file": ("p.png", image, "image/png")}
        return httpx.put(
            f"{api}/items/{item}/photo", files=files, headers=headers, timeout=120
        ).status_code

    def features(image: bytes) -> int:
        files = {"file": ("p.png", image, "image/png")}
        return httpx.post(f"{vision}/features", files=files, timeout=120).status_code

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        bombs = [pool.submit(upload, item, bomb) for item in items[:3]]
        bombs += [pool.submit(features, bomb) for _ in range(3)]
        largest = [pool.submit(upload, item, valid) for item in items[3:]]
        largest += [pool.submit(features, valid) for _ in range(3)]
        assert [f.result() for f in bombs] == [413] * 6
        assert [f.result() for f in largest] == [200] * 6

    for service, manifest in (("api", "api.yaml"), ("vision", "vision.yaml")):
        peak, limit = services.peak_rss_bytes(service), memory_limit_bytes(manifest)
        print(f"{service}: peak RSS {peak / 2**20:.0f} MiB of {limit / 2**20:.0f} MiB")
        assert peak < limit, f"{service} peaked at {peak / 2**20:.0f} MiB"


def test_the_client_address_comes_from_the_trusted_proxy_only(services: Stack) -> None:
    api = services.url("api")

    def register(n: int, forwarded_for: str, via_proxy: bool) -> int:
        transport = httpx.HTTPTransport(local_address=TRUSTED_PROXY if via_proxy else "127.0.0.1")
        with httpx.Client(transport=transport) as client:
            return client.post(
                f"{api}/reporters",
                json={"name": f"r{n}"},
                headers={"X-Forwarded-For": forwarded_for},
            ).status_code

    # Direct clients choosing their own X-Forwarded-For share their one real address.
    direct = [register(n, f"198.51.100.{n}", via_proxy=False) for n in range(5)]
    # Through the proxy, each client is the address the proxy names.
    proxied = [register(n, f"203.0.113.{n}", via_proxy=True) for n in range(5)]
    # One client behind the proxy is still one client.
    same = [register(n, "203.0.113.200", via_proxy=True) for n in range(5)]

    assert direct == [201, 201, 201, 429, 429]
    assert proxied == [201] * 5
    assert same == [201, 201, 201, 429, 429]
