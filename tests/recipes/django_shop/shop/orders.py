"""The code under test: an order confirmation sent with Django's mail API."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives


def confirm_order(email: str, order: int) -> None:
    link = f"https://shop.example/orders/{order}"
    mail = EmailMultiAlternatives(
        subject=f"Order {order} confirmed",
        body=f"Thank you! Track your order at {link}\n",
        to=[email],
    )
    mail.attach_alternative(f'<p>Thank you! <a href="{link}">Track your order</a></p>', "text/html")
    mail.send()
