"""How a mail's HTML is shown in each dark-mode preview: light, its own dark styles, or forced inversion.

A framed document's ``prefers-color-scheme`` follows the browser, not the page that frames it (Chromium
ignores the iframe element's ``color-scheme`` there), so in a dark UI every mail would take its dark
rules. Each mode therefore decides the mail's colour-scheme queries itself, by rewriting them to a query
that always or never matches, and names the scheme its canvas uses: the preview shows the same thing
whatever theme the UI or the system is in.
"""

from __future__ import annotations

import re

MODES = ("off", "scheme", "invert")
_DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_LIGHT_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.IGNORECASE)
_ALWAYS = "(min-width: 0px)"
_NEVER = "(max-width: -1px)"
# Anything put before a doctype would send the document into quirks mode: styles go after it.
_DOCTYPE = re.compile(r"\A(?:\ufeff)?\s*<!doctype[^>]*>", re.IGNORECASE)
LIGHT_CANVAS = "<style>:root{color-scheme:light}</style>"
DARK_CANVAS = "<style>:root{color-scheme:dark}</style>"
# Forced inversion, as some mail clients darken light mail: colours inverted, pictures turned back.
INVERT_STYLE = (
    "<style>:root{color-scheme:light}html{filter:invert(1) hue-rotate(180deg);background:#fff}"
    "img,picture,video,svg{filter:invert(1) hue-rotate(180deg)}</style>"
)


def _with_style(markup: str, style: str) -> str:
    doctype = _DOCTYPE.match(markup)
    at = doctype.end() if doctype else 0
    return markup[:at] + style + markup[at:]


def prefer_light(markup: str) -> str:
    """The mail as a client in light mode shows it: its light rules apply, its dark ones do not."""
    return _with_style(_LIGHT_QUERY.sub(_ALWAYS, _DARK_QUERY.sub(_NEVER, markup)), LIGHT_CANVAS)


def prefer_dark(markup: str) -> str:
    """The mail as a client in dark mode shows it: its dark rules apply, its light-only ones do not."""
    return _with_style(_LIGHT_QUERY.sub(_NEVER, _DARK_QUERY.sub(_ALWAYS, markup)), DARK_CANVAS)


def inverted(markup: str) -> str:
    """The light mail with its colours inverted, as clients that force dark mode on any mail show it."""
    return _with_style(_LIGHT_QUERY.sub(_ALWAYS, _DARK_QUERY.sub(_NEVER, markup)), INVERT_STYLE)


def shown(markup: str, mode: str) -> str:
    """``markup`` as the preview mode ``mode`` (one of :data:`MODES`; anything else is ``off``) shows it."""
    if mode == "scheme":
        return prefer_dark(markup)
    if mode == "invert":
        return inverted(markup)
    return prefer_light(markup)
