"""One taxonomy of item categories, colours and brands, from a CSV a non-programmer can extend.

`terms.csv` columns: `label` (CATEGORY, COLOUR or BRAND), `canonical` (the value matching uses),
`broader` (CATEGORY only: the canonical category this one belongs to, e.g. backpack -> bag) and
`synonyms` (phrases separated by `|`, in English and Dutch: other words, plurals, shades, a
brand's logo). A phrase means one value of a label, or a set of them declared in one row whose
`canonical` names them all: `COLOUR,blue|black,,navy|...` ("navy" is blue and black, blue
first). A phrase may mean values of different labels: "iphone" is a brand (apple) and a category
(phone). A phrase is written as report text says it: letters of any alphabet, digits, `'` and
`-` ("fjällräven", "levi's"); other characters split it where spaCy does not ("h&m" is never
read: nlp/tests/test_entities.py reads every phrase); a brand's phrase of two words is read
written as one too ("northface"). Beside it, wording.py reads desk codes, a Dutch glossary and
the English words a spelling correction never touches: text is rewritten with them before it is
read here.

The NLP service tags these phrases in report text; the worker turns what a reporter typed into
canonical values and scores how compatible two categories are. Both read the same file
(`TAXONOMY_FILE`, default: the one packaged here).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from backend.common.taxonomy.wording import Rewrite, Wording, load_wording

PACKAGED_TERMS = Path(__file__).resolve().parent / "terms.csv"
LABELS = {"COLOUR": "colours", "BRAND": "brands", "CATEGORY": "categories"}

# Category compatibility, a score component: the same canonical category, or one the other's
# broader term ("bag" for a backpack, "jewellery" for a watch), or two kinds of one group
# (a backpack and a handbag). Categories of different groups (a dog and a laptop) are never the
# same object: matching excludes them before scoring.
SAME, BROADER_OR_NARROWER, SIBLINGS = 1.0, 0.75, 0.15

# Letters of any alphabet: "fjällräven", "crème" and "hermès" are words, not "fj llr ven".
_WORD = re.compile(r"[^\W_](?:[^\W_]|['-])*")
# The words, and the marks that end a clause, in order.
_PIECE = re.compile(rf"{_WORD.pattern}|[.,;:()!?]")


def _lowered(text: str) -> str:
    # "&" is read as "and": a typed "M&S" is the "m and s" the CSV can write (spaCy splits "&").
    return text.lower().replace("&", " and ")


def _normalise(text: str) -> str:
    return " ".join(_WORD.findall(_lowered(text)))


def _singular(word: str) -> str:
    """A plural the CSV does not list, made singular: "brollies" -> "brolly", "hats" -> "hat"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Taxonomy:
    # lower-cased phrase -> [(label, canonical), ...]
    index: dict[str, list[tuple[str, str]]]
    # category -> its broader category ("" for a group: a category with nothing above it)
    broader: dict[str, str]
    _longest: int = field(default=1, compare=False)
    wording: Wording | None = field(default=None, compare=False)

    def rewrite(self, text: str | None) -> Rewrite:
        """`text` as matching reads it: codes written out, Dutch in English, misspellings
        corrected (wording.py)."""
        if self.wording is None:
            return Rewrite(text or "", False)
        return self.wording.rewrite(text)

    # -- what a reporter typed or wrote, as canonical values ----------------------------------

    def meanings(self, phrase: str) -> list[tuple[str, str]]:
        return self.index.get(_normalise(phrase), [])

    def canonical(self, label: str, typed: str | None) -> list[str]:
        """Canonical values of one label in a typed field or a text, in order of appearance:
        the whole field first ("Card holder" -> wallet), else every known phrase in it, longest
        first ("my navy blue rucksack" -> backpack; blue, black)."""
        ordered: list[str] = []
        for values in self.phrases(label, typed):
            ordered.extend(value for value in values if value not in ordered)
        return ordered

    def phrases(self, label: str, typed: str | None) -> list[list[str]]:
        """The canonical values of each known phrase of one label, in order of appearance
        (`canonical` flattens them): "navy coat, silver zip" -> [[black, blue], [grey]]."""
        if not typed:
            return []
        found = self._phrases_of(label, typed)
        if found or self.wording is None:
            return found
        return self._phrases_of(label, self.rewrite(typed).text)

    def _phrases_of(self, label: str, text: str) -> list[list[str]]:
        return [values for _, _, values in self.spans(label, text)]

    def spans(self, label: str, text: str) -> list[tuple[int, int, list[str]]]:
        """Where each known phrase of one label stands in `text`, in order: its first word's
        index and the index after its last, among `text`'s words as the taxonomy reads them
        (`words`), with its canonical values."""
        words = self.words(text)
        return self._find(label, words) or self._find(label, [_singular(w) for w in words])

    @staticmethod
    def words(text: str) -> list[str]:
        """`text`'s words as phrases are looked up: lower case, without punctuation."""
        return _normalise(text).split()

    @staticmethod
    def pieces(text: str) -> list[str]:
        """`words`, with the marks that end a clause (".", ",", "(" ...) where they stand."""
        return _PIECE.findall(_lowered(text))

    def _find(self, label: str, words: list[str]) -> list[tuple[int, int, list[str]]]:
        whole = [c for lab, c in self.index.get(" ".join(words), []) if lab == label]
        if whole:
            return [(0, len(words), whole)]
        found: dict[int, tuple[int, list[str]]] = {}
        taken = [False] * len(words)
        for size in range(min(self._longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                for lab, value in self.index.get(" ".join(words[start : start + size]), []):
                    if lab == label:
                        found.setdefault(start, (start + size, []))[1].append(value)
                        taken[start : start + size] = [True] * size
        return [(start, found[start][0], sorted(found[start][1])) for start in sorted(found)]

    # -- categories ---------------------------------------------------------------------------

    def group(self, category: str | None) -> str | None:
        """The topmost category above `category` (itself for a group); None if unknown."""
        if not category or category not in self.broader:
            return None
        seen = set()
        while self.broader.get(category) and category not in seen:
            seen.add(category)
            category = self.broader[category]
        return category

    def lineage(self, category: str) -> list[str]:
        """`category` and every category above it, nearest first."""
        chain = [category]
        while (up := self.broader.get(chain[-1])) and up not in chain:
            chain.append(up)
        return chain

    def category_compatibility(self, a: str | None, b: str | None) -> float | None:
        """How likely two categories describe the same object; None when either is unknown,
        0 for different groups."""
        if a not in self.broader or b not in self.broader:
            return None
        if a == b:
            return SAME
        if a in self.lineage(b) or b in self.lineage(a):
            return BROADER_OR_NARROWER
        if self.group(a) == self.group(b):
            return SIBLINGS
        return 0.0

    @property
    def categories(self) -> list[str]:
        return sorted(self.broader)

    @property
    def groups(self) -> list[str]:
        """The categories with nothing above them."""
        return sorted(category for category, up in self.broader.items() if not up)

    # -- the NLP service's tagger --------------------------------------------------------------

    def synonyms_in(self, text: str) -> set[str]:
        """Every phrase that means what some category, colour or brand named in `text` means:
        a reader of "black wallet" knows "purse" and "dark" too."""
        phrases: set[str] = set()
        for label in LABELS:
            for value in self.canonical(label, text):
                phrases |= self.phrases_of(label, value)
        return phrases

    def words_of(self, label: str) -> frozenset[str]:
        """Every word of every phrase that stands for some value of `label` ("navy", "dark")."""
        return self._words.get(label, frozenset())

    @cached_property
    def _words(self) -> dict[str, frozenset[str]]:
        # Enrichment asks for every report: read once.
        words: dict[str, set[str]] = defaultdict(set)
        for phrase, meanings in self.index.items():
            for label, _ in meanings:
                words[label].update(phrase.split())
        return {label: frozenset(found) for label, found in words.items()}

    def phrases_of(self, label: str, canonical: str) -> set[str]:
        """The phrases that stand for `canonical` (of `label`)."""
        return set(self._phrases.get((label, canonical), ()))

    @cached_property
    def _phrases(self) -> dict[tuple[str, str], frozenset[str]]:
        # Matching asks for every report it compares: the index read backwards, once.
        phrases: dict[tuple[str, str], set[str]] = defaultdict(set)
        for phrase, meanings in self.index.items():
            for meaning in meanings:
                phrases[meaning].add(phrase)
        return {meaning: frozenset(found) for meaning, found in phrases.items()}

    def patterns(self) -> list[dict[str, str]]:
        """EntityRuler patterns: one per phrase, labelled by its first row."""
        return [
            {"label": meanings[0][0], "pattern": phrase, "id": meanings[0][1]}
            for phrase, meanings in sorted(self.index.items())
        ]


def load_taxonomy(path: Path = PACKAGED_TERMS) -> Taxonomy:
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    broader: dict[str, str] = {}
    # (label, phrase) -> the line that gave it a meaning: one row per phrase and label
    defined: dict[tuple[str, str], int] = {}
    rows: list[list[str]] = []  # phrases of each category and colour row (brands keep their names)
    brands: list[str] = []
    joined: list[tuple[str, list[str]]] = []  # a brand's phrase of two words, written as one
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            label = (row.get("label") or "").strip().upper()
            values = [v.strip().lower() for v in (row.get("canonical") or "").split("|")]
            if label not in LABELS or not all(values):
                raise ValueError(
                    f"{path}:{line}: label must be one of {sorted(LABELS)} and canonical non-empty"
                )
            if label == "CATEGORY":
                if len(values) > 1:
                    raise ValueError(f"{path}:{line}: a category is one value, not a set")
                broader[values[0]] = (row.get("broader") or "").strip().lower()
            phrases = []
            for phrase in (row.get("synonyms") or values[0]).split("|"):
                phrase = _normalise(phrase)
                if not phrase:
                    continue
                first = defined.setdefault((label, phrase), line)
                if first != line:
                    raise ValueError(
                        f"{path}:{line}: {phrase!r} already means something on line {first}; "
                        "a phrase that means several values is one row naming them all "
                        "(canonical: a|b)"
                    )
                for value in values:
                    if (label, value) not in index[phrase]:
                        index[phrase].append((label, value))
                phrases.append(phrase)
            if label != "BRAND":
                rows.append(phrases)
                continue
            brands.extend(phrases)
            joined.extend((phrase.replace(" ", ""), values) for phrase in phrases if " " in phrase)
    # A brand of two words is written as one too ("NORTHFACE"), unless a row names that.
    for phrase, values in joined:
        if ("BRAND", phrase) not in defined:
            defined[("BRAND", phrase)] = 0
            index[phrase].extend(("BRAND", value) for value in values)
            brands.append(phrase)
    unknown = sorted({up for up in broader.values() if up and up not in broader})
    if unknown:
        raise ValueError(f"{path}: broader categories without a row of their own: {unknown}")
    longest = max((len(phrase.split()) for phrase in index), default=1)
    wording = load_wording(path.parent, rows, brands)
    return Taxonomy(dict(index), broader, longest, wording)


@cache
def taxonomy(path: Path = PACKAGED_TERMS) -> Taxonomy:
    """The taxonomy in `path`, loaded once per process."""
    return load_taxonomy(path)
