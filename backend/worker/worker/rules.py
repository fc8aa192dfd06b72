"""Matching rules that need no database: the text that stands for a report, its canonical values,
the time window, which match records are its candidates, the place and the text that identify
an object. The worker applies them to stored items (SQL narrows first, for speed);
research/experiments/matching applies them to its data sets, so both measure one set of rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from backend.common import match_record
from backend.common.geo import haversine_km
from backend.common.match_record import category_code
from backend.common.taxonomy import Taxonomy, taxonomy
from backend.common.words import content_terms
from backend.worker.worker.details import detail_scores

# How a report's text is made: changing it changes every embedding, so it is part of the digest
# enrichment keeps. ENRICHMENT_VERSION is bumped with it, with the match record's layout, or
# with what goes into the record (3: a typed colour's parts are not the object's colours; 4:
# Dutch compounds in any text, diminutives, a larger glossary, instruments, sports, medical aids
# and baby things; 5: brands a desk writes in the text, and phrases with accented letters,
# "fjällräven"; 6: a desk's shortening that keeps some vowels, "RUCKSK", diminutives of
# borrowed words, "setje", desk words in the glossary, and locks; 7: a category read from a text
# that names several groups does not decide who reaches the report, and names a desk writes are
# never corrected, "JANSEN"; 8: Dutch read from its compounds, "boekentas", and an English word
# not split into short Dutch ones, "tracksuit"; a Belgian desk's words, speakers, drones,
# briefcases, skin-coloured and rose gold, codes joined by a slash, "WHT/BLU", and a shade the
# text names holding the typed colour is the object's; 9: a place's name names no colour,
# brand or kind, "Bethnal Green"; 10: a colour named of a part, "a white tick logo", is the
# part's; 11: "&" read as "and", "M&S"; hair straighteners, dryers and shavers): reports
# enriched before are enriched again (sweep.sweep_pending).
TEXT_RECIPE = "rewrite/2"
ENRICHMENT_VERSION = 11


def report_text(
    title: str,
    description: str | None,
    colour: str | None,
    brand: str | None,
    category: str | None,
    vocabulary: Taxonomy,
) -> str:
    """The text that stands for the report: what the person wrote plus the typed fields, as
    matching reads it (codes written out, Dutch in English, misspellings corrected)."""
    parts = [title, description, colour, brand, category]
    written = ". ".join(part.strip() for part in parts if part and part.strip())
    return vocabulary.rewrite(written).text


def merged_attributes(
    extracted: Mapping[str, Sequence[str]],
    vocabulary: Taxonomy,
    *,
    colour: str | None,
    brand: str | None,
    category: str | None,
    text: str = "",
    place: str | None = None,
) -> dict[str, Any]:
    """What the reporter typed, then what the text names (the taxonomy reads `text`, NLP's
    entities add places and dates), as canonical values, typed first; a typed value the taxonomy
    does not know is kept lower-cased. A place's name (typed as `place`, or one NLP found) names
    no colour, brand or kind of object: "near Bethnal Green" is not green, "Camden Lock" no lock.

    A typed colour the taxonomy knows is the object's colour: the colours the text names beside
    it are of its parts ("silver keys with a blue tag") and go to `part_colours`, not
    `colours`, which matching compares (a blue key is not silver keys). A shade the text names
    whose declared set holds the typed colour is the object's too: the owner picked the nearest
    plain colour for it ("pink" for rose gold, "blue" for navy). A container's are kept: they
    are of what it held ("a black backpack with a red wallet in it"), which a desk may register
    alone."""
    attributes: dict[str, Any] = {key: list(values) for key, values in extracted.items()}
    names = _place_names(vocabulary, place, *extracted.get("places", ()))
    read, places = _without(names, text), " . ".join(names)
    typed_colours: list[str] = []
    shades: list[list[str]] = []  # the text's colour phrases, read once
    for label, key, typed in (
        ("COLOUR", "colours", colour),
        ("BRAND", "brands", brand),
        ("CATEGORY", "categories", category),
    ):
        given = vocabulary.canonical(label, typed)
        phrases = vocabulary.phrases(label, read)
        if key == "colours":
            typed_colours, shades = given, phrases
        if not given and typed and typed.strip():
            given = [typed.strip().lower()]
        in_text = [value for phrase in phrases for value in phrase]
        # What NLP read in a place's name alone is dropped; it read the same text.
        of_places = {v for *_, values in vocabulary.spans(label, places) for v in values}
        from_nlp = [v for v in attributes.get(key, []) if v in in_text or v not in of_places]
        named = [*in_text, *from_nlp]
        attributes[key] = given + [value for value in dict.fromkeys(named) if value not in given]
    category = first_known_category(attributes["categories"], vocabulary)
    if vocabulary.group(category) in CONTAINERS:
        return attributes
    if typed_colours:
        shades = [s for s in shades if set(s) & set(typed_colours)]
        own = list(dict.fromkeys([*typed_colours, *(colour for s in shades for colour in s)]))
    else:
        of_parts = _colours_of_parts(read, vocabulary)
        own = [c for c in attributes["colours"] if c not in of_parts]
    attributes["part_colours"] = [c for c in attributes["colours"] if c not in own]
    attributes["colours"] = own
    return attributes


# What a colour named just before is the colour of a part, not of the object ("a white tick
# logo", "blue and white roundel badge", "with a red tag"); the object's own colour comes first
# ("Black hoodie with a white tick logo"). Not a pattern's ("red and green stripes"): that is
# how the object looks.
PART_NOUNS = frozenset(
    """
    logo logos badge badges emblem crest roundel tick sticker stickers tag tags label labels
    strap straps band bands lettering letters writing zip zips zipper lining laces lace
    lanyard ribbon cord handle handles trim buttons button stitching fob keyring patch bobble
    """.split()
)


def _colours_of_parts(text: str, vocabulary: Taxonomy) -> set[str]:
    """The colours `text` names only of parts: a colour phrase whose next words, before any
    mark, are other colours and at most two more words, then a part's noun (PART_NOUNS)."""
    spans = vocabulary.spans("COLOUR", text)
    if not spans:  # as Taxonomy.phrases reads it
        text = vocabulary.rewrite(text).text
        spans = vocabulary.spans("COLOUR", text)
    pieces = vocabulary.pieces(text)
    at = _word_pieces(pieces)
    colour_words = {n for start, end, _ in spans for n in range(at[start], at[end - 1] + 1)}
    parts: set[str] = set()
    objects: set[str] = set()
    for _, end, values in spans:
        n, other = at[end - 1] + 1, 0
        while n < len(pieces) and (n in colour_words or pieces[n] in ("and", "-")):
            n += 1
        while n < len(pieces) and pieces[n][0].isalnum() and pieces[n] not in PART_NOUNS:
            other += 1
            n += 1
        of_a_part = n < len(pieces) and pieces[n] in PART_NOUNS and other <= 2
        (parts if of_a_part else objects).update(values)
    return parts - objects


def _word_pieces(pieces: Sequence[str]) -> list[int]:
    """Where each word of Taxonomy.words stands among Taxonomy.pieces (marks between)."""
    return [n for n, piece in enumerate(pieces) if piece[0].isalnum()]


def _place_names(vocabulary: Taxonomy, *names: str | None) -> list[str]:
    """The place names that are names, longest first: not those made of the taxonomy's words
    alone (NLP may read "Black Nike" as a place; "Bethnal Green" has a word of its own)."""
    labelled = [vocabulary.words_of(label) for label in ("COLOUR", "BRAND", "CATEGORY")]

    def a_name(name: str) -> bool:
        return any(all(w not in words for words in labelled) for w in vocabulary.words(name))

    kept = {name.strip() for name in names if name and name.strip() and a_name(name)}
    return sorted(kept, key=len, reverse=True)


def _without(places: Sequence[str], text: str) -> str:
    """`text` with each of these place names read as a stop (" . "): its words name nothing."""
    for place in places:
        text = re.sub(rf"(?<!\w){re.escape(place)}(?!\w)", " . ", text, flags=re.IGNORECASE)
    return text


_VEHICLES = "train|trains|bus|coach|tram|metro|underground|tube|ferry|boat|plane|flight|taxi"
_JOURNEY = re.compile(rf"\b({_VEHICLES})\b", re.IGNORECASE)
# A place's name as people write it: capitalised words, with the small words some names have
# inside ("Newcastle upon Tyne", "Bergen op Zoom"); not "on", which also starts a time ("Leeds on
# Monday").
_NAME = r"[A-Z][\w'\u2019-]*(?:\s+(?:(?:upon|op|aan|am|sur)\s+)?[A-Z][\w'\u2019-]*){0,3}"
_JOURNEY_ENDS = (
    # "from Utrecht Centraal", "to Eindhoven Centraal", "via Leiden", and the Dutch
    # "van Den Haag naar Leiden" as the rewrite reads it ("of Den Haag to Leiden").
    re.compile(rf"(?i:\b(?:from|to|towards|via))\s+({_NAME})"),
    re.compile(rf"(?i:\bof)\s+({_NAME})\s+(?i:to|towards)\s"),
    # "the York to Leeds train"
    re.compile(rf"({_NAME})\s+(?i:to)\s+{_NAME}\s+(?i:{_VEHICLES})\b"),
)


def is_journey(text: str) -> bool:
    """The report was lost on the way somewhere (a train, a bus): its place is a route, and a
    desk anywhere along it may hold the item."""
    return bool(_JOURNEY.search(text))


# Matching reads a stored report's text each time it is a candidate: remembered per process.
@lru_cache(maxsize=20_000)
def journey_ends(text: str) -> tuple[str, ...]:
    """The places a journey's report names as its ends ("on the train from Utrecht Centraal to
    Eindhoven Centraal"), where the desk that holds the item is; none if the text names no
    journey. spaCy's small model reads such names as people ("Eindhoven Centraal") or not at
    all ("York"), so the way a route is written says what they are."""
    if not is_journey(text):
        return ()
    ends = [match.group(1) for pattern in _JOURNEY_ENDS for match in pattern.finditer(text)]
    return tuple(dict.fromkeys(ends))


def first_known_category(categories: Iterable[str], vocabulary: Taxonomy) -> str | None:
    """The report's category: the first it names (typed first) that the taxonomy groups."""
    return next((c for c in categories if vocabulary.group(c)), None)


def unsure_group(
    attributes: Mapping[str, Any], typed_category: str | None, vocabulary: Taxonomy
) -> bool:
    """Whether the report's category group is a guess: nobody typed a category the taxonomy
    knows, and its text names categories of several groups. The first is its category, but what
    held the object ("Portemonneehoesje met Samsung telefoon": a phone in a wallet case), a
    part, or a misread word may come first; a report of any category it names then reaches it
    (CategoryCodes.reach), as "Recall first" asks."""
    if vocabulary.canonical("CATEGORY", typed_category):
        return False
    named = {vocabulary.group(category) for category in attributes.get("categories") or ()}
    return len(named - {None}) > 1


def canonical_values(
    attributes: Mapping[str, Any], vocabulary: Taxonomy, *, unsure: bool = False
) -> dict[str, Any]:
    """The report's canonical category, its colour (the first known of each) and the category's
    group, which candidates are looked up by: "" when unknown or `unsure` (unsure_group), so
    that every report's candidate query reads it."""
    category = first_known_category(attributes.get("categories", []), vocabulary)
    colour = next(iter(attributes.get("colours", [])), None)
    return {
        "canonical_category": category,
        "canonical_colour": colour,
        "match_group": "" if unsure else vocabulary.group(category) or "",
    }


def time_window(
    lost: bool, occurred_at: datetime, days_after_loss: float, days_before_loss: float
) -> tuple[datetime, datetime]:
    """When the other side's report may have happened: a find normally follows the loss (up to
    `days_after_loss`), and may precede the reported loss date by `days_before_loss`."""
    after, before = timedelta(days=days_after_loss), timedelta(days=days_before_loss)
    if lost:
        return occurred_at - before, occurred_at + after
    return occurred_at - after, occurred_at + before


# What holds other things: a report of one may be the same loss as a report of what was in it (a
# bag with a wallet and keys; the desk registers the wallet). Anything carried may be in a bag; a
# wallet holds documents and cards; a pet or a bicycle is in neither.
CONTAINERS = {"bag": None, "wallet": frozenset({"documents"})}
NOT_CARRIED = frozenset({"pet", "bicycle"})


def reachable_groups(
    group: str | None, mentioned: Iterable[str], vocabulary: Taxonomy
) -> frozenset[str] | None:
    """The category groups a report's candidates may have: its own, those of what it mentions
    (a bag's contents), and the containers it may have been in (CONTAINERS); None: any (the
    category is not known). Reports of groups beyond these (a dog, a laptop) are never the
    same object."""
    if group is None:
        return None
    named = {vocabulary.group(category) for category in mentioned}
    containers = [
        container
        for container, holds in CONTAINERS.items()
        if group not in NOT_CARRIED and (holds is None or group in holds)
    ]
    return frozenset({group, *containers, *(g for g in named if g)})


def place_names(
    typed: str | None, attributes: Mapping[str, Any] | None, journey_text: str = ""
) -> list[str]:
    """The places the report names: the one typed, those the NLP found in the text, and, for a
    report of a journey (its stored flag), the ends its text (`detail_text`) names."""
    names = [typed.strip()] if typed and typed.strip() else []
    names += [str(place) for place in (attributes or {}).get("places") or []]
    return list(dict.fromkeys([*names, *journey_ends(journey_text)]))


def detail_text(title: str, description: str | None, vocabulary: Taxonomy) -> str:
    """The words that may identify one object among near-twins, as matching reads them."""
    return vocabulary.rewrite(f"{title}. {description or ''}").text


# What ends a clause about one thing of several a text names: marks, and the words joining them.
_CLAUSE_ENDS = frozenset({".", ",", ";", ":", "(", ")", "!", "?", "and", "or", "plus"})
# Between two mentions of one thing, these end the first ("keys. ... The car keys"); a comma or
# a bracket does not ("my earbuds (white, one earbud missing)").
_MENTION_ENDS = _CLAUSE_ENDS - {",", "(", ")"}


def held_clauses(text: str, vocabulary: Taxonomy) -> dict[str, str]:
    """What a container's `text` (detail_text) says of each thing it names, by category: around
    each mention, back to where its clause starts (a mark, "and", or the thing named before:
    "a pink water bottle") and on up to where the clause of the next thing starts ("a padlock
    in it", "my earbuds (white, one earbud missing)"); its mentions' clauses joined ("Suitcase
    with keys. ... The car keys (VW, red tag) were in the front pocket")."""
    pieces = vocabulary.pieces(text)
    at = _word_pieces(pieces)
    # Each phrase as positions among the pieces; a mention repeated at once is one.
    mentions: list[tuple[int, int, set[str]]] = []
    for start, end, values in vocabulary.spans("CATEGORY", text):
        first, last = at[start], at[end - 1] + 1
        if (
            mentions
            and set(values) & mentions[-1][2]
            and not _MENTION_ENDS.intersection(pieces[mentions[-1][1] : first])
        ):
            mentions[-1] = (mentions[-1][0], last, mentions[-1][2] | set(values))
        else:
            mentions.append((first, last, set(values)))
    clauses: dict[str, list[str]] = {}
    for n, (first, last, named) in enumerate(mentions):
        before = mentions[n - 1][1] if n > 0 else 0
        start = first
        while start > before and pieces[start - 1] not in _CLAUSE_ENDS:
            start -= 1
        after = mentions[n + 1][0] if n + 1 < len(mentions) else len(pieces)
        end = after
        if n + 1 < len(mentions):  # the next thing's clause starts at its last mark or "and"
            while end > last and pieces[end - 1] not in _CLAUSE_ENDS:
                end -= 1
            end = end - 1 if end > last else after
        words = [piece for piece in pieces[start:end] if piece[0].isalnum()]
        for category in named:
            clauses.setdefault(category, []).extend(words)
    return {category: " ".join(words) for category, words in clauses.items()}


@dataclass(frozen=True)
class Holding:
    """One report of a pair held the other (a bag and the book in it): what the container's text
    says of that one thing (held_clauses), and whether the container is the report matched."""

    clause: str
    mine: bool


def holdings(
    own: str,
    texts: Sequence[str],
    categories: tuple[str | None, Sequence[str | None]],
    held: np.ndarray,
    vocabulary: Taxonomy,
) -> list[Holding | None]:
    """For each candidate where one of the pair held the other (`held`: CategoryCodes.contents
    is 1), what the container's text says of the thing held; None elsewhere, or where its text
    names that thing by no phrase of its category. `own`, `texts`: detail_text of my report and
    of the candidates; `categories`: mine and each candidate's."""
    mine, theirs = categories
    found: list[Holding | None] = [None] * len(texts)
    indices = np.flatnonzero(held).tolist()
    my_clauses = held_clauses(own, vocabulary) if indices else {}
    for k in indices:
        if (their := theirs[k]) and (clause := _clause_of(their, my_clauses, vocabulary)):
            found[k] = Holding(clause, mine=True)
        elif mine and (clause := _clause_of(mine, held_clauses(texts[k], vocabulary), vocabulary)):
            found[k] = Holding(clause, mine=False)
    return found


def _clause_of(category: str, clauses: Mapping[str, str], vocabulary: Taxonomy) -> str | None:
    """The clause about `category`, or about a category above or below it (a desk's
    "electronics", the owner's "tablet"; CategoryCodes.kin)."""
    if category in clauses:
        return clauses[category]
    kin = [
        clause
        for named, clause in clauses.items()
        if named in vocabulary.lineage(category) or category in vocabulary.lineage(named)
    ]
    return " ".join(kin) or None


def details_of_held(
    own: str,
    texts: Sequence[str],
    said_elsewhere: frozenset[str],
    held: Sequence[Holding | None],
) -> np.ndarray:
    """`detail_scores` of my text (`own`) against the candidates' `texts`, where one of a pair
    held the other also read on what the container's text says of that one thing (`held`:
    holdings): the better counts. A bag's text names many things, and the one its owner's
    details are about is diluted by the rest ("a tote with a library book (The Night Circus),
    my reading glasses and a charger" against "Library book 'The Night Circus'")."""
    scores = detail_scores(own, texts, said_elsewhere)
    by_clause: dict[str, list[int]] = {}  # a bag's many finds of one kind: one clause, one reading
    for k, holding in enumerate(held):
        if holding is not None and holding.mine:
            by_clause.setdefault(holding.clause, []).append(k)
    for clause, ks in by_clause.items():
        scores[ks] = np.fmax(scores[ks], detail_scores(clause, texts, said_elsewhere)[ks])
    # Candidates that held my report: each read as its clause about it, all in one reading.
    theirs = [k for k, holding in enumerate(held) if holding is not None and not holding.mine]
    if theirs:
        in_bags = [
            h.clause if h and not h.mine else text for h, text in zip(held, texts, strict=True)
        ]
        read = detail_scores(own, in_bags, said_elsewhere)
        scores[theirs] = np.fmax(scores[theirs], read[theirs])
    return scores


def held_colours(
    held: Sequence[Holding | None], vocabulary: Taxonomy
) -> tuple[np.ndarray, np.ndarray]:
    """The colours of each thing held as its container's text names them ("a pink water
    bottle"; a match_record colour mask, 0: none named), and whether the container is the report
    matched: a container's colour is its own, not its contents' (scoring.Refined)."""
    of_clause: dict[str, int] = {}
    for h in held:
        if h and h.clause not in of_clause:
            of_clause[h.clause] = match_record.attribute_mask(
                vocabulary.canonical("COLOUR", h.clause)
            )
    colours = [of_clause[h.clause] if h else 0 for h in held]
    mine = [bool(h and h.mine) for h in held]
    return np.array(colours, dtype=np.int64), np.array(mine, dtype=bool)


# The merged attributes' keys (merged_attributes) and the taxonomy label of each.
ATTRIBUTE_LABELS = (
    ("categories", "CATEGORY"),
    ("colours", "COLOUR"),
    ("part_colours", "COLOUR"),
    ("brands", "BRAND"),
)


def attribute_terms(attributes: Mapping[str, Any], vocabulary: Taxonomy) -> frozenset[str]:
    """The words (as details.py reads words) of every phrase for a report's kind of object, its
    colours and brands (merged_attributes: typed or named): a black wallet gives wallet, purse,
    black, dark ... Their own features compare them; as details they would only reward a report
    for the owner's choice of words. Categories of another group than the report's own are no
    kind of this object but what it held or showed (a bag's book, a phone's cat sticker): no
    feature compares those, so they stay details."""
    own = vocabulary.group(first_known_category(attributes.get("categories") or (), vocabulary))
    phrases: set[str] = set()
    for key, label in ATTRIBUTE_LABELS:
        for value in attributes.get(key) or ():
            if label == "CATEGORY" and own and vocabulary.group(value) not in (own, None):
                continue
            phrases |= {value, *vocabulary.phrases_of(label, value)}
    return content_terms(" ".join(sorted(phrases)))


class CategoryCodes:
    """The taxonomy's categories by their match-record code (match_record.category_code), for
    columns of candidates: their groups, how compatible each is with one category, and whether
    one report's category is among what the other mentions."""

    def __init__(self, vocabulary: Taxonomy) -> None:
        self.vocabulary = vocabulary
        self.category = {category_code(c): c for c in vocabulary.categories}
        self.bit = {code: match_record.attribute_mask([c]) for code, c in self.category.items()}
        # Each category's bits with those of the categories above and below it: a desk's
        # "electronics" is the "tablet" a bag's owner named, a "tablet" the bag's "electronics".
        self.kin = {
            code: match_record.attribute_mask(
                [c for c in vocabulary.categories if category in vocabulary.lineage(c)]
                + vocabulary.lineage(category)
            )
            for code, category in self.category.items()
        }
        self.group_codes: dict[str | None, list[int]] = {}
        for code, category in self.category.items():
            self.group_codes.setdefault(vocabulary.group(category), []).append(code)

    def _per_code(self, codes: np.ndarray, value: Any, dtype: Any) -> np.ndarray:
        unique, inverse = np.unique(codes, return_inverse=True)
        return np.array([value(self.category.get(int(c))) for c in unique], dtype=dtype)[inverse]

    def named(self, codes: Iterable[int]) -> list[str | None]:
        """Each code's category, None when unknown."""
        return [self.category.get(int(code)) for code in codes]

    def groups(self, codes: np.ndarray) -> np.ndarray:
        """Each code's category group, "" when unknown."""
        return self._per_code(codes, lambda c: self.vocabulary.group(c) or "", object)

    def known_as(self, code: int, mentions: int, unsure: bool = False) -> list[str]:
        """The categories a report is known by: its own, then those of the same group its text
        names (merged_attributes keeps a typed category first, so a desk's "rucksack" stands
        although its text says "handbag"), or of any group if its group is unsure
        (UNSURE_GROUP); [] when its category is unknown."""
        category = self.category.get(code)
        if category is None:
            return []
        siblings = self.category if unsure else self.group_codes[self.vocabulary.group(category)]
        return [
            category,
            *(self.category[c] for c in siblings if c != code and self.bit[c] & mentions),
        ]

    def compatibility(self, record: np.void, records: np.ndarray) -> np.ndarray:
        """How likely each record's category describes `record`'s object
        (Taxonomy.category_compatibility), NaN when either is unknown. Each side is read by
        every category it is known by (known_as), and the best agreement counts: a field typed
        broadly or wrongly ("jewellery", "rucksack") must not keep apart an owner's "watch" and
        a desk's "Apple watch, pink strap", or a "tote" and "Handbag left in taxi". A bag's
        contents are of other groups: `contents` reads those; a report whose group is unsure
        (UNSURE_GROUP) is read by every category it names, whatever their groups."""
        unsure = bool(int(record["flags"]) & match_record.UNSURE_GROUP)
        mine = self.known_as(int(record["category"]), int(record["mentions"]), unsure)
        if not mine:
            return np.full(len(records), np.nan)

        def best(other: str | None) -> float:
            found = [self.vocabulary.category_compatibility(a, other) for a in mine]
            known = [value for value in found if value is not None]
            return max(known) if known else np.nan

        result = self._per_code(records["category"].astype(np.int64), best, np.float64)
        # What their texts name can only raise agreement within my groups: exactly the records
        # that agree at all (another group's is 0, an unknown category NaN), and those whose
        # own group is unsure.
        readable = (result > 0) | ((records["flags"] & match_record.UNSURE_GROUP) != 0)
        mentions = records["mentions"].astype(np.int64)
        groups = dict.fromkeys(self.vocabulary.group(category) for category in mine)
        for code in (code for group in groups for code in self.group_codes[group]):
            named = readable & ((mentions & self.bit[code]) != 0)
            if named.any():  # most records name no sibling: no second pass over them
                result = np.where(named, np.fmax(result, best(self.category[code])), result)
        return result

    def reach(self, record: np.void, groups: Set[str], records: np.ndarray) -> np.ndarray:
        """Which records the report whose record is `record` reaches, its candidates being of
        `groups` (reachable_groups): those of one of them or of an unknown category, and those
        unsure of their group (UNSURE_GROUP) whose text names a category it is known by
        (known_as), by the records' mention bits (shared bits admit a few more, which the
        scoring reads). Not every category of its groups: a container's many would admit
        most unsure reports."""
        theirs = self.groups(records["category"])
        reached = (theirs == "") | np.isin(theirs, list(groups))
        mine = self.known_as(int(record["category"]), int(record["mentions"]))
        bits = match_record.attribute_mask(mine)
        unsure = (records["flags"] & match_record.UNSURE_GROUP) != 0
        named = (records["mentions"].astype(np.int64) & bits) != 0
        return np.asarray(reached | (unsure & named))

    def contents(self, record: np.void, records: np.ndarray) -> np.ndarray:
        """1 where one report's category, or one above or below it (`kin`), is among the
        categories the other mentions and the two are of different groups (a bag and the wallet
        in it), 0 where both categories are known otherwise, NaN where either is unknown."""
        mine = int(record["category"])
        if mine not in self.bit:
            return np.full(len(records), np.nan)
        theirs = records["category"].astype(np.int64)
        known = np.isin(theirs, list(self.bit))
        my_bit = self.kin[mine]
        their_bits = self._per_code(theirs, lambda c: self.kin.get(category_code(c), 0), np.int64)
        mentioned = ((records["mentions"].astype(np.int64) & my_bit) != 0) | (
            (their_bits & int(record["mentions"])) != 0
        )
        my_group = self.vocabulary.group(self.category[mine]) or ""
        other_group = self.groups(theirs) != my_group
        return np.where(known, (mentioned & other_group).astype(float), np.nan)


@cache
def category_codes(path: Path) -> CategoryCodes:
    return CategoryCodes(taxonomy(path))


def candidate_mask(
    record: np.void,
    lost: bool,
    groups: Set[str] | None,
    occurred_at: datetime,
    records: np.ndarray,
    *,
    days_after_loss: float,
    days_before_loss: float,
    max_distance_km: float,
    codes: CategoryCodes,
) -> np.ndarray:
    """Which of `records` (match records of the other kind) are candidates of the report whose
    record is `record`: in its time window; within `max_distance_km`, of unknown place, or either
    a journey; of a group it may be (reachable_groups, CategoryCodes.reach; None: any); not the
    report itself."""
    start, end = time_window(lost, occurred_at, days_after_loss, days_before_loss)
    days = records["occurred_days"]
    keep = (days >= match_record.days(start)) & (days <= match_record.days(end))
    keep &= records["id"] != record["id"]
    journey = bool(int(record["flags"]) & match_record.JOURNEY)
    if not np.isnan(record["latitude"]) and not journey:
        km = haversine_km(
            float(record["latitude"]),
            float(record["longitude"]),
            records["latitude"].astype(np.float64),
            records["longitude"].astype(np.float64),
        )
        travelled = (records["flags"] & match_record.JOURNEY) != 0
        keep &= np.isnan(km) | (km <= max_distance_km) | travelled
    if groups is not None:
        keep &= codes.reach(record, groups, records)
    return np.asarray(keep)
