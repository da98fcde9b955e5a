"""GET /events over real sockets: what is published for deliveries, flags, expunges, sessions, rules and
resets; the filters; resuming with Last-Event-ID; resync when the replay is gone; the token; the typed
client's iterators."""

from __future__ import annotations

import asyncio
import imaplib
import json
import smtplib
import socket
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from elektromail import ServerThread
from elektromail.client import AsyncClient, Client
from elektromail.store.model import MailboxEvent
from tests.conftest import ServerFactory
from tests.servers import client_host, require_in_process

pytestmark = pytest.mark.timeout(60)

Event = tuple[str, str, dict[str, object]]  # id, type, data


def base(server: ServerThread) -> str:
    return f"http://{client_host()}:{server.http_port}"


class Stream:
    """A raw SSE reader on a thread, collecting events as they come."""

    def __init__(self, server: ServerThread, params: dict[str, str] | None = None, **headers: str) -> None:
        self.events: list[Event] = []
        self.status = 0
        self.opened = threading.Event()
        self.client = httpx.Client(base_url=base(server), timeout=httpx.Timeout(10, read=30))
        self.params = params or {}
        self.headers = {name.replace("_", "-"): value for name, value in headers.items()}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.opened.wait(10)

    def _run(self) -> None:
        try:
            with self.client.stream("GET", "/events", params=self.params, headers=self.headers) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.opened.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if not line:
                        if "data" in fields:
                            self.events.append((fields["id"], fields["event"], json.loads(fields["data"])))
                        fields = {}
                    elif not line.startswith(":"):
                        name, _, value = line.partition(": ")
                        fields[name] = value
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()

    def wait_for(self, count: int, limit: float = 10) -> list[Event]:
        deadline = time.monotonic() + limit
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"only {self.events}"
            time.sleep(0.01)
        return self.events

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def streams() -> Iterator[list[Stream]]:
    opened: list[Stream] = []
    yield opened
    for stream in opened:
        stream.close()


def send(server: ServerThread, to: str, subject: str) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("sender@example.com", [to], f"Subject: {subject}\r\n\r\nbody\r\n".encode())


def test_store_changes_are_streamed(http_server: ServerThread, streams: list[Stream]) -> None:
    stream = Stream(http_server, {"types": "message"})
    streams.append(stream)
    assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
    send(http_server, "alice@example.com", "hello")
    ((_, kind, data),) = stream.wait_for(1)
    assert kind == "message.stored"
    assert data == {"user": "alice", "mailbox": "INBOX", "uid": 1, "message_id": data["message_id"]}
    with httpx.Client(base_url=base(http_server)) as http:
        assert http.get(f"/messages/by-id/{data['message_id']}").json()["subject"] == "hello"
        http.patch(f"/messages/by-id/{data['message_id']}", json={"add": ["\\Seen"]})
        http.delete(f"/messages/by-id/{data['message_id']}")
    events = stream.wait_for(3)
    assert [(kind, data.get("flags")) for _, kind, data in events[1:]] == [
        ("message.flags", ["\\Seen"]),
        ("message.expunged", None),
    ]
    assert len({event_id for event_id, _, _ in events}) == 3


def test_filters_by_user_mailbox_and_type(http_server: ServerThread, streams: list[Stream]) -> None:
    for_alice = Stream(http_server, {"user": "ALICE"})
    sessions = Stream(http_server, {"types": "session.started,session.ended"})
    archive = Stream(http_server, {"mailbox": "Archive"})
    streams += [for_alice, sessions, archive]
    send(http_server, "user@example.com", "not for alice")
    send(http_server, "alice@example.com", "for alice")
    kinds = [kind for _, kind, _ in for_alice.wait_for(1)]
    assert kinds == ["message.stored"]
    session_events = sessions.wait_for(4)
    assert [kind for _, kind, _ in session_events] == ["session.started", "session.ended"] * 2
    assert session_events[0][2]["protocol"] == "smtp" and session_events[0][2]["session_id"]
    with httpx.Client(base_url=base(http_server)) as http:
        http.post("/inject", json={"to": "alice", "subject": "filed", "text": "x", "mailbox": "Archive"})
        assert http.put("/rules", json=[]).status_code == 200
        assert http.post("/reset").status_code == 200
        assert http.get("/events", params={"types": "message.sent"}).status_code == 400
    archived = archive.wait_for(3)
    assert [kind for _, kind, _ in archived[:2]] == ["mailbox.created", "message.stored"]
    assert archived[1][2]["mailbox"] == "Archive" and archived[1][2]["user"] == "alice"
    assert [kind for _, kind, _ in archived][-1] == "reset"  # every subscriber hears of a reset
    assert "rules.changed" not in [kind for _, kind, _ in archived]


def test_resume_with_last_event_id_and_resync(http_server: ServerThread, streams: list[Stream]) -> None:
    first = Stream(http_server, {"types": "message.stored"})
    streams.append(first)
    for number in range(3):
        send(http_server, "alice@example.com", f"m{number}")
    events = first.wait_for(3)
    resumed = Stream(http_server, {"types": "message.stored"}, last_event_id=events[0][0])
    streams.append(resumed)
    assert [event_id for event_id, _, _ in resumed.wait_for(2)] == [event_id for event_id, _, _ in events[1:]]
    by_query = Stream(http_server, {"types": "message.stored", "last_event_id": events[1][0]})
    streams.append(by_query)
    assert [event_id for event_id, _, _ in by_query.wait_for(1)] == [events[2][0]]
    foreign = Stream(http_server, {"types": "message.stored"}, last_event_id="deadbeef-3")
    streams.append(foreign)
    ((_, kind, data),) = foreign.wait_for(1)
    assert kind == "resync" and data == {}


def test_message_stored_is_published_before_waits_wake(http_server: ServerThread, streams: list[Stream]) -> None:
    """The event and a pending /messages/wait come from one publication in one loop turn: when the
    wait is woken, the stream already has the event queued."""
    require_in_process(http_server)
    stream = Stream(http_server, {"types": "message.stored"})
    streams.append(stream)
    context = http_server.server.context
    assert context is not None
    seen_at_wake: list[str] = []

    def on_delivery(event: MailboxEvent) -> None:
        seen_at_wake.append(context.events.last_id)

    async def listen() -> None:
        context.store.delivery_listeners.add(on_delivery)

    http_server.call(listen)
    answers: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: answers.append(
            httpx.get(f"{base(http_server)}/messages/wait", params={"user": "alice", "timeout": "10"}, timeout=15)
        )
    )
    waiting.start()
    time.sleep(0.2)
    send(http_server, "alice@example.com", "now")
    waiting.join(15)
    ((event_id, _, data),) = stream.wait_for(1)
    assert seen_at_wake == [event_id]
    assert answers[0].status_code == 200 and answers[0].json()["messages"][0]["id"] == data["message_id"]


def test_the_token_applies(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, http_token="s3cret")
    with httpx.Client(base_url=base(server), timeout=5) as http:
        assert http.get("/events").status_code == 401
        with http.stream("GET", "/events", headers={"authorization": "Bearer s3cret"}) as response:
            assert response.status_code == 200


def test_typed_clients_iterate_events(http_server: ServerThread) -> None:
    def deliver_soon() -> None:
        time.sleep(0.3)
        send(http_server, "alice@example.com", "typed")

    threading.Thread(target=deliver_soon, daemon=True).start()
    with Client(base(http_server)) as mail:
        for event in mail.events(user="alice", types="message.stored"):
            assert event.type == "message.stored" and event.data.user == "alice" and event.id
            first_id = event.id
            break

    async def read_async() -> list[str]:
        async with AsyncClient(base(http_server)) as mail:
            seen = []
            async for event in mail.events(types=["message.stored"], last_event_id="unknown-1"):
                seen.append(event.type)
                if len(seen) == 2:
                    break
                send_in_thread = asyncio.to_thread(send, http_server, "alice@example.com", "async")
                await send_in_thread
            return seen

    assert asyncio.run(read_async()) == ["resync", "message.stored"]
    assert first_id


def test_mailboxes_and_users_are_streamed(http_server: ServerThread, streams: list[Stream]) -> None:
    stream = Stream(http_server, {"types": "mailbox,user"})
    streams.append(stream)
    with httpx.Client(base_url=base(http_server)) as http:
        assert http.post("/users", json={"name": "erin", "password": "pw"}).status_code == 201
    imap = imaplib.IMAP4(client_host(), http_server.imap_port, timeout=10)
    imap.login("erin", "pw")
    assert imap.create("Projects")[0] == "OK"
    assert imap.rename("Projects", "Done")[0] == "OK"
    assert imap.delete("Done")[0] == "OK"
    imap.logout()
    with httpx.Client(base_url=base(http_server)) as http:
        assert http.delete("/users/erin").status_code == 204
    events = [(kind, data) for _, kind, data in stream.wait_for(6)]
    assert events == [
        ("user.created", {"user": "erin"}),
        ("mailbox.created", {"user": "erin", "mailbox": "INBOX"}),
        ("mailbox.created", {"user": "erin", "mailbox": "Projects"}),
        ("mailbox.renamed", {"user": "erin", "mailbox": "Done", "old_name": "Projects"}),
        ("mailbox.deleted", {"user": "erin", "mailbox": "Done"}),
        ("user.deleted", {"user": "erin"}),
    ]


def test_a_closed_stream_unsubscribes(http_server: ServerThread) -> None:
    require_in_process(http_server)
    context = http_server.server.context
    assert context is not None
    deadline = time.monotonic() + 10
    with socket.create_connection((client_host(), http_server.http_port), timeout=5) as raw:
        raw.sendall(b"GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 200 ")
        while context.events.subscribers != 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    while context.events.subscribers != 0:
        assert time.monotonic() < deadline, "the subscription outlived its connection"
        time.sleep(0.01)


def read_until(raw: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        data = raw.recv(65536)
        assert data, f"closed before {marker!r}: {received!r}"
        received += data
    return received


class ChunkedReader:
    """One raw HTTP/1.1 stream of ``message.stored`` events: its chunks undone as they come (each must end
    with CRLF), and inflated when it asked for the deflate coding."""

    def __init__(self, server: ServerThread, deflate: bool) -> None:
        self.raw = socket.create_connection((client_host(), server.http_port), timeout=10)
        coding = b"Accept-Encoding: gzip, deflate\r\n" if deflate else b""
        self.raw.sendall(b"GET /events?types=message.stored HTTP/1.1\r\nHost: localhost\r\n" + coding + b"\r\n")
        head = read_until(self.raw, b"\r\n\r\n")
        self.head, _, self.pending = head.partition(b"\r\n\r\n")
        self.inflater = zlib.decompressobj() if deflate else None
        self.text = b""
        self.ended = False  # the last chunk of the body came

    def __enter__(self) -> ChunkedReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.raw.close()

    def read_until(self, marker: bytes) -> bytes:
        while not self._undo_chunks() and marker not in self.text:
            self._receive()
        return self.text

    def read_to_end(self) -> None:
        while not self._undo_chunks():
            self._receive()

    def _receive(self) -> None:
        data = self.raw.recv(65536)
        assert data, f"closed before the body ended: {self.text!r}"
        self.pending += data

    def _undo_chunks(self) -> bool:
        """Take every whole chunk received; whether the last chunk of the body has come."""
        while not self.ended and (end := self.pending.find(b"\r\n")) >= 0:
            size = int(self.pending[:end], 16)
            if len(self.pending) < end + 2 + size + 2:
                break
            chunk = self.pending[end + 2 : end + 2 + size]
            assert self.pending[end + 2 + size : end + 4 + size] == b"\r\n"
            self.pending = self.pending[end + 4 + size :]
            self.ended = size == 0
            self.text += chunk if self.inflater is None else self.inflater.decompress(chunk)
        return self.ended


def test_chunked_stream_over_http_1_1(http_server: ServerThread) -> None:
    """The body is valid chunked transfer coding: the opening, then each event as it comes."""
    with ChunkedReader(http_server, deflate=False) as reader:
        head = reader.head.lower()
        assert b"transfer-encoding: chunked" in head and b"text/event-stream" in head
        send(http_server, "alice@example.com", "chunked")
        decoded = reader.read_until(b"event: message.stored\ndata: {")
        assert not reader.ended  # every chunk so far held octets
    assert decoded.startswith(b"retry: ") and b"event: message.stored\ndata: {" in decoded


def test_stream_over_http_1_0_and_head(http_server: ServerThread) -> None:
    """An HTTP/1.0 client's body ends with the connection, so the events come unframed; HEAD has none."""
    with socket.create_connection((client_host(), http_server.http_port), timeout=10) as raw:
        raw.sendall(b"GET /events?types=message.stored HTTP/1.0\r\nHost: localhost\r\n\r\n")
        head = read_until(raw, b"retry: ")
        assert head.startswith(b"HTTP/1.1 200 ") and b"transfer-encoding" not in head.lower()
        send(http_server, "alice@example.com", "old client")
        assert b"\r\n" not in read_until(raw, b"event: message.stored\ndata: ").partition(b"\r\n\r\n")[2]
    with httpx.Client(base_url=base(http_server), timeout=10) as http:
        answer = http.head("/events")
        assert answer.status_code == 200 and answer.content == b""
        assert answer.headers["content-type"].startswith("text/event-stream")


def test_a_client_that_stops_reading_is_cut_off_and_resumes(http_server: ServerThread) -> None:
    """A stream whose client reads nothing while thousands of events are published is cut off (its body
    ends) instead of holding them; reconnecting with the last id it read gives every event it missed."""
    with httpx.Client(base_url=base(http_server), timeout=30) as http, socket.socket() as raw:
        for number in range(200):
            http.post("/inject", json={"to": "alice", "subject": f"m{number}", "text": "x"}).raise_for_status()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(30)
        raw.connect((client_host(), http_server.http_port))
        raw.sendall(b"GET /events?types=message.flags HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_until(raw, b"retry: ").startswith(b"HTTP/1.1 200 ")
        keywords = [f"keyword-{number:02}-{'x' * 60}" for number in range(60)]
        for _ in range(10):  # 4,000 events, half of them 4.5 KB: far more than the socket buffers hold
            for change in ({"add": keywords}, {"remove": keywords}):
                answer = http.post("/messages/flags", json={"q": "user:alice", **change})
                assert answer.json()["changed"] == 200
        received = b""
        while not received.endswith(b"\r\n0\r\n\r\n"):  # the end of the chunked body: cut off
            data = raw.recv(65536)
            assert data, "the connection closed without ending the body"
            received += data
            assert received.count(b"id: ") < 4000, "never cut off"
        ids = [line[4:].decode() for line in received.split(b"\n") if line.startswith(b"id: ")]
        assert 0 < len(ids) < 4000
        last = ids[-1]
        resumed: list[str] = []
        with http.stream("GET", "/events", params={"types": "message.flags"}, headers={"last-event-id": last}) as r:
            for line in r.iter_lines():
                if line.startswith("id: "):
                    resumed.append(line[4:])
                    if len(resumed) == 4000 - len(ids):
                        break
    numbers = [int(event_id.rpartition("-")[2]) for event_id in ids + resumed]
    assert numbers == list(range(numbers[0], numbers[0] + 4000))


def test_deflated_stream(make_server: ServerFactory) -> None:
    """A client that accepts deflate gets the stream deflated: every event inflates as soon as it comes,
    streams opened at different moments share what they hear, and the server's stop ends each one with
    a zlib trailer whose checksum zlib verifies."""
    server = make_server(http_port=0)
    early = ChunkedReader(server, deflate=True)
    head = early.head.lower()
    assert b"content-encoding: deflate" in head and b"vary: accept-encoding" in head, head
    send(server, "alice@example.com", "first")
    early.read_until(b'"uid":1,')
    late = ChunkedReader(server, deflate=True)
    late.read_until(b"retry: ")
    for number in (2, 3):
        send(server, "alice@example.com", f"message {number}")
    for reader in (early, late):
        reader.read_until(b'"uid":3,')
    server.stop()
    for reader in (early, late):
        with reader:
            reader.read_to_end()
        assert reader.inflater is not None and reader.inflater.eof and reader.inflater.unused_data == b""
    assert early.text.count(b"event: message.stored\n") == 3
    assert late.text.count(b"event: message.stored\n") == 2
    assert early.text.startswith(b"retry: ") and late.text.startswith(b"retry: ")
    assert late.text.partition(b"\n\n")[2] in early.text


def test_a_client_that_does_not_ask_gets_no_coding(http_server: ServerThread) -> None:
    with socket.create_connection((client_host(), http_server.http_port), timeout=10) as raw:
        raw.sendall(b"GET /events HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, deflate;q=0\r\n\r\n")
        head = read_until(raw, b"retry: ")
        assert b"content-encoding" not in head.lower() and b"vary: accept-encoding" in head.lower()
