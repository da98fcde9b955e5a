"""What the client raises: the server's error answers, and addresses it cannot use."""

from __future__ import annotations

import httpx
import msgspec

from elektromail.http.schemas import Error

_error_decoder = msgspec.json.Decoder(Error)


class ApiError(Exception):
    """The server answered with an error: ``status`` and the server's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class WaitTimeout(ApiError):
    """``/messages/wait`` ran out of time (HTTP 408) before enough matching mail arrived."""


class BadUrl(ValueError):
    """The base URL cannot reach a control plane (no ``http://`` or ``https://``, or no host)."""


def raise_for(response: httpx.Response) -> None:
    """Raise the :class:`ApiError` an error answer stands for; nothing for a success."""
    if response.status_code < 400:
        return
    try:
        message = _error_decoder.decode(response.content).error
    except msgspec.DecodeError:
        message = response.text or response.reason_phrase
    kind = WaitTimeout if response.status_code == 408 else ApiError
    raise kind(response.status_code, message)


def checked_url(url: str) -> str:
    """``url`` without a trailing slash, once it is an absolute http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise BadUrl(f"{url!r} is not a URL: {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise BadUrl(
            f"{url!r} is not an HTTP URL of elektromail's control plane: it needs http:// or https:// and a host, "
            "e.g. http://mail:8025"
        )
    return url.rstrip("/")
