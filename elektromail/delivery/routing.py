"""Which user a recipient address belongs to.

A user's email address (``user:email:pass`` in ``ELEKTROMAIL_USERS``, or given when the user is created over
HTTP) routes to that user. Any other address goes to the user named
by its local part, case-insensitively and with a ``+tag`` suffix removed (``Alice+news@x.org`` -> ``alice``);
the domain does not matter, as on a catch-all test server.
"""

from __future__ import annotations

from collections.abc import Callable

TAG_SEPARATOR = "+"


def user_for_local_part(local_part: str) -> str:
    base, _, _tag = local_part.partition(TAG_SEPARATOR)
    return (base or local_part).lower()


def split_address(address: str) -> tuple[str, str]:
    """``local@domain`` -> (local, domain), splitting at the last ``@`` (a quoted local part may hold one)."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address, ""
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = local[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return local, domain


class Router:
    """Maps recipient addresses to user names."""

    def __init__(self, owner_of: Callable[[str], str | None] = lambda address: None) -> None:
        # Asked on every recipient, so that users added while running are routed at once.
        self._owner_of = owner_of

    def user_for(self, address: str, local_part: str | None = None) -> str:
        owner = self._owner_of(address)
        if owner is not None:
            return owner
        if local_part is None:
            local_part = split_address(address)[0]
        return user_for_local_part(local_part)
