"""The app under test: a Flask sign-up that mails a confirmation link with Flask-Mail."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, request, url_for
from flask_mail import Mail, Message

mail = Mail()


def create_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(MAIL_DEFAULT_SENDER="hello@signup.example", SERVER_NAME="signup.example", **config)
    mail.init_app(app)

    @app.post("/signup")
    def signup() -> tuple[str, int]:
        email = request.form["email"]
        token = secrets.token_urlsafe(8)
        link = url_for("confirm", token=token, _external=True, _scheme="https")
        mail.send(Message("Confirm your address", recipients=[email], body=f"Confirm here: {link}\n"))
        return "check your mail", 201

    @app.get("/confirm/<token>")
    def confirm(token: str) -> str:
        return "confirmed"

    return app
