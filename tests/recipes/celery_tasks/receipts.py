"""The app under test: a Celery task that mails a receipt over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from celery import Celery

app = Celery("receipts", broker="memory://")
app.conf.update(smtp_host="smtp.example.com", smtp_port=587)


@app.task
def send_receipt(email: str, amount_cents: int) -> str:
    message = EmailMessage()
    message["From"] = "billing@shop.example"
    message["To"] = email
    message["Subject"] = f"Your receipt: {amount_cents / 100:.2f} EUR"
    message.set_content(f"We received {amount_cents / 100:.2f} EUR. Thank you!\n")
    with smtplib.SMTP(app.conf.smtp_host, app.conf.smtp_port) as smtp:
        smtp.send_message(message)
    return str(message["Subject"])
