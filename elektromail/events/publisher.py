"""What the store's changes and the sessions' lives become on the event bus.

The store publishes each change once to its listeners (:class:`~elektromail.store.model.MailboxEvent`);
this turns it into one event per message on the bus. Changes the store makes to users and mailboxes, rule
changes, resets and sessions starting and ending are announced by their owners through the methods here.
"""

from __future__ import annotations

from elektromail.events.bus import EventBus
from elektromail.events.types import (
    MAILBOX_CREATED,
    MAILBOX_DELETED,
    MAILBOX_RENAMED,
    MESSAGE_EXPUNGED,
    MESSAGE_FLAGS,
    MESSAGE_STORED,
    RESET,
    RULES_CHANGED,
    SESSION_ENDED,
    SESSION_STARTED,
    USER_CREATED,
    USER_DELETED,
    EventData,
)
from elektromail.store.model import FlagsChanged, Mailbox, MailboxEvent, MessagesAdded, MessagesExpunged
from elektromail.store.observer import StoreObserver
from elektromail.transcripts.recorder import Transcript
from elektromail.transcripts.registry import STARTED


class EventPublisher(StoreObserver):
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    def mailbox_changed(self, event: MailboxEvent) -> None:
        """A store listener: every mailbox change, from any session or the HTTP API."""
        if not self.bus.heard:
            return  # nobody has listened yet, so nobody can miss it (see EventBus.heard)
        mailbox = event.mailbox
        user, name = mailbox.account.name, mailbox.name
        publish = self.bus.publish
        if isinstance(event, MessagesAdded):
            for message in event.messages:
                publish(
                    MESSAGE_STORED,
                    EventData(user=user, mailbox=name, uid=message.uid, message_id=mailbox.message_id(message.uid)),
                )
        elif isinstance(event, FlagsChanged):
            for message in event.messages:
                data = EventData(
                    user=user,
                    mailbox=name,
                    uid=message.uid,
                    message_id=mailbox.message_id(message.uid),
                    flags=sorted(message.flags),
                )
                publish(MESSAGE_FLAGS, data)
        elif isinstance(event, MessagesExpunged):
            for uid in event.uids:
                publish(
                    MESSAGE_EXPUNGED, EventData(user=user, mailbox=name, uid=uid, message_id=mailbox.message_id(uid))
                )

    def mailbox_created(self, mailbox: Mailbox) -> None:
        self.bus.publish(MAILBOX_CREATED, EventData(user=mailbox.account.name, mailbox=mailbox.name))

    def mailbox_deleted(self, user: str, name: str) -> None:
        self.bus.publish(MAILBOX_DELETED, EventData(user=user, mailbox=name))

    def mailbox_renamed(self, user: str, old_name: str, new_name: str) -> None:
        self.bus.publish(MAILBOX_RENAMED, EventData(user=user, mailbox=new_name, old_name=old_name))

    def user_created(self, user: str) -> None:
        self.bus.publish(USER_CREATED, EventData(user=user))

    def user_deleted(self, user: str) -> None:
        self.bus.publish(USER_DELETED, EventData(user=user))

    def rules_changed(self) -> None:
        self.bus.publish(RULES_CHANGED, EventData())

    def reset(self) -> None:
        self.bus.publish(RESET, EventData())

    def session_changed(self, kind: str, transcript: Transcript) -> None:
        """A transcript registry listener: ``session.started`` and ``session.ended``."""
        if not self.bus.heard:
            return  # two per session: skipped until someone listens, as deliveries are
        auth = transcript.auth
        self.bus.publish(
            SESSION_STARTED if kind == STARTED else SESSION_ENDED,
            EventData(
                user=auth.user if auth is not None else None,
                session_id=transcript.id,
                protocol=transcript.protocol,
                client=transcript.client,
            ),
        )
