"""The IMAP answer to a store write that did not happen (RFC 9051 7.1 response codes)."""

from __future__ import annotations

from elektromail.imap.engine import codes
from elektromail.store import StoreErrorCode

# A refusal is a NO with the code that names the reason.
STORE_ERROR_CODES: dict[StoreErrorCode, str] = {
    StoreErrorCode.ALREADY_EXISTS: codes.ALREADYEXISTS,
    StoreErrorCode.NO_SUCH_MAILBOX: codes.NONEXISTENT,
    StoreErrorCode.NOT_SELECTABLE: codes.NONEXISTENT,
    StoreErrorCode.USER_REMOVED: codes.NONEXISTENT,
    StoreErrorCode.INVALID_NAME: codes.CANNOT,
    StoreErrorCode.NOT_ALLOWED: codes.CANNOT,
    StoreErrorCode.HAS_CHILDREN: codes.HASCHILDREN,
}

# The disk could not take the change: the server's fault, not the client's (RFC 9051 7.1, SERVERBUG).
NOT_SAVED = "the change could not be saved (server storage failure)"
