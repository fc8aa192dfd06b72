"""The second pass's reading of two reports' words: identifying details (what is rare among
near-twins, spelt either side's way) and place names. Only the shortlist is read this way."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from backend.common.words import compounds, content_terms, negated_terms, term_words, tokens

MIN_DETAIL_POOL = 3
# What backend/worker/word_vectors made of the packaged MiniLM at build time (a resource).
PACKAGED_WORD_VECTORS = Path(__file__).resolve().parent.parent / "word_vectors" / "word-vectors"
# Two words whose vectors are at least this close name one detail ("photo", "picture"): the
# least 0.05 step a 0.05 margin above every pair of words in tests/test_details.py that tell
# objects apart (animals, materials, parts: "plastic"/"metal" 0.69), so a near-twin's other
# detail is not read as the owner's. Colours, numbers, sides and the like have no vector.
SAME_MEANING = 0.75


@dataclass(frozen=True)
class WordVectors:
    """MiniLM's vector of each word a detail may use (L2-normalised; float16 in the file, float32
    in memory: widening each gathered row cost matching more than the 17 MB it saves)."""

    rows: Mapping[str, int]
    vectors: np.ndarray

    @classmethod
    def load(cls, folder: Path) -> WordVectors:
        words, vectors = _opened(folder)
        return cls({word: row for row, word in enumerate(words)}, vectors.astype(np.float32))

    def of(self, words: Sequence[str]) -> np.ndarray:
        rows = np.fromiter((self.rows[word] for word in words), dtype=np.intp, count=len(words))
        return self.vectors[rows]


@cache
def packaged_word_vectors() -> WordVectors:
    return WordVectors.load(PACKAGED_WORD_VECTORS)


def word_vectors_readable(folder: Path | None = None) -> bool:
    """The table's files are there and agree, read as far as their headers: what readiness asks,
    in the probe's own short-lived process, without reading the 16 MB."""
    try:
        _opened(folder or PACKAGED_WORD_VECTORS)
    except (OSError, ValueError):
        return False
    return True


def _opened(folder: Path) -> tuple[list[str], np.ndarray]:
    words = (folder / "words.txt").read_text().split()
    vectors = np.load(folder / "vectors.npy", mmap_mode="r")  # its data read only when used
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"{folder}: {len(words)} words but vectors of shape {vectors.shape}")
    return words, vectors


def detail_scores(
    query_text: str,
    candidate_texts: Sequence[str],
    said_elsewhere: frozenset[str] = frozenset(),
    vectors: WordVectors | None = None,
) -> np.ndarray:
    """How much of what is rare among these reports the query shares with each candidate.

    Weights are inverse document frequencies over the query and these candidates (the best few
    for it): words all of them share ("black", "wallet", the place) weigh little, and what tells
    near-twins apart ("engraved", "sticker", initials) weighs most. A word of five letters or
    more counts as shared with one a letter away ("sticker", "stciker"): what misspellings the
    taxonomy cannot correct, the other report's words can. A word the other report does not use
    counts as shared, at the weight of both words, with the other's word of the same meaning
    (`SAME_MEANING`: "photo of a dog" / "dog picture"). A term one report has and the other
    denies ("in a pink case" / "no case", words.negated_terms) counts against, at its weight:
    the score may fall below 0. A cosine of idf-weighted word sets
    (backend/common/words.py); NaN when the query has no content word, or when there are too
    few candidates to tell what is rare (then there are no near-twins to tell apart either).
    Terms in `said_elsewhere` are left out: what other features compare already (the kind of
    object, its colour, its brand, in any of their words: rules.attribute_terms), so that which
    word a report chose for them ("computer", "laptop") does not pass for a detail.
    """
    vectors = vectors or packaged_word_vectors()
    query_words = term_words(query_text)
    query = content_terms(query_text) - said_elsewhere
    words_of = [term_words(text) for text in candidate_texts]
    documents = [content_terms(text) - said_elsewhere for text in candidate_texts]
    if not query or len(documents) < MIN_DETAIL_POOL:
        return np.full(len(documents), np.nan)
    # Each candidate's words as the query spells them: a compound written open or closed
    # ("lunch box", "lunchbox"), and where one letter is all that differs.
    opened = compounds(query_text)
    documents = [
        _as_spelt(query, _compounds_as_spelt(query, opened, text, document))
        for text, document in zip(candidate_texts, documents, strict=True)
    ]
    frequency = Counter(term for document in [query, *documents] for term in document)
    total = len(documents) + 1
    idf = {term: math.log((total + 1) / (n + 0.5)) for term, n in frequency.items()}
    query_norm = math.sqrt(sum(idf[t] ** 2 for t in query))
    norms = np.array([math.sqrt(sum(idf[t] ** 2 for t in d)) for d in documents], dtype=float)
    denied = negated_terms(query_text)
    denials = [negated_terms(text) for text in candidate_texts]
    shared = np.array(
        [
            sum(idf[t] ** 2 * (-1 if (t in denied) != (t in theirs) else 1) for t in query & d)
            for d, theirs in zip(documents, denials, strict=True)
        ],
        dtype=float,
    )
    shared += _shared_in_other_words(
        query_words, query, words_of, documents, idf, vectors, denied, denials
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, shared / (query_norm * norms), 0.0)


def _shared_in_other_words(
    query_words: Mapping[str, str],
    query: frozenset[str],
    words_of: Sequence[Mapping[str, str]],
    documents: Sequence[frozenset[str]],
    idf: Mapping[str, float],
    vectors: WordVectors,
    denied: frozenset[str],
    denials: Sequence[frozenset[str]],
) -> np.ndarray:
    """For each candidate: idf(mine) * idf(theirs) over my words it does not use that have a
    word of its own at least SAME_MEANING close (the closest, where several are); no word
    either denies (`denied`: mine; `denials`: each candidate's)."""
    meant = [t for t in query - denied if query_words[t] in vectors.rows]
    theirs = [
        [t for t in document - query - refused if words.get(t) in vectors.rows]
        for document, words, refused in zip(documents, words_of, denials, strict=True)
    ]
    bonus = np.zeros(len(documents))
    flat = [words[t] for terms, words in zip(theirs, words_of, strict=True) for t in terms]
    if not meant or not flat:
        return bonus
    # One product of my words with every word the candidates use (near-twins share most);
    # most pairs fall short, read per candidate only where one does not.
    column_of: dict[str, int] = {}  # each distinct word once
    each = [column_of.setdefault(word, len(column_of)) for word in flat]
    mine = vectors.of([query_words[t] for t in meant])
    closeness = (mine @ vectors.of(list(column_of)).T)[:, each]
    starts = np.cumsum([0, *(len(terms) for terms in theirs)])
    some = [index for index, terms in enumerate(theirs) if terms]
    nearest = np.maximum.reduceat(closeness, starts[some], axis=1)
    for row, column in zip(*np.nonzero(nearest >= SAME_MEANING), strict=True):
        index = some[column]
        term = meant[row]
        if term in documents[index]:
            continue  # shared as written
        best = int(np.argmax(closeness[row, starts[index] : starts[index + 1]]))
        bonus[index] += idf[term] * idf[theirs[index][best]]
    return bonus


def _compounds_as_spelt(
    query: frozenset[str],
    opened: Mapping[str, frozenset[str]],
    text: str,
    document: frozenset[str],
) -> frozenset[str]:
    """A candidate's terms with its compounds written as the query writes them (`opened`: the
    query's own compounds, words.compounds): its open "lunch box" as the query's "lunchbox", its
    closed "keyring" as the query's "key ring"."""
    spelt = set(document)
    for joined, halves in compounds(text).items():
        if joined in query and joined not in document:
            spelt = (spelt - halves) | {joined}
    for term in document - query:
        halves = opened.get(term, frozenset()) & query
        if halves:
            spelt = (spelt - {term}) | halves
    return frozenset(spelt)


def _as_spelt(query: frozenset[str], document: frozenset[str]) -> frozenset[str]:
    long = [term for term in query if len(term) >= 5]
    if not long:
        return document
    spelt: set[str] = set()
    for term in document:
        if term in query or len(term) < 5:
            spelt.add(term)
            continue
        near = extractOne(term, long, scorer=OSA.distance, score_cutoff=1)
        spelt.add(near[0] if near else term)
    return frozenset(spelt)


PLACE_STOP_WORDS = frozenset(
    {"the", "a", "an", "at", "in", "on", "near", "by", "of", "to", "from", "station", "de", "het"}
)


def place_agreement(mine: Sequence[str], theirs: Sequence[str]) -> float | None:
    """Two reports' place names (each may name several: a journey's ends): 0.5-1 as the words of
    the best pair overlap, None (unknown) when either names none or no pair shares a word:
    people name one place in many ways ("Amsterdam Centraal", "the central station"), so
    different names prove nothing."""
    best: float | None = None
    for a in mine:
        words_a = set(tokens(a)) - PLACE_STOP_WORDS
        for b in theirs:
            words_b = set(tokens(b)) - PLACE_STOP_WORDS
            shared = words_a & words_b
            if shared:
                value = 0.5 + 0.5 * len(shared) / len(words_a | words_b)
                best = value if best is None else max(best, value)
    return best
