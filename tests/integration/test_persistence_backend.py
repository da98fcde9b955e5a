"""The test servers run on the backend chosen for the run, and a server on a database can be restarted."""

from __future__ import annotations

import smtplib
from pathlib import Path

from elektromail.store import Journal
from elektromail.store.sqlite import SqliteJournal
from tests.conftest import ServerFactory

MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: kept\r\n\r\nstill here\r\n"


def test_servers_use_the_chosen_backend(make_server: ServerFactory, backend: str) -> None:
    server = make_server()
    journal = server.server.store.journal
    if backend == "sqlite":
        assert server.server.config.db is not None
        assert isinstance(journal, SqliteJournal)
    else:
        assert server.server.config.db is None
        assert type(journal) is Journal  # the base journal: nothing written anywhere


def test_a_server_restarted_on_its_database_keeps_its_mail(make_server: ServerFactory, tmp_path: Path) -> None:
    db = str(tmp_path / "mail.db")
    server = make_server(db=db)
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("a@example.com", ["user@example.com", "newbie@example.com"], MESSAGE)
    server.stop()

    server = make_server(db=db)
    store = server.server.store
    for name in ("user", "newbie"):
        account = store.account(name)
        assert account is not None
        assert [message.source for message in account.inbox.messages] == [MESSAGE]
    assert store.check_password("alice", "wonderland") is not None
