"""The pages that show mail: the inbox list, one message, its HTML body, its source and parts."""

from __future__ import annotations

import bisect
import html
from email.message import EmailMessage, MIMEPart
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from elektromail.http import views
from elektromail.search.query import QueryError
from elektromail.search.results import CursorError
from elektromail.store.model import Mailbox, Message
from elektromail.web import listing, parts, preview
from elektromail.web.responses import UI_HEADERS, body_headers, download_headers
from elektromail.web.site import NotFound, Site

TABS = ("html", "text", "headers", "raw", "parts", "attachments", "links")
WIDTHS = ("full", "tablet", "phone")
DARK_MODES = preview.MODES
# The source shown on the page is cut here; the download has it all.
RAW_SHOWN = 512 * 1024


def list_url(user: str | None, mailbox: str | None, **query: str | None) -> str:
    path = "/" if user is None else f"/u/{user}" + ("" if mailbox is None else f"/{mailbox}")
    given = {key: value for key, value in query.items() if value}
    return path + ("?" + urlencode(given) if given else "")


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str:
    value = request.query_params.get(name, allowed[0])
    return value if value in allowed else allowed[0]


class Pages:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def inbox(self, request: Request) -> Response:
        user: str | None = request.path_params.get("user")
        mailbox_name: str | None = request.path_params.get("mailbox")
        store = self.site.store
        if user is not None:
            account = store.account(user)
            if account is None:
                raise NotFound(f"no user {user}")
            user = account.name
            if mailbox_name is not None:
                mailbox = account.mailbox(mailbox_name)
                if mailbox is None:
                    raise NotFound(f"user {user} has no mailbox {mailbox_name}")
                mailbox_name = mailbox.name
        query = request.query_params.get("q", "").strip()
        cursor = request.query_params.get("before")
        error: str | None = None
        try:
            found = listing.page(store, listing.Scope(user, mailbox_name), query, cursor)
        except (QueryError, CursorError) as refused:
            error = f"{'Search' if isinstance(refused, QueryError) else 'Page'}: {refused}"
            found = listing.Page([], 0, None)
        here = list_url(user, mailbox_name, q=query, before=cursor)
        values: dict[str, Any] = {
            "page": found,
            "user": user,
            "mailbox": mailbox_name,
            "q": query,
            "here": here,
            "list_path": list_url(user, mailbox_name),
            "older": list_url(user, mailbox_name, q=query, before=found.next_cursor) if found.next_cursor else None,
            "newest": list_url(user, mailbox_name, q=query) if cursor else None,
            "error": error,
        }
        # htmx asks for the list alone when searching or when mail arrives.
        name = "list.html" if request.headers.get("hx-request") == "true" else "inbox.html"
        return self.site.render(request, name, values, 400 if error else 200)

    async def latest(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        user = request.query_params.get("user")
        scope = listing.Scope(user or None, request.query_params.get("mailbox") or None)
        try:
            found = listing.newest(self.site.store, scope, query)
        except QueryError as error:
            raise NotFound(f"no message matches: the search is malformed ({error})") from None
        if found is None:
            raise NotFound("no message matches" + (f" {query!r}" if query else ""))
        mailbox, message = found
        return RedirectResponse(f"/m/{mailbox.message_id(message.uid)}", 303, headers=UI_HEADERS)

    async def message(self, request: Request) -> Response:
        mailbox, message = self.site.message(request.path_params["id"])
        detail = views.detail(mailbox, message)
        email = parts.parse(message.raw)
        root = parts.tree(email)
        tab = _choice(request, "tab", TABS)
        width = _choice(request, "width", WIDTHS)
        dark = _choice(request, "dark", DARK_MODES)
        remote = request.query_params.get("remote") == "1"
        view = {"tab": tab, "width": width, "dark": dark, "remote": "1" if remote else None}
        body_query = urlencode(
            {key: value for key, value in (("dark", dark), ("remote", view["remote"])) if value and value != "off"}
        )
        source = message.source
        older, newer = _neighbours(mailbox, message)
        values: dict[str, Any] = {
            "m": detail,
            "mailbox_obj": mailbox,
            "view": view,
            "tabs": TABS,
            "widths": WIDTHS,
            "dark_modes": DARK_MODES,
            "body_url": f"/m/{detail.id}/body" + (f"?{body_query}" if body_query else ""),
            "root": root,
            "leaves": [leaf for leaf in parts.leaves(root) if leaf.filename or leaf.disposition == "attachment"],
            "raw_text": source[:RAW_SHOWN].decode("utf-8", "replace"),
            "raw_cut": len(source) > RAW_SHOWN,
            "older": _message_url(mailbox, older, tab),
            "newer": _message_url(mailbox, newer, tab),
            "other_mailboxes": [name for name in mailbox.account.mailboxes if name != mailbox.name],
            "list_path": list_url(mailbox.account.name, mailbox.name),
            "here": f"/m/{detail.id}" + ("" if tab == "html" else f"?tab={tab}"),
            "user": mailbox.account.name,
            "mailbox": mailbox.name,
            "q": "",
            "shown_recipients": {address.lower() for address in (*detail.to, *detail.cc)},
        }
        return self.site.render(request, "message.html", values)

    async def body(self, request: Request) -> Response:
        _, message = self.site.message(request.path_params["id"])
        email = parts.parse(message.raw)
        markup = _first_body(email)
        markup = preview.shown(markup, request.query_params.get("dark", "off"))
        remote = request.query_params.get("remote") == "1"
        return Response(markup, media_type="text/html; charset=utf-8", headers=body_headers(remote))

    async def raw(self, request: Request) -> Response:
        mailbox, message = self.site.message(request.path_params["id"])
        name = f"{mailbox.message_id(message.uid)}.eml"
        return Response(message.source, media_type="message/rfc822", headers=download_headers(name))

    async def part(self, request: Request) -> Response:
        mailbox, message = self.site.message(request.path_params["id"])
        path: str = request.path_params["path"]
        found = parts.find(parts.parse(message.raw), path)
        if found is None:
            raise NotFound(f"message {mailbox.message_id(message.uid)} has no part {path}")
        name = parts.filename(found) or f"{mailbox.message_id(message.uid)}-part-{path}.bin"
        return Response(parts.payload(found), media_type="application/octet-stream", headers=download_headers(name))


def _first_body(email: EmailMessage) -> str:
    """The HTML part with its cid: images inlined, else the text part as preformatted (escaped) text."""
    html_part = email.get_body(preferencelist=("html",))
    if html_part is not None:
        content = _content(html_part)
        if content is not None:
            return parts.inline_cid_images(content, email)
    text_part = email.get_body(preferencelist=("plain",))
    text = _content(text_part) if text_part is not None else None
    return f'<pre style="white-space:pre-wrap">{html.escape(text or "")}</pre>'


def _content(part: MIMEPart) -> str | None:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset or broken transfer encoding
        data = part.get_payload(decode=True)
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else None
    return content if isinstance(content, str) else None


def _neighbours(mailbox: Mailbox, message: Message) -> tuple[Message | None, Message | None]:
    """The messages before and after this one in its mailbox, by UID (the order they arrived)."""
    uids = [each.uid for each in mailbox.messages]
    at = bisect.bisect_left(uids, message.uid)
    older = mailbox.messages[at - 1] if at > 0 else None
    newer = mailbox.messages[at + 1] if at + 1 < len(mailbox.messages) else None
    return older, newer


def _message_url(mailbox: Mailbox, message: Message | None, tab: str) -> str | None:
    if message is None:
        return None
    return f"/m/{mailbox.message_id(message.uid)}" + ("" if tab == "html" else f"?tab={tab}")
