"""Every reason the store gives for a refused write has an IMAP response code."""

from __future__ import annotations

from elektromail.imap.engine import codes
from elektromail.imap.engine.store_errors import STORE_ERROR_CODES
from elektromail.store import StoreErrorCode


def test_every_store_error_code_has_an_imap_response_code() -> None:
    assert set(STORE_ERROR_CODES) == set(StoreErrorCode)
    known = {value for name, value in vars(codes).items() if name.isupper()}
    assert set(STORE_ERROR_CODES.values()) <= known
