"""SMTP transcripts whatever the shape of the reads: pipelined commands in one read, a command split
across reads, message content spread over reads with its dot-stuffing and terminator cut, BDAT chunks,
AUTH inside a pipelined read, and a transcript truncated inside one read. Over real sockets; the
transcript is read back over HTTP as people read it."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from elektromail import ServerThread
from elektromail.config import UserSpec
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)

PASSWORD = "Re4ds-Secret"
PAUSE = 0.05  # long enough for the server to read what was sent before the next piece


@pytest.fixture
def server(make_server: ServerFactory) -> ServerThread:
    return make_server(http_port=0, users=(UserSpec("alice", PASSWORD, "alice@example.com"),))


def transcript_of(server: ServerThread) -> tuple[str, dict[str, object]]:
    """The newest SMTP session's text transcript and structured form, once it has ended."""
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        for _ in range(200):
            session = http.get("/sessions", params={"protocol": "smtp"}).json()["sessions"][0]
            if session["ended_at"] is not None:
                break
            time.sleep(0.01)
        text = http.get(f"/sessions/{session['id']}/transcript").text
        detail = http.get(f"/sessions/{session['id']}").json()
    return text, detail


def body(text: str) -> list[str]:
    """The transcript's protocol lines, without the header and the end."""
    return [line for line in text.splitlines() if not line.startswith(("-- SMTP", "-- started", "-- ended"))]


def send_in_pieces(wire: Wire, *pieces: bytes) -> None:
    for piece in pieces:
        wire.send(piece)
        time.sleep(PAUSE)


def test_pipelined_commands_and_a_message_in_pieces(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO reads.example")
        wire.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n")  # one read
        assert [wire.reply()[0] for _ in range(3)] == [250, 250, 354]
        # A command split across reads first, then content whose stuffed dot and terminator are cut.
        send_in_pieces(wire, b"Subject: pieces\r\n\r\n..stuffed\r\n", b"line\r\n.", b"\r", b"\n")
        assert wire.reply()[0] == 250
        send_in_pieces(wire, b"NO", b"OP\r\n")
        assert wire.reply()[0] == 250
        wire.command("QUIT")
    text, detail = transcript_of(server)
    size = len(b"Subject: pieces\r\n\r\n.stuffed\r\nline\r\n")
    message_ids = detail["message_ids"]
    assert isinstance(message_ids, list) and len(message_ids) == 1
    message_id = message_ids[0]
    lines = body(text)
    start = lines.index("C: MAIL FROM:<a@example.com>")
    assert lines[start:] == [
        "C: MAIL FROM:<a@example.com>",
        "C: RCPT TO:<alice@example.com>",
        "C: DATA",
        "S: 250 2.1.0 Sender OK",
        "S: 250 2.1.5 Recipient OK",
        "S: 354 End data with <CR><LF>.<CR><LF>",
        f"C: <message content: {size} octets>",
        f"-- stored as message {message_id}",
        "S: 250 2.0.0 Message accepted for delivery",
        "C: NOOP",
        "S: 250 2.0.0 OK",
        "C: QUIT",
        "S: 221 2.0.0 Bye",
    ]
    assert "stuffed" not in text and "pieces" not in text


def test_bdat_chunks_in_one_read_and_across_reads(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO reads.example")
        wire.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<alice@example.com>\r\nBDAT 12\r\nSubject: x\r\n")
        assert [wire.reply()[0] for _ in range(3)] == [250, 250, 250]
        send_in_pieces(wire, b"BDAT 8 LAST\r\n\r\nbo", b"dy\r\n")
        assert wire.reply()[0] == 250
        wire.command("QUIT")
    text, detail = transcript_of(server)
    message_ids = detail["message_ids"]
    assert isinstance(message_ids, list) and len(message_ids) == 1
    message_id = message_ids[0]
    lines = body(text)
    start = lines.index("C: BDAT 12")
    assert lines[start : start + 9] == [
        "C: BDAT 12",
        "C: <message content: 12 octets>",
        "S: 250 2.1.0 Sender OK",  # the replies to the pipelined read, written together
        "S: 250 2.1.5 Recipient OK",
        lines[start + 4],
        "C: BDAT 8 LAST",
        "C: <message content: 8 octets>",
        f"-- stored as message {message_id}",
        "S: 250 2.0.0 Message accepted for delivery",
    ]
    assert lines[start + 4].startswith("S: 250 ")
    assert "Subject" not in text


def test_auth_inside_a_pipelined_read_is_masked(server: ServerThread) -> None:
    secret = base64.b64encode(f"\0alice\0{PASSWORD}".encode())
    with Wire(server.smtp_port) as wire:
        wire.send(b"EHLO reads.example\r\nAUTH PLAIN " + secret + b"\r\nNOOP\r\n")
        codes = [wire.reply()[0] for _ in range(3)]
        assert codes == [250, 235, 250]
        wire.command("QUIT")
    text, detail = transcript_of(server)
    assert PASSWORD not in text and secret.decode() not in text and secret.decode() not in str(detail)
    lines = body(text)
    start = lines.index("C: AUTH PLAIN <secret masked>")
    # Read before the AUTH's reply was written, the NOOP shows once the credentials were accepted.
    assert lines[start - 1 : start + 3] == [
        "C: EHLO reads.example",
        "C: AUTH PLAIN <secret masked>",
        "-- authenticated as alice (PLAIN)",
        "C: NOOP",
    ]


def test_a_transcript_truncated_inside_one_read_keeps_its_messages(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, transcript_kib=1)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO reads.example")
        wire.send(b"".join(b"NOOP %04d\r\n" % number for number in range(100)))  # one read, past the budget
        assert [wire.reply()[0] for _ in range(100)] == [250] * 100
        wire.command("MAIL FROM:<a@example.com>")
        wire.command("RCPT TO:<alice@example.com>")
        wire.command("DATA")
        assert wire.command(b"Subject: late\r\n\r\nbody\r\n.")[0] == 250
        wire.command("QUIT")
    text, detail = transcript_of(server)
    message_ids = detail["message_ids"]
    assert detail["truncated"] is True and isinstance(message_ids, list) and len(message_ids) == 1
    assert text.count("truncated") == 1 and "C: NOOP 0000" in text and "NOOP 0099" not in text
    assert "message content" not in text and "late" not in text


REPORTED = b"Subject: reported\r\n\r\nbody\r\n"


def test_a_delivery_that_reports_success_records_content_then_stored_then_reply(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO reads.example")
        wire.command("MAIL FROM:<a@example.com> RET=HDRS")
        assert wire.command("RCPT TO:<alice@example.com> NOTIFY=SUCCESS")[0] == 250  # a report is due
        wire.command("DATA")
        assert wire.command(REPORTED + b".")[0] == 250
        wire.command("QUIT")
    text, detail = transcript_of(server)
    message_ids = detail["message_ids"]
    assert isinstance(message_ids, list) and message_ids
    lines = body(text)
    start = lines.index("C: DATA") + 2
    assert lines[start : start + 3] == [
        f"C: <message content: {len(REPORTED)} octets>",
        f"-- stored as message {message_ids[0]}",
        lines[start + 2],
    ]
    assert lines[start + 2].startswith("S: 250 ")
