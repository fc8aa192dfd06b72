"""Domain terms (colours, brands, item categories) from a CSV a non-programmer can edit.

Columns: `label` (COLOUR, BRAND or CATEGORY), `canonical` (the value matching uses) and
`synonyms` (phrases separated by `|`). One phrase may stand in several rows: "iphone" is both a
brand (apple) and a category (phone).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

LABELS = {"COLOUR": "colours", "BRAND": "brands", "CATEGORY": "categories"}


@dataclass(frozen=True)
class DomainTerms:
    # lower-cased phrase -> [(label, canonical), ...]
    index: dict[str, list[tuple[str, str]]]

    def patterns(self) -> list[dict[str, str]]:
        """EntityRuler patterns: one per phrase, labelled by its first row."""
        return [
            {"label": meanings[0][0], "pattern": phrase, "id": meanings[0][1]}
            for phrase, meanings in sorted(self.index.items())
        ]

    def meanings(self, text: str) -> list[tuple[str, str]]:
        return self.index.get(text.lower().strip(), [])


def load_terms(path: Path) -> DomainTerms:
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            label = (row.get("label") or "").strip().upper()
            canonical = (row.get("canonical") or "").strip().lower()
            if label not in LABELS or not canonical:
                raise ValueError(
                    f"{path}:{line}: label must be one of {sorted(LABELS)} and canonical non-empty"
                )
            for phrase in (row.get("synonyms") or canonical).split("|"):
                phrase = phrase.strip().lower()
                if phrase and (label, canonical) not in index[phrase]:
                    index[phrase].append((label, canonical))
    return DomainTerms(dict(index))
