"""The app under test: an asyncio service that mails alerts with aiosmtplib. Like most production code it
leaves STARTTLS to aiosmtplib, which starts TLS whenever the server offers it and checks the certificate."""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import aiosmtplib


async def send_alert(
    to: str, service: str, smtp_host: str, smtp_port: int, tls_context: ssl.SSLContext | None = None
) -> None:
    message = EmailMessage()
    message["From"] = "alerts@monitor.example"
    message["To"] = to
    message["Subject"] = f"{service} is down"
    message.set_content(f"{service} stopped answering. Runbook: https://monitor.example/runbooks/{service}\n")
    await aiosmtplib.send(message, hostname=smtp_host, port=smtp_port, tls_context=tls_context)
