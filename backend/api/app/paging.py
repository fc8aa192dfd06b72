"""Pages of listings: one rule for every listing. A page asks for at most MAX_PAGE_SIZE rows (the
OpenAPI document says so, deps.page_of reads it); a deployment may serve fewer (MAX_PAGE_SIZE
setting), and the page says how many it holds."""

from __future__ import annotations

from dataclasses import dataclass

# Deeper than any listing a person pages through; keeps OFFSET inside a 64-bit integer.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size
