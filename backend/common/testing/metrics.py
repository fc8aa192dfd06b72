"""Reading a service's metrics as Prometheus does: over HTTP, in the text format."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


@dataclass(frozen=True)
class Scrape:
    """One scrape: every sample, and the metric families by name."""

    samples: list[Sample]
    families: dict[str, str]  # name -> type

    def value(self, name: str, **labels: str) -> float:
        """The sum of `name`'s samples whose labels include `labels` (0 when there are none)."""
        return sum(
            sample.value
            for sample in self.samples
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
        )

    def label_values(self, name: str, label: str) -> set[str]:
        return {s.labels[label] for s in self.samples if s.name == name and label in s.labels}


CATALOGUE = Path("docs/observability.md")


def catalogue(path: Path = CATALOGUE) -> set[str]:
    """The metric names in docs/observability.md's table: what the services serve (held to it
    by tests/e2e/test_telemetry.py) and all the dashboard and alerts may read."""
    return set(re.findall(r"^\| `(lostfound_[a-z_]+)` \|", path.read_text(), re.MULTILINE))


def parse(text: str) -> Scrape:
    """The exposition parsed (a malformed one raises ValueError)."""
    samples: list[Sample] = []
    families: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = family.type
        samples += family.samples
    return Scrape(samples, families)


def scrape(url: str) -> Scrape:
    """GET `url` (a /metrics address) and parse it; the content type must be Prometheus text."""
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    assert response.headers["content-type"].startswith(
        "text/plain; version=0.0.4"
    ), response.headers
    return parse(response.text)
