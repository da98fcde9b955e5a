"""The one state of an SMTP session: what it takes next. The connection frames its input by it."""

from __future__ import annotations

import enum


class State(enum.Enum):
    """What the session takes next."""

    COMMAND = "command"  # a command line
    SASL = "sasl"  # a line answering a 334 challenge
    DATA = "data"  # the DATA section, read by :attr:`SmtpSession.data`
    CHUNK = "chunk"  # the octets of a BDAT chunk, read by :attr:`SmtpSession.chunk`
    CLOSED = "closed"  # the goodbye is queued (QUIT, too many errors, a disconnect rule): nothing more


# The members as module constants: on CPython 3.11 reading a member through its class is a descriptor
# call (about ten times a global lookup), and the connection compares the state on every line.
COMMAND = State.COMMAND
SASL = State.SASL
DATA = State.DATA
CHUNK = State.CHUNK
CLOSED = State.CLOSED
