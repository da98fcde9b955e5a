"""Reading a transcript: its records replayed in order into entries, secrets masked.

A record is three items of the recorder's list: the moment, what the server heard or learnt, and what it
wrote (see :mod:`~.recorder`). Replaying them in order is what lets a :class:`~.masking.Masker` follow the
dialogue (an ``AUTH`` exchange runs until the first reply that is no continuation), so every reader,
JSON, text and the web page, sees the same masked entries; recording itself decides nothing.
"""

from __future__ import annotations

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts.masking import Masker

# Entry kinds, as readers see them in ``entries``.
CLIENT = 0  # bytes: one command line (or the part of an IMAP command around literals), masked
SERVER = 1  # bytes: output as written, CRLF included, literal content replaced by its size
CONTENT = 2  # int: octets of message content the client sent (DATA, BDAT, an IMAP literal)
STORED = 3  # str: the server-wide id of a message the session delivered or appended
TLS = 4  # TlsFacts: the handshake completed
AUTH = 5  # AuthFacts: the client authenticated
TRUNCATED = 6  # None: the size budget is spent; nothing more is recorded

Entry = tuple[float, int, object]


def replay(log: list[object], smtp: bool) -> list[Entry]:
    """The entries of a recorder's list (moment, heard, written, moment, ...), in order, masked."""
    masker = Masker(smtp)
    entries: list[Entry] = []
    for index in range(0, len(log) - 2, 3):
        moment, heard, written = log[index : index + 3]
        assert isinstance(moment, float)
        if heard is None:
            if written is None:
                entries.append((moment, TRUNCATED, None))
        elif isinstance(heard, bytes):
            entries.append((moment, CLIENT, masker.client(heard)))
        elif isinstance(heard, bytearray):
            entries.append((moment, CLIENT, masker.continued(bytes(heard))))
        elif isinstance(heard, int):
            entries.append((moment, CONTENT, heard))
        elif isinstance(heard, str):
            entries.append((moment, STORED, heard))
        elif isinstance(heard, list):
            entries.extend((moment, STORED, message_id) for message_id in heard)
        elif isinstance(heard, tuple):  # an SMTP message's size and the ids it was stored under
            size, stored = heard
            entries.append((moment, CONTENT, size))
            entries.extend((moment, STORED, message_id) for message_id in stored)
        elif isinstance(heard, TlsFacts):
            entries.append((moment, TLS, heard))
        elif isinstance(heard, AuthFacts):
            masker.authenticated()
            entries.append((moment, AUTH, heard))
        if isinstance(written, bytes):
            masker.server(written)
            entries.append((moment, SERVER, written))
    return entries
