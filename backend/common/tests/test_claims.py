"""The claim check reads what an answer or a secret says is not there ("no case")."""

from __future__ import annotations

from backend.common.claims import judge
from backend.common.words import content_terms

# The owner's private details: what only they know, an absence among it.
SECRET = ["No case on it; a crack across the top left corner of the screen"]


def test_an_answer_naming_what_the_secret_denies_is_wrong() -> None:
    """A copier's guess "in a case" against an owner who wrote "no case": before, "case" was a
    hit, and one hit carries two wrong guesses."""
    verdict = judge("It is in a case with a card", SECRET, public=set())

    assert content_terms("case") <= verdict.misses
    assert not verdict.hits
    assert not verdict.verified


def test_an_answer_denying_what_the_secret_has_is_wrong() -> None:
    verdict = judge("No case, and a sticker", ["A pink case with a cat sticker"], public=set())

    assert verdict.hits == content_terms("sticker")
    assert verdict.misses == content_terms("case")


def test_denials_that_agree_prove_nothing_and_cost_nothing() -> None:
    """Most things lack most things: "no case" is no secret, and a true answer that says it is
    judged on the rest."""
    assert not judge("There is no case", SECRET, public=set()).verified

    verdict = judge("no case, the screen is cracked at the top", SECRET, public=set())
    assert verdict.hits == content_terms("screen cracked")  # "top" is neutral
    assert not verdict.misses
    assert verdict.verified


def test_an_answer_denying_what_the_secret_never_mentions_is_neither() -> None:
    verdict = judge("cracked screen, no stickers", SECRET, public=set())

    assert verdict.hits == content_terms("cracked screen")
    assert not verdict.misses


def test_a_public_term_counts_neither_way_when_denied() -> None:
    verdict = judge(
        "no case, cracked screen", ["black case, cracked screen"], set(content_terms("case"))
    )

    assert verdict.hits == content_terms("cracked screen")
    assert not verdict.misses
