from __future__ import annotations

import pytest
from flask import Flask
from signup_app import create_app

from elektromail.testing import MailServer


@pytest.fixture
def app(elektromail_server: MailServer) -> Flask:
    return create_app(
        TESTING=True,
        # Flask-Mail sends nothing while TESTING is on, unless told to.
        MAIL_SUPPRESS_SEND=False,
        MAIL_SERVER=elektromail_server.smtp_host,
        MAIL_PORT=elektromail_server.smtp_port,
    )
