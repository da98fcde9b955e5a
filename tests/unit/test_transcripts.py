"""Session transcripts on bytes: secrets masked before they are kept, message content reduced to its
size, the size budget, the bounded registry, and the C:/S: text form."""

from __future__ import annotations

import base64
from time import monotonic

import msgspec

from elektromail.store.provenance import AuthFacts, TlsFacts
from elektromail.transcripts import Transcripts
from elektromail.transcripts.masking import SECRET, Masker, mask_imap_command, mask_smtp_command
from elektromail.transcripts.recorder import ENTRY_OVERHEAD, Transcript
from elektromail.transcripts.replay import CLIENT, SERVER, STORED, TRUNCATED
from elektromail.transcripts.views import detail, render_text, summary

PASSWORD = "s3cret-Passw0rd"
PLAIN = base64.b64encode(f"\0alice\0{PASSWORD}".encode())


def smtp(limit: int = 1 << 20) -> Transcript:
    return Transcript("smtp-test-1", "smtp", "127.0.0.1:40000", limit)


def imap(limit: int = 1 << 20) -> Transcript:
    return Transcript("imap-test-1", "imap", "127.0.0.1:40001", limit)


def assert_no_secret(text: str) -> None:
    assert PASSWORD not in text
    assert PLAIN.decode() not in text
    assert base64.b64encode(PASSWORD.encode()).decode() not in text


def test_smtp_auth_initial_response_is_masked() -> None:
    assert mask_smtp_command(b"AUTH PLAIN " + PLAIN) == (b"AUTH PLAIN " + SECRET, True)
    assert mask_smtp_command(b"auth login") == (b"auth login", True)
    assert mask_smtp_command(b"MAIL FROM:<a@b> AUTH=<>") == (b"MAIL FROM:<a@b> AUTH=<>", False)


def test_smtp_sasl_continuations_are_masked_until_the_final_reply() -> None:
    transcript = smtp()
    transcript.server_output(b"220 ready\r\n")
    transcript.client_line(b"EHLO client.example")
    transcript.server_output(b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n")
    transcript.client_line(b"AUTH LOGIN")
    transcript.server_output(b"334 VXNlcm5hbWU6\r\n")
    transcript.client_line(base64.b64encode(b"alice"))
    transcript.server_output(b"334 UGFzc3dvcmQ6\r\n")
    transcript.client_line(base64.b64encode(PASSWORD.encode()))
    transcript.server_output(b"235 2.7.0 Authentication successful\r\n")
    transcript.authenticated(AuthFacts(mechanism="LOGIN", user="alice"))
    transcript.client_line(b"MAIL FROM:<alice@example.com>")
    text = render_text(transcript)
    assert_no_secret(text)
    assert "C: EHLO client.example\n" in text
    assert "C: AUTH LOGIN\n" in text
    assert text.count("C: " + SECRET.decode()) == 2
    assert "-- authenticated as alice (LOGIN)" in text
    assert "C: MAIL FROM:<alice@example.com>\n" in text  # the exchange ended with 235


def test_xoauth2_token_and_error_challenge() -> None:
    token = base64.b64encode(b"user=alice\x01auth=Bearer ya29.TOKEN\x01\x01")
    transcript = smtp()
    transcript.client_line(b"AUTH XOAUTH2 " + token)
    transcript.server_output(b"334 eyJzdGF0dXMiOiI0MDEifQ==\r\n")
    transcript.client_line(b"")
    transcript.server_output(b"535 5.7.8 Authentication failed\r\n")
    transcript.client_line(b"QUIT")
    text = render_text(transcript)
    assert token.decode() not in text and "ya29" not in text
    assert "C: AUTH XOAUTH2 " + SECRET.decode() in text
    assert "C: QUIT" in text


def test_imap_login_password_is_masked_in_every_form() -> None:
    assert mask_imap_command(b"a1 LOGIN alice " + PASSWORD.encode()).line == b"a1 LOGIN alice " + SECRET
    assert mask_imap_command(b'a1 login "al ice" "pa ss\\" word"').line == b'a1 login "al ice" ' + SECRET
    assert mask_imap_command(b"a1 LOGIN alice {15}").line == b"a1 LOGIN alice " + SECRET
    # A literal user name: the password comes after the literal, in the command's next part.
    first = mask_imap_command(b"a1 LOGIN {5}")
    assert first.line == b"a1 LOGIN {5}" and first.hide_rest
    transcript = imap()
    transcript.client_line(b"a1 LOGIN {5}")
    transcript.client_content(5)
    transcript.client_continued(b" " + PASSWORD.encode())
    transcript.server_output(b"a1 OK LOGIN completed\r\n")
    transcript.client_line(b"a2 SELECT INBOX")
    text = render_text(transcript)
    assert_no_secret(text)
    assert "C: a1 LOGIN {5}\nC: <message content: 5 octets>\nC: " + SECRET.decode() in text
    assert "C: a2 SELECT INBOX" in text


def test_imap_authenticate_continuations_are_masked() -> None:
    transcript = imap()
    transcript.client_line(b"a1 AUTHENTICATE PLAIN")
    transcript.server_output(b"+ \r\n")
    transcript.client_line(PLAIN)
    transcript.server_output(b"a1 OK done\r\n")
    transcript.client_line(b"a2 AUTHENTICATE OAUTHBEARER " + base64.b64encode(b"n,a=alice,\x01auth=Bearer T\x01\x01"))
    transcript.server_output(b"a2 NO failed\r\n")
    transcript.client_line(b"a3 NOOP")
    text = render_text(transcript)
    assert_no_secret(text)
    assert "Bearer" not in text
    assert "C: a1 AUTHENTICATE PLAIN\nS: + \nC: " + SECRET.decode() in text
    assert "C: a2 AUTHENTICATE OAUTHBEARER " + SECRET.decode() in text
    assert "C: a3 NOOP" in text


def test_server_literals_are_summarised_within_and_across_writes() -> None:
    body = b"Subject: hi\r\n\r\n{3}\r\nsecret body}\r\n"
    transcript = imap()
    transcript.server_output(b"* 1 FETCH (BODY[] {%d}\r\n" % len(body) + body + b" FLAGS (\\Seen))\r\n")
    transcript.server_output(b"* 2 FETCH (BODY[] {%d}\r\n" % len(body))
    transcript.server_output(body[:10])
    transcript.server_output(body[10:] + b")\r\na1 OK FETCH completed\r\n")
    text = render_text(transcript)
    assert "secret body" not in text and "Subject: hi" not in text
    assert f"S: * 1 FETCH (BODY[] {{{len(body)}}}\nS: <{len(body)} octets> FLAGS (\\Seen))" in text
    assert f"S: <{len(body)} octets>\nS: )\nS: a1 OK FETCH completed" in text


def test_content_stored_and_tls_are_events() -> None:
    transcript = smtp()
    transcript.client_line(b"STARTTLS")
    transcript.server_output(b"220 go ahead\r\n")
    transcript.tls_established(TlsFacts(version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384", sni="mx.test"))
    transcript.client_line(b"DATA")
    transcript.client_content(1234)
    transcript.stored("3-17")
    transcript.end()
    text = render_text(transcript)
    assert "-- TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384, SNI mx.test" in text
    assert "C: <message content: 1234 octets>\n-- stored as message 3-17" in text
    assert text.splitlines()[-1].startswith("-- ended ")
    structured = detail(transcript)
    assert structured.message_ids == ["3-17"] and structured.tls is not None
    assert [line.direction for line in structured.lines] == ["client", "server", "event", "client", "client", "event"]
    assert all(line.ms >= 0 for line in structured.lines)
    encoded = msgspec.json.decode(msgspec.json.encode(structured))
    assert encoded["lines"][0] == {"ms": structured.lines[0].ms, "direction": "client", "text": "STARTTLS"}


def test_budget_truncates_once_and_keeps_facts() -> None:
    transcript = smtp(limit=10 * (ENTRY_OVERHEAD + 10))
    for number in range(100):
        transcript.client_line(b"NOOP %05d" % number)
    transcript.stored("1-1")
    assert transcript.truncated
    text = render_text(transcript)
    assert text.count("C: NOOP") == 10  # exactly the budget
    assert text.count("truncated") == 1
    assert summary(transcript).message_ids == ["1-1"]
    assert len(transcript.entries) == 11


def test_registry_keeps_the_newest_and_filters() -> None:
    registry = Transcripts(max_sessions=3)
    seen: list[tuple[str, str]] = []
    registry.listeners.add(lambda kind, transcript: seen.append((kind, transcript.id)))
    started = [registry.start("smtp" if n % 2 else "imap", f"127.0.0.{n}:{1000 + n}") for n in range(5)]
    assert len(registry) == 3
    assert registry.get(started[0].id) is None and registry.get(started[4].id) is started[4]
    assert [t.id for t in registry.newest_first()] == [started[4].id, started[3].id, started[2].id]
    assert [t.id for t in registry.newest_first(protocol="smtp")] == [started[3].id]
    started[2].authenticated(AuthFacts(mechanism="PLAIN", user="Alice"))
    assert [t.id for t in registry.newest_first(user="alice")] == [started[2].id]
    assert [t.id for t in registry.newest_first(client="127.0.0.4")] == [started[4].id]
    assert [t.id for t in registry.newest_first(client="127.0.0.4:1004")] == [started[4].id]
    registry.end(started[4])
    registry.end(started[4])
    assert seen[-1] == ("session.ended", started[4].id) and len(seen) == 6
    assert len({t.id for t in started}) == 5
    registry.clear()
    assert len(registry) == 0 and list(registry.newest_first()) == []
    assert registry.start("smtp", None).id not in {t.id for t in started}


def test_recording_off_keeps_ids_and_facts_but_no_lines() -> None:
    registry = Transcripts(enabled=False)
    transcript = registry.start("smtp", "127.0.0.1:1")
    transcript.client_line(b"EHLO x")
    transcript.authenticated(AuthFacts(mechanism="PLAIN", user="alice"))
    assert transcript.entries == [] and transcript.auth is not None
    assert len(registry) == 0 and registry.get(transcript.id) is None


def test_sessions_page_by_cursor() -> None:
    registry = Transcripts(max_sessions=100)
    started = [registry.start("smtp", f"127.0.0.1:{n}") for n in range(1, 24)]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page, total, cursor = registry.page(limit=5, cursor=cursor)
        assert total == 23
        seen += [t.id for t in page]
        if cursor is None:
            break
    assert seen == [t.id for t in reversed(started)]
    page, total, cursor = registry.page(limit=5, protocol="imap")
    assert (page, total, cursor) == ([], 0, None)


def test_an_smtp_exchange_is_the_line_then_its_replies_at_one_moment() -> None:
    transcript = smtp()
    transcript.server_output(b"220 ready\r\n")
    transcript.exchange(b"EHLO client.example", b"250-mx\r\n250 PIPELINING\r\n", monotonic())
    transcript.exchange(b"MAIL FROM:<a@example.com>", None, monotonic())  # its reply comes later
    transcript.server_output(b"250 2.1.0 Ok\r\n")
    transcript.exchange(b"QUIT", b"221 2.0.0 Bye\r\n", monotonic())
    entries = transcript.entries
    assert [kind for _, kind, _ in entries] == [SERVER, CLIENT, SERVER, CLIENT, SERVER, CLIENT, SERVER]
    assert entries[1][0] == entries[2][0] and entries[5][0] == entries[6][0]
    assert [moment for moment, _, _ in entries] == sorted(moment for moment, _, _ in entries)
    lines = render_text(transcript).splitlines()[2:]
    assert lines == [
        "S: 220 ready",
        "C: EHLO client.example",
        "S: 250-mx",
        "S: 250 PIPELINING",
        "C: MAIL FROM:<a@example.com>",
        "S: 250 2.1.0 Ok",
        "C: QUIT",
        "S: 221 2.0.0 Bye",
    ]


def test_an_exchange_inside_sasl_is_masked_and_one_past_the_budget_truncates() -> None:
    transcript = smtp()
    transcript.client_line(b"AUTH LOGIN")
    transcript.server_output(b"334 VXNlcm5hbWU6\r\n")
    transcript.exchange(base64.b64encode(PASSWORD.encode()), b"235 2.7.0 Authentication successful\r\n", monotonic())
    transcript.exchange(b"NOOP", b"250 2.0.0 Ok\r\n", monotonic())
    text = render_text(transcript)
    assert_no_secret(text)
    assert "C: " + SECRET.decode() + "\nS: 235" in text and "C: NOOP\nS: 250 2.0.0 Ok" in text
    small = smtp(limit=ENTRY_OVERHEAD + 4)
    small.exchange(b"NOOP", b"250 2.0.0 Ok\r\n", monotonic())  # the line fits, its reply does not
    small.exchange(b"NOOP", b"250 2.0.0 Ok\r\n", monotonic())
    assert [kind for _, kind, _ in small.entries] == [CLIENT, TRUNCATED] and small.truncated


def test_stored_ids_are_kept_in_order_also_past_the_budget() -> None:
    transcript = smtp(limit=3 * (ENTRY_OVERHEAD + 4))
    for number in range(1000):
        transcript.stored(f"1-{number}")
    assert transcript.message_ids == tuple(f"1-{number}" for number in range(1000))
    assert [payload for _, kind, payload in transcript.entries if kind == STORED] == ["1-0", "1-1", "1-2"]
    assert transcript.truncated


def test_server_output_with_braces_but_no_literal_is_kept_whole() -> None:
    transcript = imap()
    response = b'* 1 FETCH (ENVELOPE (NIL "{braces} {3}" NIL))\r\n'
    transcript.server_output(response)
    transcript.server_output(b"a1 OK done\r\n")
    assert [payload for _, _, payload in transcript.entries] == [response, b"a1 OK done\r\n"]


def test_registry_finds_sessions_by_number_across_eviction_and_clear() -> None:
    registry = Transcripts(max_sessions=2)
    first = [registry.start("smtp", None) for _ in range(5)]
    assert [registry.get(t.id) for t in first] == [None, None, None, first[3], first[4]]
    registry.clear()
    after = registry.start("imap", None)
    assert registry.get(after.id) is after and registry.get(first[4].id) is None
    assert registry.get(after.id.replace("imap", "smtp")) is None


def test_masker_follows_the_dialogue_in_order() -> None:
    masker = Masker(smtp=False)
    assert masker.client(b"a1 NOOP") == b"a1 NOOP"
    assert masker.client(b"a2 AUTHENTICATE PLAIN") == b"a2 AUTHENTICATE PLAIN"
    masker.server(b"+ \r\n")
    assert masker.client(PLAIN) == SECRET  # a continuation line of the exchange
    masker.server(b"a2 NO [AUTHENTICATIONFAILED] no\r\n")
    assert masker.client(b"a3 LOGIN {5}") == b"a3 LOGIN {5}"
    assert masker.continued(b" " + PASSWORD.encode()) == SECRET
    assert masker.client(b"a4 SELECT {5}") == b"a4 SELECT {5}"
    assert masker.continued(b" (CONDSTORE)") == b" (CONDSTORE)"
    smtp_masker = Masker(smtp=True)
    assert smtp_masker.client(b"AUTH PLAIN " + PLAIN) == b"AUTH PLAIN " + SECRET
    smtp_masker.server(b"334 \r\n")  # a continuation keeps the exchange going
    assert smtp_masker.client(b"anything") == SECRET
    smtp_masker.server(b"235 2.7.0 ok\r\n")
    assert smtp_masker.client(b"MAIL FROM:<a@b>") == b"MAIL FROM:<a@b>"


def test_lines_are_kept_as_said_and_masked_for_every_reader() -> None:
    transcript = imap()
    transcript.client_line(b"a1 LOGIN alice " + PASSWORD.encode())
    transcript.server_output_many((b"a1 OK ", b"LOGIN completed\r\n"))
    assert all(PASSWORD.encode() not in payload for _, _, payload in transcript.entries if isinstance(payload, bytes))
    assert_no_secret(render_text(transcript))
    assert_no_secret(msgspec.json.encode(detail(transcript)).decode())


def test_a_session_timed_by_another_clock_is_in_its_milliseconds() -> None:
    ticks = iter([100.0, 100.25, 100.5])
    registry = Transcripts()
    transcript = registry.start("smtp", "127.0.0.1:1", lambda: next(ticks))
    transcript.server_output(b"220 ready\r\n")
    transcript.exchange(b"NOOP", b"250 2.0.0 Ok\r\n", 100.4)
    transcript.server_output(b"221 bye\r\n")
    assert [line.ms for line in detail(transcript).lines] == [250, 400, 400, 500]


def test_a_literal_between_plain_pieces_of_one_write_is_summarised() -> None:
    body = b"Subject: hi\r\n\r\nsecret body\r\n"
    transcript = imap()
    transcript.server_output_many(
        (b"* 1 FETCH (FLAGS (\\Seen))\r\n", b"* 2 FETCH (BODY[] {%d}\r\n" % len(body), body, b")\r\na1 OK done\r\n")
    )
    text = render_text(transcript)
    assert "secret body" not in text
    assert f"S: * 2 FETCH (BODY[] {{{len(body)}}}\nS: <{len(body)} octets>)\nS: a1 OK done" in text
