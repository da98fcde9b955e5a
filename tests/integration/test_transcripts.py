"""Session transcripts over real sockets: what a client said and heard, TLS and AUTH facts, secrets never
shown, bounded, listed and filtered by /sessions, cleared by /reset and /purge, off when configured."""

from __future__ import annotations

import base64
import imaplib
import re
import smtplib

import httpx
import pytest

from elektromail import ServerThread
from elektromail.config import UserSpec
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap
from tests.integration.tls_client import client_context
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)

PASSWORD = "Tr4nscript-Secret"
MESSAGE = b"From: a@example.com\r\nTo: alice@example.com\r\nSubject: recorded\r\n\r\nbody\r\n"


@pytest.fixture
def http_server(make_server: ServerFactory) -> ServerThread:
    return make_server(http_port=0, users=(UserSpec("alice", PASSWORD, "alice@example.com"),))


def api(server: ServerThread) -> httpx.Client:
    return httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10)


def newest_session(http: httpx.Client, protocol: str = "smtp") -> dict[str, object]:
    sessions = http.get("/sessions", params={"protocol": protocol}).json()["sessions"]
    assert sessions, "no session recorded"
    newest: dict[str, object] = sessions[0]
    return newest


def assert_no_secret(text: str) -> None:
    assert PASSWORD not in text
    assert base64.b64encode(PASSWORD.encode()).decode() not in text
    assert base64.b64encode(f"\0alice\0{PASSWORD}".encode()).decode() not in text
    assert base64.b64encode(f"alice\0alice\0{PASSWORD}".encode()).decode() not in text


def test_starttls_and_auth_plain_are_recorded_without_the_password(http_server: ServerThread) -> None:
    with smtplib.SMTP("localhost", http_server.smtp_port, local_hostname="tester.example", timeout=10) as smtp:
        smtp.ehlo()
        smtp.starttls(context=client_context(http_server))
        smtp.ehlo()
        smtp.user, smtp.password = "alice", PASSWORD
        smtp.auth("PLAIN", smtp.auth_plain)  # with an initial response
        smtp.sendmail("a@example.com", ["alice@example.com"], MESSAGE)
    with api(http_server) as http:
        session = newest_session(http)
        text = http.get(f"/sessions/{session['id']}/transcript")
        assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
        transcript = text.text
        assert_no_secret(transcript)
        assert "C: ehlo tester.example\n" in transcript
        assert "C: STARTTLS\nS: 220 " in transcript
        assert "-- TLS established: TLSv1.3 " in transcript and "SNI localhost" in transcript
        assert "C: AUTH PLAIN <secret masked>\n" in transcript
        assert "S: 235 2.7.0 Authentication successful\n" in transcript
        assert "-- authenticated as alice (PLAIN)" in transcript
        assert "C: <message content: " in transcript and "recorded" not in transcript
        assert "C: QUIT" in transcript
        detail = http.get(f"/sessions/{session['id']}").json()
        assert detail["helo"] == "tester.example"
        assert detail["tls"]["version"] == "TLSv1.3" and detail["tls"]["sni"] == "localhost"
        assert detail["auth"] == {"mechanism": "PLAIN", "user": "alice"}
        assert detail["client"].startswith("127.0.0.1:")
        assert detail["ended_at"] is not None
        assert_no_secret(str(detail))
        times = [line["ms"] for line in detail["lines"]]
        assert times == sorted(times) and times[0] >= 0
        assert detail["lines"][0] == {"ms": times[0], "direction": "server", "text": detail["lines"][0]["text"]}
        assert detail["lines"][0]["text"].startswith("220 ")


def test_auth_login_exchange_is_masked(http_server: ServerThread) -> None:
    with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        code, _ = smtp.docmd("AUTH", "LOGIN")
        assert code == 334
        assert smtp.docmd(base64.b64encode(b"alice").decode())[0] == 334
        assert smtp.docmd(base64.b64encode(PASSWORD.encode()).decode())[0] == 235
        smtp.noop()
    with api(http_server) as http:
        transcript = http.get(f"/sessions/{newest_session(http)['id']}/transcript").text
    assert_no_secret(transcript)
    assert (
        "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: <secret masked>\nS: 334 UGFzc3dvcmQ6\nC: <secret masked>\n"
        in transcript
    )
    assert "C: noop\nS: 250 " in transcript


def test_sessions_list_filters_and_pages(http_server: ServerThread) -> None:
    for _ in range(3):
        with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
            smtp.noop()
    with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
        smtp.login("alice", PASSWORD)
    with api(http_server) as http:
        listed = http.get("/sessions").json()
        assert listed["total"] == 4 and len(listed["sessions"]) == 4 and listed["cursor"] is None
        ids = [session["id"] for session in listed["sessions"]]
        first = http.get("/sessions", params={"limit": 3}).json()
        assert [s["id"] for s in first["sessions"]] == ids[:3] and first["cursor"] == ids[2]
        rest = http.get("/sessions", params={"limit": 3, "cursor": first["cursor"]}).json()
        assert [s["id"] for s in rest["sessions"]] == ids[3:]
        (alices,) = http.get("/sessions", params={"user": "ALICE"}).json()["sessions"]
        assert alices["id"] == ids[0] and alices["auth"]["user"] == "alice"
        assert http.get("/sessions", params={"protocol": "imap"}).json()["total"] == 0
        assert http.get("/sessions", params={"client": "127.0.0.1"}).json()["total"] == 4
        assert http.get("/sessions", params={"client": "10.0.0.1"}).json()["total"] == 0
        assert http.get("/sessions", params={"protocol": "pop3"}).status_code == 422
        assert http.get("/sessions", params={"cursor": "nonsense"}).status_code == 400
        assert http.get("/sessions/smtp-none-1").status_code == 404
        assert http.get("/sessions/smtp-none-1/transcript").status_code == 404
        assert http.post("/purge").status_code == 200
        assert http.get("/sessions").json()["total"] == 0
        assert http.get(f"/sessions/{ids[0]}").status_code == 404
        with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
            smtp.noop()
        assert http.get("/sessions").json()["total"] == 1
        assert http.post("/reset").status_code == 200
        assert http.get("/sessions").json()["total"] == 0


def test_a_transcript_stops_at_its_limit(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, transcript_kib=1)
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        for number in range(200):
            smtp.docmd("NOOP", f"number {number:04d}")
    with api(server) as http:
        session = newest_session(http)
        transcript = http.get(f"/sessions/{session['id']}/transcript").text
    assert session["truncated"] is True
    assert "number 0000" in transcript and "number 0199" not in transcript
    assert transcript.count("truncated") == 1
    assert len(transcript) < 2048


def test_oldest_sessions_are_dropped(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, transcript_sessions=2)
    for _ in range(3):
        with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
            smtp.noop()
    with api(server) as http:
        assert http.get("/sessions").json()["total"] == 2


def test_recording_off(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, transcripts=False)
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.noop()
    with api(server) as http:
        assert http.get("/sessions").json() == {"sessions": [], "total": 0, "cursor": None}


def test_an_imap_session_shows_its_commands_with_login_masked(http_server: ServerThread) -> None:
    client = imaplib.IMAP4(client_host(), http_server.imap_port, timeout=10)
    client.login("alice", PASSWORD)
    client.select("INBOX")
    appended = b"Subject: appended over IMAP\r\n\r\nsecret body text\r\n"
    assert client.append("INBOX", None, None, appended)[0] == "OK"
    client.fetch("1", "(BODY.PEEK[])")
    client.logout()
    with api(http_server) as http:
        session = newest_session(http, "imap")
        transcript = http.get(f"/sessions/{session['id']}/transcript").text
        detail = http.get(f"/sessions/{session['id']}").json()
        (stored,) = http.get("/messages", params={"user": "alice"}).json()["messages"]
    assert_no_secret(transcript)
    assert re.search(r"C: \w+ LOGIN alice <secret masked>\n-- authenticated as alice \(LOGIN\)\nS: \w+ OK ", transcript)
    assert re.search(r"C: \w+ SELECT INBOX\n", transcript)
    size = len(appended)
    assert re.search(rf"C: \w+ APPEND INBOX \{{{size}\}}\nS: \+ .*\nC: <message content: {size} octets>\n", transcript)
    assert f"-- stored as message {stored['id']}" in transcript
    assert re.search(rf"S: \* 1 FETCH \(BODY\[\] \{{{size}\}}\nS: <{size} octets>\)", transcript)
    assert "secret body text" not in transcript and "appended over IMAP" not in transcript
    assert re.search(r"C: \w+ LOGOUT\nS: \* BYE", transcript)
    assert detail["auth"] == {"mechanism": "LOGIN", "user": "alice"} and detail["message_ids"] == [stored["id"]]
    assert detail["protocol"] == "imap" and detail["helo"] is None


def test_imap_authenticate_continuations_are_masked(http_server: ServerThread) -> None:
    with RawImap(http_server.imap_port) as imap:
        imap.send(b"a1 AUTHENTICATE PLAIN\r\n")
        assert imap.read_response().startswith(b"+")
        imap.send(base64.b64encode(f"\0alice\0{PASSWORD}".encode()) + b"\r\n")
        assert imap.until_tagged("a1")[-1].startswith(b"a1 OK")
        imap.command("NOOP")
    with api(http_server) as http:
        transcript = http.get(f"/sessions/{newest_session(http, 'imap')['id']}/transcript").text
    assert_no_secret(transcript)
    exchange = "C: a1 AUTHENTICATE PLAIN\nS: + \nC: <secret masked>\n-- authenticated as alice (PLAIN)\nS: a1 OK "
    assert exchange in transcript
    assert "C: t1 NOOP\nS: t1 OK " in transcript
