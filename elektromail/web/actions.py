"""What a person does to mail from the pages: flags, delete, move, and the same on a whole search.

Each action is a form POST (so it works without script) answered by a 303 to the page to show next. The
store makes the change once and publishes it, so IMAP sessions with the mailbox selected hear of it at once.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from elektromail.http.flags import change_flags
from elektromail.search.query import QueryError
from elektromail.store import StoreError
from elektromail.store.model import Mailbox, Message
from elektromail.web import auth, listing
from elektromail.web.pages import list_url
from elektromail.web.responses import UI_HEADERS
from elektromail.web.site import NotFound, Site

SEEN = frozenset({"\\Seen"})
FLAGGED = frozenset({"\\Flagged"})
NONE: frozenset[str] = frozenset()
# action -> (flags to add, flags to remove), changed as PATCH /messages/by-id/{id} changes them
FLAG_ACTIONS = {
    "read": (SEEN, NONE),
    "unread": (NONE, SEEN),
    "flag": (FLAGGED, NONE),
    "unflag": (NONE, FLAGGED),
}
# A form has a handful of short fields; anything larger is not from these pages.
MAX_FORM_FIELDS = 20


def see_other(target: str) -> Response:
    return RedirectResponse(target, 303, headers=UI_HEADERS)


async def small_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)


class Actions:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def act(self, request: Request) -> Response:
        mailbox, message = self.site.message(request.path_params["id"])
        form = await small_form(request)
        action = str(form.get("action", ""))
        back = auth.local_target(str(form.get("next", "")), f"/m/{mailbox.message_id(message.uid)}")
        store = self.site.store
        if action in FLAG_ACTIONS:
            add, remove = FLAG_ACTIONS[action]
            await change_flags(store, mailbox, [message], add, remove)
            return see_other(back)
        if action == "delete":
            await store.expunge(mailbox, [message.uid])
            # From the list (keyboard), back to that list; from the message page, to its mailbox.
            return see_other(auth.local_target(str(form.get("list", "")), list_url(mailbox.account.name, mailbox.name)))
        if action == "move":
            return await self._move(mailbox, message, str(form.get("to", "")))
        return Response(f"unknown action {action!r}\n", 400, media_type="text/plain", headers=UI_HEADERS)

    async def _move(self, mailbox: Mailbox, message: Message, target_name: str) -> Response:
        target = mailbox.account.mailbox(target_name)
        if target is None:
            raise NotFound(f"user {mailbox.account.name} has no mailbox {target_name}")
        if target is mailbox:
            return see_other(f"/m/{mailbox.message_id(message.uid)}")
        try:
            (moved,) = await self.site.store.move(mailbox, [message], target)
        except StoreError as error:
            return Response(f"{error}\n", 409, media_type="text/plain", headers=UI_HEADERS)
        return see_other(f"/m/{target.message_id(moved.uid)}")

    async def bulk(self, request: Request) -> Response:
        """Mark read or delete every message of the current list (its scope and search)."""
        form = await small_form(request)
        user = str(form.get("user", "")) or None
        mailbox_name = str(form.get("mailbox", "")) or None
        query = str(form.get("q", ""))
        action = str(form.get("action", ""))
        if action not in ("read", "delete"):
            return Response(f"unknown action {action!r}\n", 400, media_type="text/plain", headers=UI_HEADERS)
        try:
            found = listing.matches(self.site.store, listing.Scope(user, mailbox_name), query)
        except QueryError as error:
            return Response(f"q: {error}\n", 400, media_type="text/plain", headers=UI_HEADERS)
        chosen: dict[int, tuple[Mailbox, list[Message]]] = {}
        for mailbox, message in found:
            chosen.setdefault(mailbox.id, (mailbox, []))[1].append(message)
        store = self.site.store
        for mailbox, messages in chosen.values():
            if action == "read":
                await change_flags(store, mailbox, messages, SEEN, NONE)
            else:
                await store.expunge(mailbox, [message.uid for message in messages])
        return see_other(list_url(user, mailbox_name, q=query))
