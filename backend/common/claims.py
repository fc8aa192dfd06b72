"""The claim check: does an answer show what only the item's owner, or only its holder, can know?

Two answers are judged, once each, when the finder gives their proof (models/match.py):
- the finder's **proof** (what only the item in hand shows) against the owner's **private
  details** (control characteristics: an engraving, the contents, a serial number), which the
  owner wrote before seeing any proof;
- the owner's private details (their **claim**) against what the finder knows privately: the
  proof and the found report's private details.

A secret is only what no one else could read: the private details and identifiers. Never the
description (matching reads it, and match scores could hint at it), and never a word of any
public view of the reports involved, nor a synonym of one (a public "wallet" makes "purse"
public too). An answer is judged on what it gets wrong as well as what it gets right, so a
list of guesses ("keys, wallet, charger, stickers, cards") does not pass. What a text says is
not there ("no case") is read as such: naming what the other denies, or denying what it has, is
wrong; two denials that agree prove nothing (most things lack most things). Whatever the checks
cannot verify, a person decides, visibly: the owner reads the proof, the finder the claim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from backend.common.taxonomy import Taxonomy
from backend.common.words import content_terms, negated_terms

# An answer passes if at most this many of the things it names are wrong for each right one:
# one guess in three may be right by luck, not one in ten.
MAX_MISSES_PER_HIT = 2

# Words anyone would use about any item: neither right nor wrong in an answer.
NEUTRAL = frozenset(
    content_terms(
        """
        black blue brown colour color dark green grey gray light pink purple white yellow orange
        silver gold red beige large normal side front top bottom new old used worn bit
        zwart blauw bruin groen grijs wit geel oranje roze paars rood zilver goud
        """
    )
)

# Serial numbers, IMEIs, frame numbers: compared as letters and digits only.
MIN_IDENTIFIER_CHARS = 6
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def normalised_identifier(value: str | None) -> str | None:
    """An identifier as compared ("wbk-1234 56" -> "WBK123456"); None if too short to be one."""
    if not value:
        return None
    plain = _NOT_ALNUM.sub("", value.upper())
    return plain if len(plain) >= MIN_IDENTIFIER_CHARS else None


def identifier_key(value: str | None) -> str | None:
    """What the database stores to find reports with the same identifier: its SHA-256."""
    plain = normalised_identifier(value)
    return hashlib.sha256(plain.encode()).hexdigest() if plain else None


def names_identifier(answer: str, identifier: str | None) -> bool:
    """Whether `answer` contains the identifier (spaces and dashes aside)."""
    plain = normalised_identifier(identifier)
    return plain is not None and plain in _NOT_ALNUM.sub("", answer.upper())


def public_terms(texts: Iterable[str | None], vocabulary: Taxonomy | None = None) -> set[str]:
    """Every term a reader of these public texts knows, with the taxonomy's synonyms of each
    category, colour and brand they name."""
    terms: set[str] = set()
    for text in texts:
        if not text:
            continue
        terms |= content_terms(text)
        if vocabulary is not None:
            for phrase in vocabulary.synonyms_in(text):
                terms |= content_terms(phrase)
    return terms


@dataclass(frozen=True)
class Verdict:
    """What an answer got right (`hits`) and wrong (`misses`) of a secret, and whether it named
    the item's identifier."""

    hits: frozenset[str]
    misses: frozenset[str]
    identifier: bool = False

    @property
    def verified(self) -> bool:
        if self.identifier:
            return True
        return bool(self.hits) and len(self.misses) <= MAX_MISSES_PER_HIT * len(self.hits)


def judge(
    answer: str,
    secret: Iterable[str | None],
    public: set[str],
    identifiers: Iterable[str | None] = (),
) -> Verdict:
    """Judge `answer` against the `secret` texts; `public` (from public_terms) is known to
    everyone, so it counts neither way."""
    hidden = set().union(*(_present_terms(text) for text in secret if text)) - public
    named = _present_terms(answer) - public - NEUTRAL
    denied = negated_terms(answer) - public - NEUTRAL
    return Verdict(
        hits=frozenset(named & hidden),
        misses=frozenset((named - hidden) | (denied & hidden)),
        identifier=any(names_identifier(answer, value) for value in identifiers),
    )


def _present_terms(text: str) -> frozenset[str]:
    """The terms `text` says the item has: its content terms but those it denies ("no case")."""
    return content_terms(text) - negated_terms(text)
