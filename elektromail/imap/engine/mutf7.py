"""Modified UTF-7 for mailbox names (RFC 3501 5.1.3), used with clients that have not enabled UTF-8."""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode


class MailboxNameError(ValueError):
    """Bytes that are not valid modified UTF-7."""


def _is_direct(ch: str) -> bool:
    return "\x20" <= ch <= "\x7e"


def encode(name: str) -> str:
    """Unicode mailbox name -> modified UTF-7 (printable ASCII stays, "&" becomes "&-")."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if _is_direct(ch):
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def decode(text: str) -> str:
    """Modified UTF-7 -> Unicode; raises :class:`MailboxNameError` on anything RFC 3501 5.1.3 forbids."""
    if "&" not in text:
        if not (text.isascii() and text.isprintable()):  # printable ASCII is exactly U+0020 to U+007E
            raise MailboxNameError("mailbox name has characters outside printable ASCII")
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if not _is_direct(ch):
            raise MailboxNameError("mailbox name has characters outside printable ASCII")
        if ch != "&":
            out.append(ch)
            i += 1
            continue
        end = text.find("-", i + 1)
        if end < 0:
            raise MailboxNameError("unterminated modified UTF-7 shift")
        chunk = text[i + 1 : end]
        i = end + 1
        if not chunk:
            out.append("&")
            continue
        decoded = _decode_chunk(chunk)
        out.append(decoded)
    result = "".join(out)
    if encode(result) != text:  # rejects non-canonical forms such as encoded printable ASCII
        raise MailboxNameError("non-canonical modified UTF-7")
    return result


def _decode_chunk(chunk: str) -> str:
    if any(not (c.isascii() and (c.isalnum() or c in "+,")) for c in chunk):
        raise MailboxNameError("invalid modified base64")
    b64 = chunk.replace(",", "/")
    b64 += "=" * (-len(b64) % 4)
    try:
        data = b64decode(b64, validate=True)
        if len(data) % 2:
            raise MailboxNameError("modified UTF-7 is not whole UTF-16 units")
        return data.decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        raise MailboxNameError("invalid modified UTF-7") from None
