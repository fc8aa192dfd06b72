"""The claim check: does a finder's proof show a detail of the item that only the owner wrote?

A report's public view leaves out the description, brand, photo and exact place and time
(api/views.py), so a copy of a public report knows none of them. A finder holding the item can
name what is on it (an engraving, a sticker, what is inside); the owner wrote some of that in the
private description. The proof passes when it shares a word of at least four letters with the
private text that the public view does not show. Anything else is for the owner to judge: they
read the proof and accept it or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words anyone would write about any item: they prove nothing.
_COMMON = frozenset(
    """
    about after also back been black blue brown colour color could dark found from front
    green grey gray have inside into item just left light lost near next normal outside over
    pink purple really side small some that their there these thing this under very what when
    where which white with without would yellow orange silver gold large little
    """.split()
)


def _words(text: str) -> set[str]:
    words = set()
    for word in _WORD.findall(text.casefold()):
        if len(word) >= 4 or (word.isdigit() and len(word) >= 3):
            # "stickers" and "sticker" are one detail.
            words.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return words - _COMMON


def shared_private_details(proof: str, private: Iterable[str], public: Iterable[str]) -> set[str]:
    """Words of `proof` found in the `private` texts and in none of the `public` ones."""
    shown = set().union(*(_words(text) for text in public))
    hidden = set().union(*(_words(text) for text in private)) - shown
    return _words(proof) & hidden
