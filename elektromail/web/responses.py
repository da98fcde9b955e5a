"""The headers every web response carries: a strict CSP for the UI, a stricter one for mail HTML.

The UI runs only its own files (no inline script, no eval: htmx is configured without it). Mail HTML is
served on its own URL, framed only by the UI, in a sandbox (the CSP ``sandbox`` directive applies even when
the URL is opened directly), with nothing allowed but its inline styles and images from ``data:`` (the
message's own ``cid:`` images are turned into those) unless remote content was asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

from jinja2 import Environment, FunctionLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from elektromail import __version__
from elektromail.web import assets

UI_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
_BODY_COMMON = ("base-uri 'none'", "form-action 'none'", "frame-ancestors 'self'", "sandbox")
BODY_POLICY = "; ".join(
    ("default-src 'none'", "img-src cid: data:", "style-src 'unsafe-inline'", "font-src data:", *_BODY_COMMON)
)
REMOTE_BODY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "img-src cid: data: http: https:",
        "style-src 'unsafe-inline' http: https:",
        "font-src data: http: https:",
        *_BODY_COMMON,
    )
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
UI_HEADERS = {
    **COMMON_HEADERS,
    "Content-Security-Policy": UI_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def body_headers(remote: bool) -> dict[str, str]:
    return {
        **COMMON_HEADERS,
        "Content-Security-Policy": REMOTE_BODY_POLICY if remote else BODY_POLICY,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "SAMEORIGIN",
    }


def download_headers(filename: str) -> dict[str, str]:
    """A part or source download: never rendered by the browser in the UI's origin."""
    from urllib.parse import quote

    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename)
    return {
        **COMMON_HEADERS,
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Referrer-Policy": "no-referrer",
        # RFC 6266 4.3: the plain name for old clients, the RFC 8187 form for every character.
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}",
    }


def short_size(octets: int) -> str:
    """A size for a narrow column: 512 B, 1.7 KB, 23 KB, 4.2 MB (1 KB = 1,024 octets)."""
    size = float(octets)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" or size >= 10 else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def compact_time(moment: datetime, now: datetime | None = None) -> str:
    """A date for a narrow column, as mail clients list them: the time today, the day and time this year,
    the date before that (in UTC, as the server stores them; the full timestamp goes in a title)."""
    moment = moment.astimezone(UTC)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    if moment.year == now.year:
        return f"{moment.day} {moment.strftime('%b %H:%M')}"
    return moment.strftime("%Y-%m-%d")


def full_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _template_source(name: str) -> str:
    return (files("elektromail.web") / "templates" / name).read_text(encoding="utf-8")


# Templates are package data read with importlib.resources, so frozen builds find them; .html files are
# auto-escaped, and no template marks mail data safe.
_environment = Environment(
    loader=FunctionLoader(_template_source),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals["asset"] = assets.url
_environment.filters["size"] = short_size
_environment.filters["compact_time"] = compact_time
_environment.filters["full_time"] = full_time
_environment.globals["version"] = __version__
templates = Jinja2Templates(env=_environment)


def page(request: Request, name: str, context: dict[str, object], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=UI_HEADERS)
