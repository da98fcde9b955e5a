"""The capabilities the greeting announces are listed once, before any command module loads; every one of
them is claimed by the module that implements it, and a module cannot implement one left unannounced."""

from __future__ import annotations

import pytest

from elektromail.imap.engine import command_table
from elektromail.imap.engine.command_table import CAPABILITIES, capability, load_commands


def test_every_announced_capability_is_implemented() -> None:
    load_commands()
    assert set(CAPABILITIES) == command_table.CLAIMED
    assert len(CAPABILITIES) == len(set(CAPABILITIES))


def test_an_unannounced_capability_is_refused() -> None:
    with pytest.raises(ValueError, match="X-UNLISTED"):
        capability("X-UNLISTED")
    assert "X-UNLISTED" not in command_table.CLAIMED
