"""Words of report texts as the rules compare them: one tokeniser, one stemmer, one list of words
that identify nothing. The claim check (claims.py) and the matching details
(backend/worker/worker/details.py) both read reports through `content_terms`, so "engraved" and
"engraving", "J.K." and "JK" are one detail everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType

# Letters and digits of any script ("é", "ß"); "_" is not a letter.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Function words (English and Dutch) and what every report says, how it was lost, found or handed
# in ("handed in at the desk by staff"); none identifies an object.
STOP_WORDS = frozenset(
    """
    a am an and are as at be been but by do for from go had has have he her his i if in is it
    its me my no of on or our she so that the their there them they this to up us was we were
    what when where which who with you your lost found left near around somewhere someone
    picked dropped last seen missing please contact thanks one some little small big very
    about after also back could into just over under would really other inside outside item
    thing things think maybe probably handed brought desk staff reception
    de het een en van in is op te dat die met voor zijn niet aan er maar om ook als bij of
    uit nog wel naar dan dit mijn je ik we wij hij zij ze was heb heeft hebben geen kan
    verloren gevonden kwijt ergens iets afgegeven ingeleverd balie
    """.split()
)


def tokens(text: str) -> list[str]:
    """The words of `text`, case-folded, in order."""
    return _WORD.findall(text.casefold())


_VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """One form for a word's inflections and derivations, so that either report's choice matches:
    "stickers"/"sticker", "engraved"/"engraving"/"engrave", "shoes"/"shoe", "glasses"/"glass",
    "batteries"/"battery", "taped"/"tape", "zipped"/"zip", "muddy"/"mud". Both reports' words go
    through it, so a stem need not be a word ("engrav"), only the same for every form."""
    # Plurals and third persons first ("watches", "keys"; never "glass" or "bus").
    if word.endswith("ies") and len(word) >= 5:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
        word = word[:-1]
    for suffix in ("ing", "ed", "er", "ly"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    # What a suffix leaves behind, or a form without one has: "tape"/"taped", "muddy"/"mud".
    if len(word) >= 4 and (word[-1] == "e" or (word[-1] == "y" and word[-2] not in _VOWELS)):
        word = word[:-1]
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]  # "zipp(ed)", "mudd(y)", "glass"
    return word


# Matching reads a stored report's words each time it is a candidate: remembered per process.
@lru_cache(maxsize=20_000)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed content words of `text`; a run of single letters is read as initials ("J.K." and
    "JK" are both "jk"); single digits and function words are left out."""
    return frozenset(term_words(text))


@lru_cache(maxsize=20_000)
def term_words(text: str) -> Mapping[str, str]:
    """`content_terms` of `text`, each with the word it was first read from ("flower" for the term
    "flow"; initials for themselves): what a term means, where its stem is not a word."""
    terms: dict[str, str] = {}
    initials = ""
    for token in [*tokens(text), ""]:
        if len(token) == 1 and token.isalpha():
            initials += token
            continue
        if len(initials) >= 2:
            terms.setdefault(initials, initials)
        initials = ""
        if len(token) > 1 and token not in STOP_WORDS:
            terms.setdefault(stem(token), token)
    return MappingProxyType(terms)


# What says the word after it is not there ("no case", "without a bag", "in no case"; a Dutch
# desk's "geen" and "zonder" as the rewrite reads them), with only a small word between.
_DENIAL = re.compile(
    r"\b(?:no|not|without|geen|zonder)\s+(?:(?:a|an|the|any|een|de|het)\s+)?([^\W\d_]{2,})\b",
    re.UNICODE,
)


@lru_cache(maxsize=20_000)
def negated_terms(text: str) -> frozenset[str]:
    """The content terms `text` says are not there ("no case", "hood without fur"), as
    `content_terms` stems them: a detail one report has and the other denies is no shared one."""
    found = (match.group(1) for match in _DENIAL.finditer(text.casefold()))
    return frozenset(stem(word) for word in found if word not in STOP_WORDS)


@lru_cache(maxsize=20_000)
def compounds(text: str) -> Mapping[str, frozenset[str]]:
    """Each compound of `text` written open or hyphenated, as the term it is when written closed
    ("lunch box" and "lunchbox", "key ring" and "keyring", "make-up" and "makeup"), with the
    content terms of its halves: a reader of two reports sees one detail where one writes it
    closed and the other open. Two words apart make a compound only where neither is a function
    word ("a lunch" is none); hyphenated, always."""
    folded = text.casefold()
    words = list(_WORD.finditer(folded))
    joined: dict[str, frozenset[str]] = {}
    for first, second in pairwise(words):
        a, b = first.group(), second.group()
        between = folded[first.end() : second.start()]
        hyphenated = between == "-"
        if not (a.isalpha() and b.isalpha()) or len(a) + len(b) < 6:
            continue
        if not (hyphenated or (between.isspace() and a not in STOP_WORDS and b not in STOP_WORDS)):
            continue
        halves = frozenset(stem(w) for w in (a, b) if len(w) > 1 and w not in STOP_WORDS)
        if halves:
            joined.setdefault(stem(a + b), halves)
    return MappingProxyType(joined)
