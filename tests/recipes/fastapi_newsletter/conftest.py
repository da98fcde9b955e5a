from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi_mail import ConnectionConfig
from newsletter import create_app
from pydantic import SecretStr

from elektromail.testing import MailServer


@pytest.fixture
async def client(elektromail_server: MailServer, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # STARTTLS as in production, trusting the test server's own certificate.
    certificate = tmp_path / "elektromail.pem"
    certificate.write_text(elektromail_server.tls_certificate())
    config = ConnectionConfig(
        MAIL_SERVER=elektromail_server.smtp_host,
        MAIL_PORT=elektromail_server.smtp_port,
        MAIL_STARTTLS=True,
        MAIL_SSL_TLS=False,
        CERT_BUNDLE=str(certificate),
        USE_CREDENTIALS=False,
        MAIL_USERNAME="",
        MAIL_PASSWORD=SecretStr(""),
        MAIL_FROM="news@news.example",
    )
    transport = httpx.ASGITransport(app=create_app(config))
    async with httpx.AsyncClient(transport=transport, base_url="http://newsletter.example") as client:
        yield client
