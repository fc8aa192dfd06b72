"""Delivering notifications from the outbox: a log line by default, e-mail by setting."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

from backend.common.models import Notification, Reporter
from backend.worker.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


class DeliveryBackend(Protocol):
    def deliver(self, notification: Notification, reporter: Reporter) -> None: ...


class LogBackend:
    def deliver(self, notification: Notification, reporter: Reporter) -> None:
        log.info(
            "notify reporter %s: possible match for %r (score %.2f)",
            reporter.id,
            notification.payload.get("title"),
            notification.payload.get("score", 0.0),
            extra={"notification_id": str(notification.id), "kind": notification.kind},
        )


class SmtpBackend:
    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings

    def deliver(self, notification: Notification, reporter: Reporter) -> None:
        if not reporter.email:
            raise ValueError(f"reporter {reporter.id} has no e-mail address")
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = reporter.email
        message["Subject"] = f"Possible match for your report: {notification.payload.get('title')}"
        message.set_content(
            "Someone reported an item that may be yours. Open the app to see the match "
            f"{notification.payload.get('match_id')} and confirm or reject it."
        )
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=30) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            smtp.send_message(message)


def delivery_backend(settings: WorkerSettings) -> DeliveryBackend:
    return SmtpBackend(settings) if settings.notification_backend == "smtp" else LogBackend()
