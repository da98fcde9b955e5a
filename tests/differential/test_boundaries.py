"""Where a nested multipart ends when an enclosing boundary closes it (RFC 2046 5.1.1), over a real socket:
after a last part that is all header, a close delimiter or a delimiter with transport padding, the CRLF
before the enclosing boundary ends that line and BODY[1] keeps it, where Dovecot ends it too; after a part
with a body, the CRLF belongs to the boundary (as CPython's msg_38.txt shows)."""

from __future__ import annotations

import pytest

from bench.peers.dovecot import dovecot_available
from tests.differential.servers import dovecot_with, elektromail_with
from tests.differential.wire import Client, fetch_items

OUTER = b'Content-Type: multipart/mixed; boundary="O"\r\n\r\n--O\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
INNER = b'--M\r\nContent-Type: multipart/alternative; boundary="I"\r\n\r\n--I\r\n\r\ntext\r\n'
LAST = b"\r\n--O\r\n\r\nlast\r\n--O--\r\n"
# (message, the BODY[1] it must give): the shape of msg_38.txt, an inner boundary line with transport
# padding ending the innermost multipart, then a part that is all header closed by the outer boundary.
CASES = [
    (OUTER + INNER + b"--M \r\nand " + LAST, INNER + b"--M \r\nand \r\n"),
    (OUTER + INNER + b"--M--\r\n--O\r\n\r\nlast\r\n--O--\r\n", INNER + b"--M--\r\n"),
    (OUTER + INNER + b"--M\r\nX: y\r\n\r\n--O  \r\n\r\nlast\r\n--O--\r\n", INNER + b"--M\r\nX: y\r\n\r\n"),
    (OUTER + INNER + b"--M\r\n\r\nbody" + LAST, INNER + b"--M\r\n\r\nbody"),
]


def _bodies(client: Client) -> list[object]:
    assert client.command(b"SELECT INBOX").status == "OK"
    found: list[object] = []
    for number in range(1, len(CASES) + 1):
        reply = client.command(b"FETCH %d (BODY.PEEK[1])" % number)
        assert reply.status == "OK", reply.text
        found.append(dict(fetch_items(reply.untagged[-1])[1])["BODY[1]"])
    return found


def test_a_nested_multipart_ends_before_or_after_the_crlf_as_its_last_line_says() -> None:
    with elektromail_with([message for message, _ in CASES]) as client:
        assert _bodies(client) == [expected for _, expected in CASES]


@pytest.mark.skipif(not dovecot_available(), reason="dovecot-imapd is not installed")
def test_nested_multipart_ends_as_dovecot() -> None:
    messages = [message for message, _ in CASES]
    with elektromail_with(messages) as ours, dovecot_with(messages) as theirs:
        assert _bodies(ours) == _bodies(theirs)
