"""The stored form of a message: the raw bytes plus what is derived from them on first need.

Storing a message keeps only its octets. Costlier views (header fields, MIME tree, ENVELOPE,
BODYSTRUCTURE, decoded search text) are computed on first use and kept while the message is among the
:data:`DERIVED_MAX_MESSAGES` read most recently: a client that reads the same messages again finds them
ready, and reading a whole large mailbox once leaves memory bounded, not a parsed copy of every message
beside its octets. A view dropped with an old message is computed again if that message is read again.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_left
from collections import OrderedDict
from typing import Any

_BARE_LF = re.compile(rb"(?<!\r)\n")

# How many messages keep their derived views (a few KiB each for a plain message): more than an IMAP
# client's usual working set, so that FETCH ENVELOPE or SEARCH repeated over it parses nothing twice.
DERIVED_MAX_MESSAGES = 2048


def to_crlf(raw: bytes) -> bytes:
    """IMAP serves messages in CRLF form and counts sizes in it (RFC 9051 2.3.4): convert bare LF once."""
    if raw.count(b"\n") == raw.count(b"\r\n"):
        return raw
    return _BARE_LF.sub(b"\r\n", raw)


def find_header_end(raw: bytes) -> int:
    """Offset where the body starts: just past the blank line ending the header block.

    A message with no blank line is all header (RFC 5322 allows a message without a body).
    Bare-LF line ends are accepted because APPEND and HTTP injection may carry them.
    """
    if raw.startswith(b"\r\n"):
        return 2
    if raw.startswith(b"\n"):
        return 1
    crlf = raw.find(b"\r\n\r\n")
    lf = raw.find(b"\n\n")
    if crlf < 0 and lf < 0:
        return len(raw)
    if lf < 0 or (0 <= crlf < lf):
        return crlf + 4
    return lf + 2


class ParsedMessage:
    """Immutable message bytes with derived data computed at most once, on first need.

    ``source`` is exactly what was received (SMTP DATA after dot-unstuffing, an APPEND literal, a fixture
    file): it is what is persisted and what the HTTP API returns as raw. ``raw`` is its CRLF form, which
    IMAP serves and counts sizes in (RFC 9051 2.3.4); the two are one object when the source already
    uses CRLF, which is almost always. ``served`` is ``raw`` with any NUL as 0x80, and ``raw`` itself
    (the same object) when it holds none; :mod:`elektromail.mail.served` builds on it.

    Storing a message needs only its octets: ``raw``, ``header_end`` and ``served`` each scan the message,
    so each is worked out when something first reads it (most messages a test server receives are
    counted, not read). ``cache`` holds costlier views keyed by name (header fields, the MIME tree,
    BODYSTRUCTURE, sections, decoded search text); it too is made on first use, is never invalidated (the
    bytes never change), and is dropped when the message falls out of the most recently read (see the
    module). The few small answers that clients ask of every message again and again (ENVELOPE, SORT
    keys, the address texts SEARCH reads) have slots of their own and stay: a client that re-reads the
    ENVELOPEs of a large mailbox must not pay for parsing every message again.
    """

    __slots__ = (
        "__weakref__",
        "_cache",
        "_header_end",
        "_raw",
        "_served",
        "address_texts",
        "envelope_own",
        "envelope_shared",
        "octet_facts",
        "sort_keys",
        "source",
    )

    def __init__(self, source: bytes) -> None:
        self.source = source
        self._raw: bytes | None = None
        self._header_end = -1
        self._served: bytes | None = None
        self._cache: dict[str, Any] | None = None
        # What search may read from the octets as they are (see mail/rawsearch.py); -1 until asked.
        self.octet_facts = -1
        # The address fields as SEARCH reads them, by field name (mail/text.py address_text): kept in a
        # slot of their own because FROM/TO look one up for every message of a mailbox.
        self.address_texts: dict[str, str] | None = None
        # The ENVELOPE encoding (mail/envelope.py) and SORT keys (imap/commands/sort.py), once asked for.
        # ENVELOPE is kept in two pieces: one many messages share, and the message's own Message-ID.
        self.envelope_shared: bytes | None = None
        self.envelope_own: bytes | None = None
        self.sort_keys: dict[str, Any] | None = None

    def adopt(self, other: ParsedMessage) -> None:
        """Hold ``other``'s octets and the small answers already worked out from them, as :meth:`__init__`
        would; its views (``cache``) stay with it, among the most recently read."""
        self.source = other.source
        self._raw = other._raw
        self._header_end = other._header_end
        self._served = other._served
        self._cache = None
        self.octet_facts = other.octet_facts
        self.address_texts = other.address_texts
        self.envelope_shared = other.envelope_shared
        self.envelope_own = other.envelope_own
        self.sort_keys = other.sort_keys

    @property
    def raw(self) -> bytes:
        raw = self._raw
        if raw is None:
            raw = self._raw = to_crlf(self.source)
        return raw

    @property
    def header_end(self) -> int:
        header_end = self._header_end
        if header_end < 0:
            header_end = self._header_end = find_header_end(self.raw)
        return header_end

    @property
    def served(self) -> bytes:
        served = self._served
        if served is None:
            # A literal cannot carry NUL (RFC 9051 4.3): one that served.py could not re-encode (in a header
            # or text) is sent as 0x80, as Dovecot does; BINARY (literal8) serves the stored octets.
            raw = self.raw
            served = self._served = raw.replace(b"\x00", b"\x80") if b"\x00" in raw else raw
        return served

    @property
    def cache(self) -> dict[str, Any]:
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
            _recently_read.remember(self)
        else:
            _recently_read.touch(self)
        return cache

    @property
    def size(self) -> int:
        return len(self.raw)

    def source_slice(self, start: int, end: int) -> bytes:
        """The octets as received that ``raw[start:end]`` stands for: its bare LFs as they came, without
        the CRs the CRLF form added (what a part with ``Content-Transfer-Encoding: binary`` holds)."""
        if self.source is self.raw:
            return self.raw[start:end]
        added: list[int] | None = self.cache.get("added-crs")
        if added is None:  # where each bare LF got its CR in ``raw``: the k-th bare LF at p, the CR at p + k
            added = [match.start() + index for index, match in enumerate(_BARE_LF.finditer(self.source))]
            self.cache["added-crs"] = added
        return self.source[start - bisect_left(added, start) : end - bisect_left(added, end)]

    @property
    def header(self) -> bytes:
        return self.raw[: self.header_end]

    @property
    def body(self) -> bytes:
        return self.raw[self.header_end :]


class _RecentlyRead:
    """The messages whose derived views are kept, least recently read first. It holds them weakly (an
    expunged message is freed at once, as its octets should be); dropping one empties its ``cache``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._order: OrderedDict[int, weakref.ref[ParsedMessage]] = OrderedDict()

    def remember(self, message: ParsedMessage) -> None:
        order = self._order
        # A key left by a freed message may be taken by a new one with the same id: the new entry replaces it.
        order[id(message)] = weakref.ref(message)
        order.move_to_end(id(message))
        while len(order) > self.limit:
            _, reference = order.popitem(last=False)
            dropped = reference()
            if dropped is not None:
                dropped._cache = None

    def touch(self, message: ParsedMessage) -> None:
        try:
            self._order.move_to_end(id(message))
        except KeyError:  # emptied meanwhile from another thread: keep its views from now on
            self.remember(message)

    def __len__(self) -> int:
        return len(self._order)


_recently_read = _RecentlyRead(DERIVED_MAX_MESSAGES)
