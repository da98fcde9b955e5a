from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from elektromail.testing import MailServer


@pytest.fixture(autouse=True)
def mail_to_elektromail(settings: Settings, elektromail_server: MailServer) -> None:
    # pytest-django switches every test to the in-memory backend (mail.outbox): send over SMTP instead.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = elektromail_server.smtp_host
    settings.EMAIL_PORT = elektromail_server.smtp_port
    settings.EMAIL_USE_TLS = False
