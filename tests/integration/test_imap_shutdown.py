"""Server stop: connected IMAP clients, idle or not, hear ``* BYE`` and the connection closes."""

from __future__ import annotations

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap


def test_connected_clients_see_bye_when_the_server_stops(make_server: ServerFactory) -> None:
    server: ServerThread = make_server()
    with RawImap(server.imap_port) as waiting, RawImap(server.imap_port) as idling:
        idling.login()
        idling.command("SELECT INBOX")
        idling.send(b"i1 IDLE\r\n")
        assert idling.read_line().startswith(b"+ ")
        server.stop()
        for client in (waiting, idling):
            assert client.read_line().startswith(b"* BYE")
            assert client.sock.recv(1) == b""


def test_logout_says_bye_then_ok_and_closes(server: ServerThread) -> None:
    with RawImap(server.imap_port) as client:
        lines = client.command("LOGOUT")
        assert lines == [b"* BYE logging out", b"t1 OK LOGOUT completed"]
        assert client.sock.recv(1) == b""
