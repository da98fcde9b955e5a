"""HTTP errors as JSON: every 4xx/5xx body is ``{"error": "..."}`` and no traceback ever leaves.

A handler raises one of the typed errors below; each class carries its status, so no status is ever
chosen by reading an error's text.
"""

from __future__ import annotations

import logging
from typing import ClassVar

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from elektromail.http.schemas import Error
from elektromail.store import StoreError, StoreErrorCode

log = logging.getLogger("elektromail.http")
_encode = msgspec.json.Encoder().encode


class HttpError(Exception):
    """An answer other than success; subclasses fix the status."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class BadRequest(HttpError):
    status = 400


class NotFound(HttpError):
    status = 404


class RequestTimeout(HttpError):
    status = 408


class Conflict(HttpError):
    status = 409


class TooLarge(HttpError):
    status = 413


class Unprocessable(HttpError):
    status = 422


class Unavailable(HttpError):
    status = 503


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(_encode(Error(error=message)), status, headers, media_type="application/json")


def decode_error(error: msgspec.DecodeError) -> HttpError:
    """Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422. Both name the field."""
    if isinstance(error, msgspec.ValidationError):
        return Unprocessable(str(error))
    return BadRequest(str(error))


# A refused store write: a name taken is a conflict, anything else the request asked for is invalid.
STORE_ERRORS: dict[StoreErrorCode, type[HttpError]] = {StoreErrorCode.ALREADY_EXISTS: Conflict}


def store_error(error: StoreError, prefix: str = "") -> HttpError:
    """The one place a store refusal becomes an HTTP answer: a name taken is a conflict, the rest invalid."""
    return STORE_ERRORS.get(error.code, Unprocessable)(prefix + str(error))


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
