"""The two servers of the differential suite, each holding one corpus, selected, on a fresh connection."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bench.peers.dovecot import run_dovecot
from elektromail import Config, ServerThread
from elektromail.config import UserSpec
from tests.differential.probe import append_all
from tests.differential.wire import Client

USER, PASSWORD = "user", "pass"
# The suite only reads what it appended: no fsync keeps APPENDs of the corpus quick.
DOVECOT_SETTINGS = "mail_fsync = never"


@contextmanager
def elektromail_with(messages: Sequence[bytes]) -> Iterator[Client]:
    server = ServerThread(
        Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1", users=(UserSpec(USER, PASSWORD),))
    ).start()
    try:
        client = Client(server.imap_port, USER, PASSWORD)
        try:
            append_all(client, messages)
            yield client
        finally:
            client.close()
    finally:
        server.stop()


@contextmanager
def dovecot_with(messages: Sequence[bytes]) -> Iterator[Client]:
    with run_dovecot(USER, PASSWORD, DOVECOT_SETTINGS) as port:
        client = Client(port, USER, PASSWORD)
        try:
            append_all(client, messages)
            yield client
        finally:
            client.close()
