"""Report text as people and desks type it, made readable for matching: desk codes and
abbreviations written out ("TAS ZW" -> "bag black"), Dutch translated word by word into English
("zwarte portemonnee gevonden" -> "black wallet found"), a word a desk cuts short in capitals read
as the one word it can be ("PORTEM" and "WLT" -> "wallet"), and misspelt words corrected to the
taxonomy's words ("umbrela" -> "umbrella", "broen" -> "brown") but never a real word ("table"
stays "table"). What a word means is the taxonomy's business (__init__.py): this module only
rewrites words so the taxonomy, the embedding model and the rare-word details can read them.

Its files sit beside terms.csv and, like it, anyone can extend them: `codes.csv` (a desk's
codes: `code,means,written` where `written` is `capitals` for codes that count only in capitals
and `any`), `glossary-nl.csv` (`nl,en`: Dutch words and their English), `english-words.txt`
(the English words no correction may touch; written by research/taxonomy/english_words.py),
`names.txt` (names a desk writes, "JANSEN": never corrected either).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

# A token: a word (letters, digits, inner hyphens and apostrophes, "w/"), or anything else.
_TOKEN = re.compile(r"[^\W_]+(?:[-'/][^\W_]+)*/?|[^\w\s]+|\s+|_+", re.UNICODE)
_WORDLIKE = re.compile(r"^[^\W_]", re.UNICODE)

# Words that say a text is English: a Dutch word among none of them makes it Dutch.
_ENGLISH = frozenset(
    """the a an and with of in on at to from for my his her is was are were it this that found
    lost left near behind inside some has have had our your their by""".split()
)


_VOWELS = frozenset("aeiou")

K = TypeVar("K")
V = TypeVar("V")

# Corrections remembered per process (a fuzzy search over the taxonomy's words: ~0.05 ms).
MEMO_SIZE = 100_000
# Whole texts too: matching reads a stored report again each time it is a candidate (~0.2 ms).
TEXT_MEMO_SIZE = 20_000


def _remembered(memo: dict[K, V], key: K, size: int, make: Callable[[], V]) -> V:
    """`memo[key]`, made once; a full memo starts again (a long-running worker meets endless new
    words and texts)."""
    if key not in memo:
        if len(memo) >= size:
            memo.clear()
        memo[key] = make()
    return memo[key]


def _in_order(letters: str, word: str) -> bool:
    """Each of `letters` in `word`, in this order ("wlt" in "wallet")."""
    rest = iter(word)
    return all(letter in rest for letter in letters)


def _consonants(word: str) -> str:
    """A word as a desk writes it without vowels: its first letter, then its consonants, a
    double letter once ("wallet" -> "wlt", "headphones" -> "hdphns")."""
    bare = word[0]
    for letter in word[1:]:
        if letter not in _VOWELS and letter != bare[-1]:
            bare += letter
    return bare


# Dutch diminutive endings. A glossary word is looked for by the longest first ("bloemetje":
# bloem); a word borrowed from English by the shortest ("tabletje": tablet, not table).
_DIMINUTIVES = ("etje", "tje", "pje", "kje", "je")
_BORROWED_DIMINUTIVES = ("je", "tje", "etje")


def _diminutive_base(word: str, words: Container[str], endings: Iterable[str]) -> str | None:
    """The word of `words` a Dutch diminutive is made of, trying `endings` in order:
    "bloemetje(s)" -> "bloem", "labeltje" -> "label", "hoesje" -> "hoes"."""
    singular = word[:-1] if word.endswith("jes") else word
    for ending in endings:
        base = singular[: -len(ending)]
        if singular.endswith(ending) and len(base) >= 3 and base in words:
            return base
    return None


def _halves(word: str) -> Iterator[tuple[str, str]]:
    """Each way `word` may be a Dutch compound, first half first: the halves, the first without
    its joining "s" or "en" ("fiets-bel", "boek-en-tas")."""
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        for joint in ("", "s", "en"):
            if joint and not head.endswith(joint):
                continue
            yield (head[: len(head) - len(joint)] if joint else head), tail


def _words_of(path: Path) -> set[str]:
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


@dataclass(frozen=True)
class Rewrite:
    """A text as matching reads it, and what was rewritten."""

    text: str
    dutch: bool
    changed: tuple[tuple[str, str], ...] = ()


@dataclass
class Wording:
    # code -> meaning, for codes that count only in capitals, and for any case
    capital_codes: dict[str, str]
    any_codes: dict[str, str]
    # Dutch word or phrase (lower case) -> English
    dutch: dict[str, str]
    # a taxonomy word -> the first word of its row ("portemonnee" -> "wallet")
    plain: dict[str, str]
    # English words: never corrected, never translated outside a Dutch text
    english: frozenset[str]
    # words a misspelling may be corrected to: the taxonomy's and the glossary's English
    targets: tuple[str, ...]
    # words a desk cuts short, and what each means: the taxonomy's, the glossary's Dutch, brands
    shortened: dict[str, str]
    # people's names (lower case): read as themselves unless a code or a word of the glossary
    names: frozenset[str] = frozenset()
    _memo: dict[tuple[str, bool | None], str | None] = field(default_factory=dict, compare=False)
    _texts: dict[str, Rewrite] = field(default_factory=dict, compare=False)
    # (word, what it means, its consonants) of each word a desk cuts short
    _bare: list[tuple[str, str, str]] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        self._bare = [(full, means, _consonants(full)) for full, means in self.shortened.items()]

    def rewrite(self, text: str | None) -> Rewrite:
        """`text` with codes written out, Dutch translated when the text is Dutch (or a word is
        Dutch and no word English), and misspellings corrected."""
        if not text:
            return Rewrite("", False)
        return _remembered(self._texts, text, TEXT_MEMO_SIZE, lambda: self._rewrite(text))

    def _rewrite(self, text: str) -> Rewrite:
        tokens = _TOKEN.findall(text)
        dutch = self.is_dutch(token.casefold() for token in tokens if _WORDLIKE.match(token))
        out: list[str] = []
        changed: list[tuple[str, str]] = []
        index = 0
        sentence_start = True
        while index < len(tokens):
            token = tokens[index]
            if not _WORDLIKE.match(token):
                out.append(token)
                if any(mark in token for mark in ".!?:;"):
                    sentence_start = True
                index += 1
                continue
            # A capitalised word within a sentence is a name (Den Haag, Leeds): never corrected.
            named = not sentence_start and token[:1].isupper() and token[1:].islower()
            sentence_start = False
            # Two-word Dutch phrases first ("laten liggen").
            if dutch and index + 2 < len(tokens) and tokens[index + 1].isspace():
                phrase = f"{token.casefold()} {tokens[index + 2].casefold()}"
                if phrase in self.dutch:
                    out.append(self.dutch[phrase])
                    changed.append((f"{token} {tokens[index + 2]}", self.dutch[phrase]))
                    index += 3
                    continue
            word = self.word(token, dutch, correct=not named)
            if word != token:
                changed.append((token, word))
            out.append(word)
            index += 1
        return Rewrite("".join(out), dutch, tuple(changed))

    def is_dutch(self, words: Iterable[str]) -> bool:
        """A Dutch word (not also English) and at least as many of them as English words.
        A desk's Dutch is mostly nouns run together and its small words are English too ("met",
        "en"), so a word made of Dutch words counts: "boekentas", "damesfiets", "naamlabeltje"."""
        english = dutch = 0
        for word in words:
            english += word in _ENGLISH
            dutch += word not in self.english and (word in self.dutch or self._made_of_dutch(word))
        return dutch >= 1 and dutch >= english

    def _made_of_dutch(self, word: str) -> bool:
        """A diminutive of a glossary word, or a compound of two words with a Dutch meaning
        and neither English: not "tracksuit" or "achterberg" (a name)."""
        if _diminutive_base(word, self.dutch, _DIMINUTIVES) is not None:
            return True
        return any(
            stem not in self.english
            and tail not in self.english
            and self._meaning(stem, True) is not None
            and self._meaning(tail, True) is not None
            for stem, tail in _halves(word)
        )

    def word(self, token: str, dutch: bool, *, correct: bool = True) -> str:
        """One word as matching reads it; the token itself when nothing applies."""
        if token in self.capital_codes:
            return self.capital_codes[token]
        lower = token.casefold()
        if lower in self.any_codes:
            return self.any_codes[lower]
        if "/" in token.rstrip("/"):  # a desk's "WHT/BLU", "ZW/WT": each word read alone
            return "/".join(self.word(part, dutch, correct=correct) for part in token.split("/"))
        meaning = self._meaning(lower, dutch)
        if meaning is not None:
            return meaning
        if lower in self.names:  # "JANSEN", the name on the card: no misspelt "jassen" (coats)
            return token
        # In Dutch, a diminutive of a word borrowed from English is that word ("setje": a set),
        # not a misspelling of a taxonomy word ("petje": a cap). Whole words only: inside a
        # compound, "bloemetjeshoesje" is not "bloemetje" and "shoes"; never a name ("Antje").
        borrowed = (
            dutch
            and correct
            and lower not in self.english
            and _diminutive_base(lower, self.english, _BORROWED_DIMINUTIVES)
        )
        if borrowed:
            return borrowed
        if correct and token.isupper() and lower not in self.english:
            # Remembered beside the corrections, under (word, None).
            expanded = _remembered(
                self._memo, (lower, None), MEMO_SIZE, lambda: self._expansion(lower)
            )
            if expanded is not None:
                return expanded
        # A compound also in an English text: a desk's "TEL BL, glitterhoesje" is not Dutch
        # enough to be read as Dutch, but its one long word is.
        if (dutch or (correct and lower not in self.english)) and (
            split := self._compound(lower, dutch)
        ) is not None:
            return split
        if not correct or lower in self.english or lower in self.plain:
            return token
        if not lower.isalpha() or len(lower) < 4:
            return token
        corrected = _remembered(
            self._memo, (lower, dutch), MEMO_SIZE, lambda: self._correction(lower, dutch)
        )
        if corrected is None:
            return token
        return corrected

    def _meaning(self, word: str, dutch: bool) -> str | None:
        """The English of a Dutch word (in a Dutch text, or a word English does not have), or
        the plain word of a taxonomy word the English list lacks: "rugzak" is "backpack", and
        so are English words too rare for that list ("brolly" is "umbrella", "earbuds"
        "headphones", "tote" "handbag"; the list is MiniLM's whole words)."""
        foreign = word not in self.english
        if word in self.dutch and (dutch or foreign):
            return self.dutch[word]
        if foreign and (base := _diminutive_base(word, self.dutch, _DIMINUTIVES)) is not None:
            return self.dutch[base]
        if foreign and word in self.plain and self.plain[word] != word:
            return self.plain[word]
        return None

    def _expansion(self, word: str) -> str | None:
        """What a desk's shortened word in capitals means, if it can mean one thing only: the
        start of a word ("PORTEM": portemonnee, "HOOFDTEL": hoofdtelefoon, "ADID": adidas);
        written without its vowels, most of its consonants in order ("WLT": wallet, "BKPK":
        backpack); or, with some of them, most of its letters in order ("RUCKSK": rucksack,
        "SLEUTLS": sleutels). None when it fits words of two meanings ("SAMS": samsung or
        samsonite)."""
        if len(word) < 3 or not word.isalpha():
            return None
        meanings = {means for full, means in self.shortened.items() if full.startswith(word)}
        if not meanings and len(word) >= 4 and any(letter in _VOWELS for letter in word[1:]):
            meanings = self._best_fits(word, ((means, full) for full, means, _ in self._bare))
        elif not meanings and not any(letter in _VOWELS for letter in word[1:]):
            letters = _consonants(word)
            if len(letters) < 3:  # "PTT", "GGD": a name, not pet or goud
                return None
            # Most of a word's consonants ("WLT" is wallet, "wlt", not wandelstok, "wndlstk"),
            # and of the words it fits, those it fits best ("LPTP": laptop, not laptoptas).
            # Three letters are mostly a name ("TFL", "KPN", "CRS"): only all the consonants of
            # an item's or a colour's word ("PNK": pink; not trefoil, knopen, cameras).
            short = len(letters) == 3
            meanings = self._best_fits(
                letters,
                (
                    (means, bare)
                    for full, means, bare in self._bare
                    if not short or (len(bare) == 3 and full in self.plain)
                ),
            )
        return meanings.pop() if len(meanings) == 1 else None

    @staticmethod
    def _best_fits(letters: str, words: Iterable[tuple[str, str]]) -> set[str]:
        """The meanings of the (meaning, letters of a word) whose letters hold `letters` in
        order, from the first, and are no more than 1/0.6 times as many; of those, the ones
        `letters` covers most ("LPTP": laptop, not laptoptas)."""
        fits: dict[float, set[str]] = {}
        for means, spelt in words:
            share = len(letters) / len(spelt)
            if spelt[0] == letters[0] and share >= 0.6 and _in_order(letters[1:], spelt[1:]):
                fits.setdefault(round(share, 3), set()).add(means)
        return fits[max(fits)] if fits else set()

    def _compound(self, word: str, dutch: bool) -> str | None:
        """A Dutch compound of two known words: "fietsbel" -> "bike bell"; one of them may be
        English where the other is Dutch ("glitterhoesje" -> "glitter case"). Outside a Dutch
        text both halves have four letters or more: an English word or its misspelling is not
        "tracks" and "uit" (from), "in" and "die" (that), "pen" and "dent"."""
        for stem, tail in _halves(word):
            if not dutch and min(len(stem), len(tail)) < 4:
                continue
            first, second = self._meaning(stem, True), self._meaning(tail, True)
            if first and second:
                return f"{first} {second}"
            if first and len(tail) >= 4 and tail in self.english:
                return f"{first} {tail}"
            if second and len(stem) >= 4 and stem in self.english:
                return f"{stem} {second}"
        return None

    def _correction(self, word: str, dutch: bool) -> str | None:
        """The one word of the taxonomy or the glossary's English within one edit of `word` (two
        from 8 letters; swapping two neighbours is one edit: "blakc"), if the nearest all mean
        one thing; ties go to the text's language ("broen" in English is "brown", not
        "groen"). None otherwise."""
        limit = 1 if len(word) < 8 else 2
        found = extract(word, self.targets, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not found:
            return None
        best = min(distance for _, distance, _ in found)
        nearest = [choice for choice, distance, _ in found if distance == best]
        # The taxonomy's words first (what matching reads), then those of the text's language.
        for tier in ([c for c in nearest if c in self.plain] or nearest,):
            in_language = [c for c in tier if (c in self.english) != dutch] or tier
            meanings = {self._meaning(c, True) or self.plain.get(c, c) for c in in_language}
            if len(meanings) == 1:
                return meanings.pop()
        return None  # "bage": bag or beige? Left alone.


def load_wording(folder: Path, rows: Iterable[list[str]], brands: Iterable[str] = ()) -> Wording:
    """The codes, the Dutch glossary and the English words in `folder`; `rows`: the phrases of
    the taxonomy's category and colour rows, row by row (the first is the row's plain word; a
    brand keeps its name: "macbook" is not rewritten "apple"); `brands`: brands' phrases, which
    a desk cuts short too ("ADID")."""
    capital_codes: dict[str, str] = {}
    any_codes: dict[str, str] = {}
    codes = folder / "codes.csv"
    if codes.exists():
        with codes.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                code, means = (row.get("code") or "").strip(), (row.get("means") or "").strip()
                written = (row.get("written") or "capitals").strip()
                if not code or not means or written not in ("capitals", "any"):
                    raise ValueError(f"{codes}:{line}: a code, its meaning, capitals or any")
                if written == "capitals":
                    capital_codes[code.upper()] = means
                else:
                    any_codes[code.casefold()] = means
    dutch: dict[str, str] = {}
    glossary = folder / "glossary-nl.csv"
    if glossary.exists():
        with glossary.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                nl, en = (row.get("nl") or "").strip().casefold(), (row.get("en") or "").strip()
                if not nl or not en:
                    raise ValueError(f"{glossary}:{line}: a Dutch word and its English")
                dutch.setdefault(nl, en)
    plain: dict[str, str] = {}
    for phrases in rows:
        for phrase in phrases:
            if " " not in phrase:
                plain.setdefault(phrase, phrases[0])
    # A taxonomy word means its row; a Dutch word its English; a brand its name.
    shortened = {word: en for word, en in dutch.items() if " " not in word and word.isalpha()}
    shortened |= {brand: brand for brand in brands if brand.isalpha()}
    shortened |= {word: means for word, means in plain.items() if word.isalpha()}
    return Wording(
        shortened=shortened,
        capital_codes=capital_codes,
        any_codes=any_codes,
        dutch=dutch,
        plain=plain,
        english=frozenset(_words_of(folder / "english-words.txt")),
        names=frozenset(word.casefold() for word in _words_of(folder / "names.txt")),
        targets=tuple(
            sorted(
                {word for word in plain if word.isalpha() and len(word) >= 3}
                | {w for en in dutch.values() for w in en.split() if w.isalpha() and len(w) >= 4}
            )
        ),
    )
