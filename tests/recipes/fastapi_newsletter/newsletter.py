"""The app under test: a FastAPI newsletter sign-up (pydantic's EmailStr) that welcomes with fastapi-mail,
over STARTTLS."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_mail import ConnectionConfig, FastMail, MessageSchema, MessageType
from pydantic import BaseModel, EmailStr, NameEmail


class Subscription(BaseModel):
    email: EmailStr
    topic: str


def create_app(mail_config: ConnectionConfig) -> FastAPI:
    app = FastAPI()
    mailer = FastMail(mail_config)

    @app.post("/subscriptions", status_code=201)
    async def subscribe(subscription: Subscription) -> dict[str, str]:
        welcome = MessageSchema(
            subject=f"Welcome to {subscription.topic}",
            recipients=[NameEmail(name=subscription.email, email=subscription.email)],
            body=f"<p>You are in. <a href='https://news.example/{subscription.topic}'>Read the latest</a></p>",
            subtype=MessageType.html,
        )
        await mailer.send_message(welcome)
        return {"subscribed": subscription.email}

    return app
