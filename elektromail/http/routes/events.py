"""``GET /events``: the server's changes as they happen, as Server-Sent Events.

A stream starts with what the client missed (after ``Last-Event-ID``) or with nothing, then carries each
event as it is published, several at once when they come together. A comment every 15 s keeps an idle
stream open. A client that reads too slowly is cut off rather than slowing anyone down; it reconnects
with the id of the last event it read (browsers' EventSource does so by itself) and goes on from there,
or hears ``resync`` when those events are gone.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from elektromail.events.sse import MEDIA_TYPE, last_event_id
from elektromail.events.types import EVENT_TYPES, EventFilter, UnknownEventType, parse_types
from elektromail.http.errors import BadRequest
from elektromail.http.event_stream import EventStreamResponse
from elektromail.http.operations import INVALID, Answer, Resource
from elektromail.http.plane import ControlPlane, parse_query
from elektromail.http.schemas import Error
from elektromail.store.model import canonical_mailbox_name

resource = Resource()


class EventsQuery(msgspec.Struct, forbid_unknown_fields=False, kw_only=True):
    user: Annotated[str | None, msgspec.Meta(description="events of this user only (case-insensitive)")] = None
    mailbox: Annotated[str | None, msgspec.Meta(description="events of this mailbox only")] = None
    types: Annotated[
        str | None, msgspec.Meta(description="comma-separated: " + ", ".join(EVENT_TYPES) + ", or a family (message)")
    ] = None
    last_event_id: Annotated[
        str | None, msgspec.Meta(description="resume after this event, for clients that cannot send Last-Event-ID")
    ] = None


@resource.operation(
    "GET",
    "/events",
    "streamEvents",
    "Changes as they happen (Server-Sent Events)",
    {
        200: Answer("an endless text/event-stream", media_type=MEDIA_TYPE),
        400: Answer("an unknown event type", Error),
        **INVALID,
    },
    query=EventsQuery,
    long_lived=True,
    description=(
        "Events: message.stored, message.flags, message.expunged, mailbox.created|deleted|renamed, "
        "user.created|deleted, session.started|ended, rules.changed, reset, and resync (events were missed). "
        "Each `data:` is JSON naming the user, mailbox, uid and message_id (and flags when they changed). "
        "Reconnect with Last-Event-ID to get what was missed."
    ),
)
async def stream_events(plane: ControlPlane, request: Request) -> Response:
    query = parse_query(request, EventsQuery)
    try:
        types = parse_types(query.types) if query.types is not None else None
    except UnknownEventType as error:
        raise BadRequest(f"types: {error}") from None
    mailbox = canonical_mailbox_name(query.mailbox) if query.mailbox is not None else None
    resume = last_event_id(request.headers.get("last-event-id"), query.last_event_id)
    subscription = plane.context.events.subscribe(EventFilter(query.user, mailbox, types), resume)
    return EventStreamResponse(subscription)
