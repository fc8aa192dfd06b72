"""Sending e-mail: one way for every service that sends some (the API's sign-in links, the
worker's notices). SMTP in deployment; by default a log line, so the embedded stack runs with no
mail server (`LOG_MAIL_BODIES` shows what would be sent, sign-in links included: for a
developer's own machine only)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from pydantic import Field, SecretStr

from backend.common.settings import ServiceSettings

log = logging.getLogger(__name__)


class MailSettings(ServiceSettings):
    notification_backend: Literal["log", "smtp"] = Field(
        default="log", description="smtp: send e-mail; log: write a log line instead."
    )
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "lost-and-found@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    web_app_url: str = Field(
        default="http://127.0.0.1:8003",
        description="Where people open the web app: e-mails link to it.",
    )
    log_mail_bodies: bool = Field(
        default=False,
        description="With NOTIFICATION_BACKEND=log: log what each e-mail says (sign-in links "
        "too). For a developer's own machine, never a deployment.",
    )


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send(settings: MailSettings, mail: Mail) -> None:
    """Send `mail`; raises (smtplib.SMTPException, OSError) when the server refuses or is
    unreachable, so the caller records the failure and retries."""
    if settings.notification_backend != "smtp":
        if settings.log_mail_bodies:
            log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        else:
            log.info("mail to %s: %s (NOTIFICATION_BACKEND=log: not sent)", mail.to, mail.subject)
        return
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def send_or_log(settings: MailSettings, mail: Mail) -> None:
    """`send`, for mail nothing waits on (a sign-in link the person can ask for again): a
    failure is logged, not raised."""
    try:
        send(settings, mail)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("mail to %s not sent: %s", mail.to, exc)
