"""HTTP errors as JSON: every 4xx/5xx body is ``{"error": "..."}`` and no traceback ever leaves."""

from __future__ import annotations

import logging

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.schemas import Error

log = logging.getLogger("elektromail.http")
_encode = msgspec.json.Encoder().encode


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(_encode(Error(error=message)), status, headers, media_type="application/json")


def decode_error(error: msgspec.DecodeError) -> HttpError:
    """Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422. Both name the field."""
    if isinstance(error, msgspec.ValidationError):
        return HttpError(422, str(error))
    return HttpError(400, str(error))


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpError)
    return error_response(error.status, error.message, error.headers)


async def on_starlette_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, str(error.detail), dict(error.headers or {}))


async def on_store_unavailable(request: Request, error: Exception) -> Response:
    """The disk could not take a change: a server-side outage, not a bug, and nothing was stored."""
    log.error("HTTP %s %s not done: %s", request.method, request.url.path, error)
    return error_response(503, "the change could not be saved (server storage failure)")


async def on_unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("HTTP %s %s failed", request.method, request.url.path)
    return error_response(500, "internal error (see the server log)")
