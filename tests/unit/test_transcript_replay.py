"""Transcript records on bytes: an SMTP message recorded in one call with the ids it was stored under
and its reply, the budget's end inside such a record, and the replay of a recorder's list into entries."""

from __future__ import annotations

import base64

from elektromail.store.provenance import AuthFacts
from elektromail.transcripts.recorder import ENTRY_OVERHEAD, Transcript
from elektromail.transcripts.replay import AUTH, CLIENT, CONTENT, SERVER, STORED, TRUNCATED, replay
from elektromail.transcripts.views import render_text

ACCEPTED = b"250 2.0.0 Message accepted for delivery\r\n"


def smtp(limit: int = 1 << 20) -> Transcript:
    return Transcript("smtp-test-1", "smtp", "127.0.0.1:40000", limit)


def test_a_message_its_stored_ids_and_reply_are_one_record_in_order() -> None:
    transcript = smtp()
    transcript.exchange(b"DATA", b"354 go ahead\r\n", 10.0)
    transcript.delivered = ["1-7", "2-3"]  # a copy for each of two users
    transcript.message(4000, ACCEPTED, 10.5)
    transcript.exchange(b"QUIT", b"221 bye\r\n", 11.0)
    entries = transcript.entries
    assert [(moment, kind) for moment, kind, _ in entries] == [
        (10.0, CLIENT),
        (10.0, SERVER),
        (10.5, CONTENT),
        (10.5, STORED),
        (10.5, STORED),
        (10.5, SERVER),
        (11.0, CLIENT),
        (11.0, SERVER),
    ]
    assert [payload for _, kind, payload in entries if kind in (CONTENT, STORED)] == [4000, "1-7", "2-3"]
    assert transcript.message_ids == ("1-7", "2-3") and transcript.delivered is None
    text = render_text(transcript)
    assert "C: <message content: 4000 octets>\n-- stored as message 1-7\n-- stored as message 2-3\nS: 250 2.0.0" in text


def test_a_message_whose_reply_comes_later_and_one_refused() -> None:
    transcript = smtp()
    transcript.message(12, None, 1.0)  # delivery still under way: neither ids nor reply yet
    transcript.stored("1-1")
    transcript.server_output(ACCEPTED)
    transcript.message(13, b"554 5.7.1 refused\r\n", 2.0)  # refused: stored nowhere
    kinds = [kind for _, kind, _ in transcript.entries]
    assert kinds == [CONTENT, STORED, SERVER, CONTENT, SERVER]
    assert transcript.message_ids == ("1-1",)


def test_a_message_past_the_budget_is_recorded_up_to_the_marker_and_its_ids_are_kept() -> None:
    transcript = smtp(limit=2 * ENTRY_OVERHEAD + 4 + 5 + 8 + ENTRY_OVERHEAD)  # the exchange and the content fit
    transcript.exchange(b"DATA", b"354\r\n", 1.0)
    transcript.delivered = ["1-1"]
    transcript.message(100, ACCEPTED, 2.0)
    transcript.delivered = ["1-2"]
    transcript.message(100, ACCEPTED, 3.0)
    assert [kind for _, kind, _ in transcript.entries] == [CLIENT, SERVER, CONTENT, TRUNCATED]
    assert transcript.truncated and transcript.message_ids == ("1-1", "1-2")
    assert render_text(transcript).count("truncated") == 1


def test_replay_reads_every_shape_of_record_and_masks_in_order() -> None:
    secret = base64.b64encode(b"\0alice\0pw")
    log: list[object] = [
        1.0, None, b"220 ready\r\n",
        2.0, b"AUTH PLAIN " + secret, None,
        2.0, AuthFacts(mechanism="PLAIN", user="alice"), None,
        2.0, None, b"235 ok\r\n",
        3.0, (5, ["1-1"]), ACCEPTED,
        4.0, ["1-2", "1-3"], None,
        5.0, None, None,
    ]  # fmt: skip
    entries = replay(log, smtp=True)
    assert [kind for _, kind, _ in entries] == [
        SERVER, CLIENT, AUTH, SERVER, CONTENT, STORED, SERVER, STORED, STORED, TRUNCATED
    ]  # fmt: skip
    assert entries[1][2] == b"AUTH PLAIN <secret masked>"
    assert all(secret not in payload for _, _, payload in entries if isinstance(payload, bytes))
    assert replay(log[:-2], smtp=True) == entries[:-1]  # a record being written is not read half-way


def test_commands_pipelined_after_an_accepted_auth_show_and_after_a_refused_one_stay_masked() -> None:
    secret = base64.b64encode(b"\0alice\0pw")
    accepted: list[object] = [
        1.0, b"AUTH PLAIN " + secret, None,
        1.0, AuthFacts(mechanism="PLAIN", user="alice"), None,
        1.0, b"NOOP", None,
        1.0, None, b"235 ok\r\n250 ok\r\n",
    ]  # fmt: skip
    assert [payload for _, kind, payload in replay(accepted, smtp=True) if kind == CLIENT][1] == b"NOOP"
    refused: list[object] = [
        1.0, b"AUTH PLAIN " + secret, None,
        1.0, b"NOOP", None,  # may be a response of the exchange, as far as anyone reading can tell
        1.0, None, b"535 no\r\n250 ok\r\n",
        2.0, b"NOOP", None,
    ]  # fmt: skip
    clients = [payload for _, kind, payload in replay(refused, smtp=True) if kind == CLIENT]
    assert clients == [b"AUTH PLAIN <secret masked>", b"<secret masked>", b"NOOP"]
