"""LIST-EXTENDED (RFC 5258) with subscriptions: RECURSIVEMATCH, CHILDINFO, subscribed names whose
mailbox is gone, and LSUB's parents (RFC 3501 6.3.9); the answers Dovecot gives for the same tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from tests.integration.imap_client import RawImap, status_of


@pytest.fixture
def tree(server: ServerThread) -> Iterator[RawImap]:
    """top/sub/leaf subscribed (its parents are not), gone subscribed then deleted, ghost/kid subscribed
    without ever existing, lonely subscribed."""
    client = RawImap(server.imap_port)
    client.login()
    for command in (
        "CREATE top/sub/leaf",
        "CREATE gone",
        "CREATE lonely",
        "SUBSCRIBE top/sub/leaf",
        "SUBSCRIBE gone",
        "SUBSCRIBE ghost/kid",
        "SUBSCRIBE lonely",
        "DELETE gone",
    ):
        assert status_of(client.command(command)) == b"OK", command
    yield client
    client.close()


def listed(client: RawImap, command: str) -> list[bytes]:
    lines = client.command(command)
    assert status_of(lines) == b"OK"
    return sorted(lines[:-1])


CHILDINFO = b' ("CHILDINFO" ("SUBSCRIBED"))'


def test_recursivematch_lists_parents_of_unlisted_subscriptions(tree: RawImap) -> None:
    assert listed(tree, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)') == [
        b'* LIST (\\HasChildren) "/" "top"' + CHILDINFO,  # exists, not subscribed, a subscribed child
        b'* LIST (\\HasNoChildren \\Subscribed) "/" "lonely"',
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "gone"',  # subscribed, mailbox deleted
        b'* LIST (\\NonExistent \\HasNoChildren) "/" "ghost"' + CHILDINFO,  # neither exists nor subscribed
    ]


def test_recursivematch_suppresses_childinfo_when_the_child_is_listed(tree: RawImap) -> None:
    """RFC 5258 3.5: no CHILDINFO for a parent whose subscribed descendants the pattern lists anyway."""
    assert listed(tree, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" * RETURN (CHILDREN)') == [
        b'* LIST (\\HasNoChildren \\Subscribed) "/" "lonely"',
        b'* LIST (\\HasNoChildren \\Subscribed) "/" "top/sub/leaf"',
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "ghost/kid"',
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "gone"',
    ]
    assert listed(tree, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" %/%') == [
        b'* LIST (\\HasChildren) "/" "top/sub"' + CHILDINFO,
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "ghost/kid"',
    ]


def test_subscribed_without_recursivematch_lists_only_subscriptions(tree: RawImap) -> None:
    assert listed(tree, 'LIST (SUBSCRIBED) "" %') == [
        b'* LIST (\\HasNoChildren \\Subscribed) "/" "lonely"',
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "gone"',
    ]


def test_lsub_percent_shows_unsubscribed_parents_as_noselect(tree: RawImap) -> None:
    """RFC 3501 6.3.9: with "foo/bar" subscribed and "foo" not, LSUB "" % returns "foo" as \\Noselect."""
    assert listed(tree, 'LSUB "" %') == [
        b'* LSUB (\\HasNoChildren) "/" "lonely"',
        b'* LSUB (\\Noselect \\HasChildren) "/" "top"',
        b'* LSUB (\\Noselect \\HasNoChildren) "/" "ghost"',
        b'* LSUB (\\Noselect \\HasNoChildren) "/" "gone"',
    ]
    assert b'"top"' not in b"".join(listed(tree, 'LSUB "" *'))
