"""What the platform tells people, by kind of notice: the words of each e-mail, in one place.

Notices about a match go through the outbox (models/notification.py): the API and the worker
write them in the transaction of what they announce, the worker delivers them. A notice names
the report and what to do; it never carries the other side's contact.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from backend.common.mail import Mail

MATCH_SUGGESTED = "match_suggested"  # to the owner: a found report may be their item
PROOF_GIVEN = "proof_given"  # to the owner: the finder answered
AGREED = "agreed"  # to both: each side's check passed; arrange the hand-over
MESSAGE = "message"  # to the other side: a relayed message
HANDED_OVER = "handed_over"  # to the owner: a desk recorded handing their item over
SHIPPED = "shipped"  # to the owner: a desk sent their item by post


def message_kind(message_id: uuid.UUID) -> str:
    """One notice per message (the outbox keeps one notice per kind, match and reporter)."""
    return f"{MESSAGE}:{message_id.hex}"


def notice_mail(
    kind: str, payload: Mapping[str, Any], to: str, web_app_url: str, count: int = 1
) -> Mail:
    """The e-mail of a notice of `kind` about the report `payload["title"]`; `count` new
    suggestions for one report are one e-mail (an office's upload may bring several at once)."""
    title = payload.get("title", "your report")
    link = f"{web_app_url.rstrip('/')}/#/items/{payload.get('item_id', '')}"
    if count != 1 and kind != MATCH_SUGGESTED:
        raise ValueError(f"only suggestions are told together, not {kind!r}")
    if kind == MATCH_SUGGESTED and count > 1:
        subject = f"{count} possible matches for your report: {title}"
        body = (
            f"{count} items were reported that may be yours. See the suggestions and say "
            f"whether one of them is yours: {link}"
        )
    elif kind == MATCH_SUGGESTED:
        subject = f"Possible match for your report: {title}"
        body = (
            "Someone reported an item that may be yours. See the suggestion and say whether "
            f"it is yours: {link}"
        )
    elif kind == PROOF_GIVEN:
        subject = f"The finder answered about: {title}"
        body = (
            "The person who found an item like yours described what only the item in hand "
            f"shows. Read it and decide: {link}"
        )
    elif kind == AGREED:
        subject = f"You can arrange the hand-over: {title}"
        body = (
            "You and the other side both confirmed, and each answer was checked. Send them a "
            f"message through the platform to arrange the hand-over: {link}"
        )
    elif kind == HANDED_OVER:
        subject = f"Handed over to you: {title}"
        body = (
            "The lost-property desk recorded that your item was handed over to you. If you did "
            f"not collect it, tell them through the platform: {link}"
        )
    elif kind == SHIPPED:
        subject = f"On its way to you: {title}"
        body = (
            "The lost-property desk sent your item by post. Tracking number: "
            f"{payload.get('tracking_number', '')}. Your report: {link}"
        )
    elif kind.startswith(f"{MESSAGE}:"):
        subject = f"New message about: {title}"
        body = f"{payload.get('text', '')}\n\nReply through the platform: {link}"
    else:
        raise ValueError(f"unknown notice kind {kind!r}")
    return Mail(to=to, subject=subject, body=body)


def sign_in_mail(to: str, links: list[tuple[str, str]], minutes: int) -> Mail:
    """The sign-in e-mail: one link per account (`links`: name, URL) on this address."""
    lines = "\n".join(f"- {name}: {url}" for name, url in links)
    return Mail(
        to=to,
        subject="Your sign-in link for Lost & Found",
        body=(
            f"Open the link to sign in (it works once, for {minutes} minutes):\n{lines}\n\n"
            "If you did not ask for it, ignore this e-mail: nothing changes."
        ),
    )
