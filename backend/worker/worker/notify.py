"""Delivering notices from the outbox by e-mail (backend/common/mail.py: SMTP, or a log line)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from backend.common.mail import MailSettings, send
from backend.common.models import Notification
from backend.common.notices import MATCH_SUGGESTED, notice_mail


class Undeliverable(Exception):
    """A notice that can never be sent (no address): recorded, not retried."""


def one_mail_each(
    notices: Iterable[tuple[uuid.UUID, uuid.UUID, str, Any]],
) -> list[list[uuid.UUID]]:
    """The e-mails pending notices make (each given as id, reporter, kind, payload): a report's
    new suggestions together in one, so an owner whose report meets five finds of one upload
    gets one e-mail, not five; every other notice in its own."""
    mails: dict[tuple[Any, ...], list[uuid.UUID]] = {}
    for notice_id, reporter_id, kind, payload in notices:
        key = (
            (reporter_id, kind, payload.get("item_id")) if kind == MATCH_SUGGESTED else (notice_id,)
        )
        mails.setdefault(key, []).append(notice_id)
    return list(mails.values())


def deliver(settings: MailSettings, notices: Sequence[Notification], email: str | None) -> None:
    """Send notices of one kind about one report (one_mail_each) to their reporter, in one
    e-mail; raises on failure (smtplib, OSError: retried)."""
    if not email:
        raise Undeliverable("the reporter gave no e-mail address; they see it in the app")
    first = notices[0]
    send(
        settings,
        notice_mail(first.kind, first.payload, email, settings.web_app_url, count=len(notices)),
    )
