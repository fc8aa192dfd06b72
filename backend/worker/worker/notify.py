"""Delivering notices from the outbox by e-mail (backend/common/mail.py: SMTP, or a log line)."""

from __future__ import annotations

from backend.common.mail import MailSettings, send
from backend.common.models import Notification, Reporter
from backend.common.notices import notice_mail


class Undeliverable(Exception):
    """A notice that can never be sent (no address): recorded, not retried."""


def deliver(settings: MailSettings, notification: Notification, reporter: Reporter) -> None:
    """Send one notice to its reporter; raises on failure (smtplib, OSError: retried)."""
    if not reporter.email:
        raise Undeliverable("the reporter gave no e-mail address; they see it in the app")
    send(
        settings,
        notice_mail(notification.kind, notification.payload, reporter.email, settings.web_app_url),
    )
