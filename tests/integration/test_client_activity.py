"""The typed client's searches, waits by query, flags, sessions and transcripts, against a real server."""

from __future__ import annotations

import asyncio
import smtplib

import pytest

from elektromail import ServerThread
from elektromail.client import ApiError, AsyncClient, Client
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)


def send(server: ServerThread, recipients: list[str], subject: str) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.ehlo("client.example")
        smtp.sendmail("app@example.com", recipients, f"Subject: {subject}\r\n\r\nbody\r\n".encode())


def test_sync_client(http_server: ServerThread) -> None:
    send(http_server, ["bob@example.com", "audit@example.com"], "first")
    send(http_server, ["bob@example.com"], "second")
    with Client(f"http://{client_host()}:{http_server.http_port}") as mail:
        page = mail.search("user:bob", limit=1)
        assert page.total == 2 and [m.subject for m in page.messages] == ["second"] and page.cursor
        rest = mail.search("user:bob", limit=1, cursor=page.cursor)
        assert [m.subject for m in rest.messages] == ["first"] and rest.cursor is None
        (audit,) = mail.search(rcpt="audit@").messages
        assert audit.envelope is not None and audit.envelope.rcpt_to == ("audit@example.com",)
        assert audit.delivery is not None and audit.delivery.helo == "client.example"
        assert [m.subject for m in mail.wait_for("user:bob subject:second", timeout=2)] == ["second"]
        assert mail.set_flags(audit.id, add=["\\Seen", "$Checked"]) == ["$Checked", "\\Seen"]
        assert mail.set_flags(audit.id, remove=["$Checked"]) == ["\\Seen"]
        changed = mail.set_flags_matching("user:bob", add=["\\Flagged"])
        assert (changed.matched, changed.changed) == (2, 2)
        with pytest.raises(ApiError) as refused:
            mail.set_flags(audit.id, add=["\\Recent"])
        assert refused.value.status == 422
        sessions = mail.sessions(protocol="smtp")
        assert sessions.total == 2 and sessions.sessions[0].helo == "client.example"
        session_id = audit.delivery.session_id
        assert session_id is not None
        assert mail.session(session_id).message_ids[-1] == audit.id
        assert "C: ehlo client.example" in mail.transcript(session_id)
        with pytest.raises(ApiError) as unknown:
            mail.transcript("smtp-none-1")
        assert unknown.value.status == 404
        with pytest.raises(ApiError) as malformed:
            mail.search("frmo:x")
        assert malformed.value.status == 400 and "frmo:x" in malformed.value.message


def test_async_client(http_server: ServerThread) -> None:
    send(http_server, ["carol@example.com"], "async")

    async def use() -> None:
        async with AsyncClient(f"http://{client_host()}:{http_server.http_port}") as mail:
            (found,) = (await mail.search("user:carol")).messages
            assert await mail.set_flags(found.id, add=["\\Seen"]) == ["\\Seen"]
            assert (await mail.set_flags_matching("is:seen", remove=["\\Seen"])).changed == 1
            assert [m.id for m in await mail.wait_for("user:carol is:unseen", timeout=2)] == [found.id]
            sessions = await mail.sessions()
            assert "C: ehlo client.example" in await mail.transcript(sessions.sessions[0].id)
            assert (await mail.session(sessions.sessions[0].id)).protocol == "smtp"

    asyncio.run(use())
