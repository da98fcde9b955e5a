"""The app under test: an outbox that retries a message the server refused for now (a 4xx reply)."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage


def transient(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 400 <= error.smtp_code < 500


def deliver(message: EmailMessage, host: str, port: int, attempts: int = 3, pause: float = 0.3) -> int:
    """Send ``message``, trying again after ``pause`` seconds on a transient failure; returns the attempts."""
    for attempt in range(1, attempts + 1):
        try:
            with smtplib.SMTP(host, port) as smtp:
                smtp.send_message(message)
            return attempt
        except smtplib.SMTPException as error:
            if attempt == attempts or not transient(error):
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def invoice(to: str, number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "invoices@shop.example"
    message["To"] = to
    message["Subject"] = f"Invoice {number}"
    message.set_content(f"Invoice {number} is attached.\n")
    return message
