"""Which user a recipient address belongs to.

A configured ``user:email:pass`` entry claims its email address. Any other address goes to the user named
by its local part, case-insensitively and with a ``+tag`` suffix removed (``Alice+news@x.org`` -> ``alice``);
the domain does not matter, as on a catch-all test server.
"""

from __future__ import annotations

from collections.abc import Iterable

from elektromail.config import UserSpec

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

    def __init__(self, users: Iterable[UserSpec] = ()) -> None:
        self._by_address = {user.email.lower(): user.name.lower() for user in users if user.email}

    def user_for(self, address: str, local_part: str | None = None) -> str:
        owner = self._by_address.get(address.lower())
        if owner is not None:
            return owner
        if local_part is None:
            local_part = split_address(address)[0]
        return user_for_local_part(local_part)
