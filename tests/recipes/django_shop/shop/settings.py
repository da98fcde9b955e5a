"""The smallest Django project that sends mail: no database, no apps but its own mail function."""

from __future__ import annotations

SECRET_KEY = "recipe-only"
USE_TZ = True
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
DEFAULT_FROM_EMAIL = "shop@example.com"
# Production would point at the real relay; tests point it at elektromail (conftest.py).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.example.com"
EMAIL_PORT = 587
