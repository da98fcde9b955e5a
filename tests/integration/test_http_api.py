"""The HTTP control plane's endpoints, driven with httpx against a real server."""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from email import message_from_bytes, policy

import httpx
import pytest

from elektromail import ConfigError, ServerThread
from tests.conftest import ServerFactory
from tests.servers import client_host

pytestmark = pytest.mark.timeout(30)


def inject(client: httpx.Client, **fields: object) -> list[dict[str, object]]:
    response = client.post("/inject", json=fields)
    assert response.status_code == 201, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    ids = [message.pop("id") for message in messages]  # checked here, so tests compare where mail went
    assert len(set(ids)) == len(ids)
    return messages


def test_healthz_reports_every_listener(http_server: ServerThread, client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["listeners"] == {
        "SMTP": http_server.smtp_port,
        "IMAP": http_server.imap_port,
        "HTTP": http_server.http_port,
    }
    assert response.headers["date"].endswith("GMT")


def test_users_list_and_create(client: httpx.Client) -> None:
    assert client.get("/users").json() == [{"name": "user"}, {"name": "alice"}]
    with_email = client.get("/users", params={"include_email": "true"}).json()
    assert {"name": "alice", "email": "alice@example.com"} in with_email
    created = client.post("/users", json={"name": "carol", "password": "secret", "email": "carol@example.org"})
    assert created.status_code == 201
    assert created.json() == {"name": "carol", "email": "carol@example.org"}
    assert client.post("/users", json={"name": "Carol", "password": "x"}).status_code == 409
    assert "carol" in [user["name"] for user in client.get("/users").json()]


def test_created_users_email_address_routes_to_it(http_server: ServerThread, client: httpx.Client) -> None:
    created = client.post("/users", json={"name": "erin", "password": "pw", "email": "e.smith@corp.example"})
    assert created.status_code == 201
    taken = client.post("/users", json={"name": "frank", "password": "pw", "email": "E.Smith@corp.example"})
    assert taken.status_code == 409
    assert "belongs to user 'erin'" in taken.json()["error"]
    with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("a@example.com", ["E.Smith@Corp.Example"], b"Subject: routed\r\n\r\nhello\r\n")
    imap = imaplib.IMAP4(client_host(), http_server.imap_port, timeout=10)
    try:
        imap.login("erin", "pw")
        assert imap.select("INBOX", readonly=True) == ("OK", [b"1"])
        typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK" and isinstance(data[0], tuple)
        assert data[0][1].strip() == b"Subject: routed"
    finally:
        imap.logout()
    # No account was made from the local part, and none for the refused user.
    assert [user["name"] for user in client.get("/users").json()] == ["user", "alice", "erin"]


def test_created_user_is_usable_at_once(http_server: ServerThread, client: httpx.Client) -> None:
    client.post("/users", json={"name": "dave", "password": "pw"}).raise_for_status()
    account = http_server.server.store.check_password("dave", "pw")
    assert account is not None
    assert account.name == "dave"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, "malformed"),
        (b'{"password": "x"}', 422, "name"),
        (b'{"name": 7, "password": "x"}', 422, "$.name"),
        (b'{"name": "a b", "password": "x"}', 422, "$.name"),
        (b'{"name": "x", "password": "x", "role": "admin"}', 422, "role"),
    ],
)
def test_bad_user_bodies_name_the_field(client: httpx.Client, body: bytes, status: int, field: str) -> None:
    response = client.post("/users", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert field in response.json()["error"]


def test_inject_builds_a_message_and_routes_like_smtp(client: httpx.Client) -> None:
    stored = inject(
        client,
        to=["Alice+news@example.com", "alice@example.com", "newbie@example.com"],
        **{"from": "sender@example.net"},
        subject="Grüße",
        text="plain body",
        html="<p>html body</p>",
    )
    assert stored == [
        {"user": "alice", "mailbox": "INBOX", "uid": 1},
        {"user": "newbie", "mailbox": "INBOX", "uid": 1},
    ]
    detail = client.get("/messages/1", params={"user": "alice"}).json()
    assert detail["subject"] == "Grüße"
    assert detail["from"] == "sender@example.net"
    assert detail["text"].strip() == "plain body"
    assert detail["html"].strip() == "<p>html body</p>"
    raw = client.get("/messages/1/raw", params={"user": "newbie"})
    assert raw.headers["content-type"] == "message/rfc822"
    assert b"\r\n\r\n" in raw.content
    assert b"\n" not in raw.content.replace(b"\r\n", b"")
    parsed = message_from_bytes(raw.content, policy=policy.default)
    assert parsed["Subject"] == "Grüße"
    assert parsed["Message-ID"]
    assert parsed["Date"]
    assert parsed.get_content_type() == "multipart/alternative"


def test_inject_raw_into_mailbox_with_flags_and_date(client: httpx.Client) -> None:
    raw = "Subject: archived\nFrom: a@example.com\n\nbody\n"
    stored = inject(
        client,
        to="alice",
        raw=raw,
        mailbox="Archive/2024",
        flags=["\\Seen", "$Label"],
        internal_date="2024-02-03T04:05:06+01:00",
    )
    assert stored == [{"user": "alice", "mailbox": "Archive/2024", "uid": 1}]
    listed = client.get("/messages", params={"user": "alice", "mailbox": "Archive/2024"}).json()["messages"]
    assert len(listed) == 1
    assert listed[0]["flags"] == ["$Label", "\\Seen"]
    assert listed[0]["internal_date"] == "2024-02-03T04:05:06+01:00"
    raw_back = client.get("/messages/1/raw", params={"user": "alice", "mailbox": "Archive/2024"}).content
    assert raw_back == raw.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"subject": "no recipient"}, 422, "to"),
        ({"to": 5}, 422, "$.to"),
        ({"to": "a@example.com", "raw": "x", "subject": "both"}, 422, "raw"),
        ({"to": "a@example.com", "flags": ["bad flag"]}, 422, "$.flags[0]"),
        ({"to": "a@example.com", "internal_date": "yesterday"}, 422, "internal_date"),
        ({"to": "a@example.com", "internal_date": "2024-01-01T00:00:00"}, 422, "internal_date"),
        ({"to": "", "text": "x"}, 422, "to"),
        ({"to": "a@example.com", "mailbox": "a//b", "text": "x"}, 422, "mailbox"),
    ],
)
def test_bad_inject_requests(client: httpx.Client, fields: dict[str, object], status: int, field: str) -> None:
    response = client.post("/inject", json=fields)
    assert response.status_code == status, response.text
    assert field in response.json()["error"]
    assert client.get("/messages").json()["messages"] == []


def test_inject_larger_than_the_limit_is_413(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, max_message_size=1000)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}") as client:
        response = client.post("/inject", json={"to": "user", "raw": "Subject: big\r\n\r\n" + "x" * 2000})
        assert response.status_code == 413
        huge = client.post("/inject", content=b'{"to": "user", "raw": "' + b"x" * 200_000 + b'"}')
        assert huge.status_code == 413
        assert client.get("/messages").json()["messages"] == []


def test_messages_list_filters_and_summary_fields(client: httpx.Client) -> None:
    inject(client, to="alice", subject="one", text="1", **{"from": "Bob <bob@example.com>"})
    inject(client, to="user", subject="two", text="2")
    everything = client.get("/messages").json()["messages"]
    assert sorted(message["subject"] for message in everything) == ["one", "two"]
    (alice,) = client.get("/messages", params={"user": "ALICE"}).json()["messages"]
    assert alice["from"] == "bob@example.com"
    assert alice["to"] == ["alice"]
    assert set(alice) == {
        "id",
        "uid",
        "user",
        "mailbox",
        "from",
        "to",
        "subject",
        "date",
        "internal_date",
        "flags",
        "size",
        "links",
        "envelope",
        "delivery",
    }
    assert alice["size"] == len(client.get("/messages/1/raw", params={"user": "alice"}).content)
    assert client.get("/messages", params={"mailbox": "Nope"}).json()["messages"] == []
    assert client.get("/messages", params={"user": "ghost"}).status_code == 404
    assert client.get("/messages", params={"user": "alice", "mailbox": "Nope"}).status_code == 404


def send(server: ServerThread, recipients: list[str], message: bytes) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("sender@example.net", recipients, message)


def subjects(client: httpx.Client, params: dict[str, str]) -> list[str]:
    response = client.get("/messages", params=params)
    assert response.status_code == 200, (params, response.text)
    return sorted(message["subject"] or "" for message in response.json()["messages"])


# (query, subjects of the messages it lists) over the three messages sent by the test below
FILTER_CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"from": "bob@build"}, ["Invoice 42"]),
    ({"from": "BUILDER"}, ["Invoice 42"]),
    ({"from": "jörg"}, ["Grüße"]),
    ({"from": "JÖRG <J@X.EXAMPLE>"}, ["Grüße"]),
    ({"from": "nobody"}, []),
    ({"to": "alice@example.com"}, ["Grüße", "Invoice 42"]),  # Grüße names Alice in Cc only
    ({"to": "liddell"}, ["Grüße"]),
    ({"to": "Doe, JOHN"}, ["invoice reminder"]),
    ({"to": "team@"}, ["Grüße"]),
    ({"subject": "INVOICE"}, ["Invoice 42", "invoice reminder"]),
    ({"subject": "grüße"}, ["Grüße"]),
    ({"subject": "invoice", "from": "carol"}, ["invoice reminder"]),
    ({"subject": "invoice", "to": "alice"}, ["Invoice 42"]),
    ({"subject": "invoice", "to": "alice", "from": "carol"}, []),
    ({"from": "example", "to": "example", "subject": "e"}, ["Grüße", "Invoice 42", "invoice reminder"]),
    ({"user": "user", "subject": "invoice"}, ["invoice reminder"]),
    ({"user": "alice", "mailbox": "inbox", "from": "jörg"}, ["Grüße"]),
    ({"user": "alice", "from": "carol"}, []),
]


def test_messages_filter_by_from_to_and_subject(http_server: ServerThread, client: httpx.Client) -> None:
    send(
        http_server,
        ["alice@example.com"],
        b"From: Bob Builder <bob@build.example>\r\nTo: alice@example.com\r\nSubject: Invoice 42\r\n\r\n1\r\n",
    )
    send(
        http_server,
        ["alice@example.com"],
        b"From: =?utf-8?q?J=C3=B6rg?= <j@x.example>\r\nTo: Team <team@example.com>\r\n"
        b"Cc: Alice Liddell <alice@example.com>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n2\r\n",
    )
    send(
        http_server,
        ["user@example.com"],
        b'From: carol@example.org\r\nTo: "Doe, John" <user@example.com>\r\nSubject: invoice reminder\r\n\r\n3\r\n',
    )
    assert subjects(client, {}) == ["Grüße", "Invoice 42", "invoice reminder"]
    for params, expected in FILTER_CASES:
        assert subjects(client, params) == expected, params


def test_messages_filters_on_broken_or_8bit_headers(http_server: ServerThread, client: httpx.Client) -> None:
    send(
        http_server,
        ["alice@example.com"],
        b"From: =?base64?q?odd?= <<<@\r\nTo: ,,,<\r\nCc: =?utf-8?b?###?=\r\nSubject: =?x-nope?q?caf=E9?=\r\n\r\nx\r\n",
    )
    send(http_server, ["alice@example.com"], "From: Jürgen <j@x.example>\r\nSubject: 8bit\r\n\r\ny\r\n".encode())
    send(http_server, ["alice@example.com"], b"X-Nothing: here\r\n\r\nz\r\n")
    # An unknown charset falls back to Latin-1, in the summary as in the filters.
    assert subjects(client, {"from": "odd"}) == ["café"]
    assert subjects(client, {"to": "###"}) == ["café"]
    assert subjects(client, {"subject": "café"}) == ["café"]
    assert subjects(client, {"from": "JÜRGEN"}) == ["8bit"]
    for params in ({"from": "nothing"}, {"to": "here"}, {"subject": "z"}):
        assert subjects(client, params) == []


def test_summaries_read_8bit_headers_as_utf8(http_server: ServerThread, client: httpx.Client) -> None:
    """RFC 6532: a message sent with SMTPUTF8 may carry raw UTF-8 in its header fields."""
    raw = "From: Jörg <jörg@bücher.example>\r\nTo: Zoë <zoë@x.example>, b@x.example\r\n"
    raw += "Subject: Grüße =?utf-8?q?und_mehr?=\r\n\r\nhallo\r\n"
    with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("jörg@bücher.example", ["alice@example.com"], raw.encode(), mail_options=["SMTPUTF8"])
    (summary,) = client.get("/messages", params={"user": "alice"}).json()["messages"]
    assert summary["from"] == "jörg@bücher.example"
    assert summary["to"] == ["zoë@x.example", "b@x.example"]
    assert summary["subject"] == "Grüße und mehr"


def test_message_detail_lists_attachments(client: httpx.Client) -> None:
    raw = (
        "From: a@example.com\r\nTo: alice@example.com\r\nCc: c@example.com\r\nSubject: files\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="r.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n"
    )
    inject(client, to="alice", raw=raw)
    detail = client.get("/messages/1", params={"user": "alice", "mailbox": "inbox"}).json()
    assert detail["text"].strip() == "see attached"
    assert detail["html"] is None
    assert detail["cc"] == ["c@example.com"]
    assert detail["attachments"] == [
        {"filename": "r.pdf", "content_type": "application/pdf", "size": 4, "content_id": None, "inline": False}
    ]
    assert {"name": "Subject", "value": "files"} in detail["headers"]


def test_unknown_user_mailbox_or_uid_is_404(client: httpx.Client) -> None:
    inject(client, to="alice", text="x")
    for url, params in [
        ("/messages/1", {"user": "ghost"}),
        ("/messages/2", {"user": "alice"}),
        ("/messages/1", {"user": "alice", "mailbox": "Nope"}),
        ("/messages/99999999999", {"user": "alice"}),
        ("/messages/1/raw", {"user": "ghost"}),
        ("/nowhere", {}),
    ]:
        response = client.get(url, params=params)
        assert response.status_code == 404, url
        assert response.json()["error"]
    assert client.get("/messages/1").status_code == 422  # user is required
    assert client.delete("/messages/7", params={"user": "alice"}).status_code == 404


def test_delete_removes_one_message(client: httpx.Client) -> None:
    inject(client, to="alice", subject="a", text="x")
    inject(client, to="alice", subject="b", text="x")
    assert client.delete("/messages/1", params={"user": "alice"}).status_code == 204
    remaining = client.get("/messages", params={"user": "alice"}).json()["messages"]
    assert [(message["uid"], message["subject"]) for message in remaining] == [(2, "b")]


def test_purge_keeps_users_and_mailboxes(client: httpx.Client) -> None:
    inject(client, to="alice", text="x", mailbox="Kept")
    inject(client, to="bob", text="y")
    assert client.post("/purge").json() == {"status": "purged"}
    assert client.get("/messages").json()["messages"] == []
    names = [user["name"] for user in client.get("/users").json()]
    assert "bob" in names
    assert client.get("/messages", params={"user": "alice", "mailbox": "Kept"}).status_code == 200


def test_reset_restores_seed_users_only(client: httpx.Client) -> None:
    client.post("/users", json={"name": "temp", "password": "x"}).raise_for_status()
    inject(client, to="alice", text="x")
    assert client.post("/reset").json() == {"status": "reset"}
    assert client.get("/users").json() == [{"name": "user"}, {"name": "alice"}]
    assert client.get("/messages").json()["messages"] == []


def test_config_snapshot_hides_secrets(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, http_token="t0ken-secret")
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}") as client:
        response = client.get("/config", headers={"authorization": "Bearer t0ken-secret"})
    assert response.status_code == 200
    snapshot = response.json()
    assert snapshot["http_token_set"] is True
    assert snapshot["users"][1] == {"name": "alice", "email": "alice@example.com"}
    assert snapshot["max_message_size"] == 25 * 1024 * 1024
    assert "t0ken-secret" not in response.text
    assert "wonderland" not in response.text


def test_tls_certificate_is_the_one_the_listeners_present(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, imaps_port=0)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        response = http.get("/tls/certificate")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-pem-file"
    assert response.text.startswith("-----BEGIN CERTIFICATE-----")
    trusting = ssl.create_default_context(cadata=response.text)
    with (
        socket.create_connection((client_host(), server.port("IMAPS")), timeout=10) as raw,
        trusting.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.recv(100).startswith(b"* OK")


def test_tls_certificate_is_404_without_tls(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, tls_disabled=True)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as http:
        response = http.get("/tls/certificate")
    assert response.status_code == 404
    assert "TLS" in response.json()["error"]


def test_query_of_the_wrong_type_is_422(client: httpx.Client) -> None:
    response = client.get("/messages/wait", params={"count": "many"})
    assert response.status_code == 422
    assert "count" in response.json()["error"]
    assert client.get("/users", params={"include_email": "perhaps"}).status_code == 422


def test_openapi_documents_the_message_filters(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/messages", "/messages/wait"):
        parameters = {parameter["name"]: parameter for parameter in paths[path]["get"]["parameters"]}
        for name in ("user", "mailbox", "from", "to", "subject"):
            assert parameters[name]["in"] == "query"
            assert parameters[name]["required"] is False
            assert parameters[name]["description"], (path, name)
    assert "Cc" in parameters["to"]["description"]
    assert parameters["timeout"]["description"] == "seconds to wait"


def test_wrong_method_is_405_as_json(client: httpx.Client) -> None:
    response = client.put("/users")
    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed"}


def test_smtp_delivery_shows_up_over_http(http_server: ServerThread, client: httpx.Client) -> None:
    with smtplib.SMTP(client_host(), http_server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("a@example.com", ["alice+tag@example.com"], b"Subject: via smtp\r\n\r\nhi\r\n")
    (message,) = client.get("/messages", params={"user": "alice"}).json()["messages"]
    assert message["subject"] == "via smtp"


def test_inject_routes_a_seed_users_address_to_that_user(client: httpx.Client) -> None:
    client.post("/users", json={"name": "zed", "password": "x"}).raise_for_status()
    assert inject(client, to="alice@example.com", text="x") == [{"user": "alice", "mailbox": "INBOX", "uid": 1}]


def test_http_port_in_use_is_a_config_error(make_server: ServerFactory) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"HTTP_PORT: port {port} is already in use"):
            make_server(http_port=port)


# ---------------------------------------------------------------- isolation of parallel tests


def mail(subject: str) -> bytes:
    return f"Subject: {subject}\r\n\r\nhi\r\n".encode()


def test_deleting_one_users_mail_leaves_everyone_elses(http_server: ServerThread, client: httpx.Client) -> None:
    send(http_server, ["alice@example.com"], mail("for alice"))
    send(http_server, ["bob@example.com"], mail("for bob"))
    client.post("/inject", json={"to": "alice", "mailbox": "Archive", "subject": "archived"}).raise_for_status()

    only_archive = client.delete("/messages", params={"user": "alice", "mailbox": "archive"})
    assert only_archive.status_code == 404  # mailbox names other than INBOX are case-sensitive
    only_archive = client.delete("/messages", params={"user": "alice", "mailbox": "Archive"})
    assert only_archive.json() == {"deleted": 1}
    assert subjects(client, {"user": "alice"}) == ["for alice"]

    assert client.delete("/messages", params={"user": "ALICE"}).json() == {"deleted": 1}
    assert subjects(client, {"user": "alice"}) == []
    assert subjects(client, {"user": "bob"}) == ["for bob"]
    assert client.delete("/messages", params={"user": "ghost"}).status_code == 404
    missing_user = client.delete("/messages")
    assert missing_user.status_code == 422
    assert "user" in missing_user.json()["error"]


def test_deleting_a_user_removes_its_login_and_mail_only(http_server: ServerThread, client: httpx.Client) -> None:
    client.post("/users", json={"name": "tmp1", "password": "pw", "email": "tmp1@test.example"}).raise_for_status()
    send(http_server, ["tmp1@test.example"], mail("to tmp1"))
    send(http_server, ["bob@example.com"], mail("to bob"))
    imap = imaplib.IMAP4(client_host(), http_server.imap_port)
    imap.login("tmp1", "pw")
    imap.select("INBOX")

    assert client.delete("/users/tmp1").status_code == 204
    assert client.delete("/users/tmp1").status_code == 404
    # The selected session ends: the server says BYE when the mailbox goes away.
    with pytest.raises(imaplib.IMAP4.abort):
        imap.noop()
    imap.shutdown()
    again = imaplib.IMAP4(client_host(), http_server.imap_port)
    try:
        with pytest.raises(imaplib.IMAP4.error):
            again.login("tmp1", "pw")
    finally:
        again.shutdown()
    assert "tmp1" not in [user["name"] for user in client.get("/users").json()]
    assert client.get("/messages", params={"user": "tmp1"}).status_code == 404
    assert subjects(client, {"user": "bob"}) == ["to bob"]


def test_message_ids_are_unique_and_address_one_message(http_server: ServerThread, client: httpx.Client) -> None:
    send(http_server, ["alice@example.com"], mail("first"))
    send(http_server, ["bob@example.com"], mail("second"))
    listed = client.get("/messages").json()["messages"]
    ids = [message["id"] for message in listed]
    assert len(set(ids)) == 2
    assert {message["uid"] for message in listed} == {1}  # UIDs collide across users, ids do not

    for message in listed:
        detail = client.get(f"/messages/by-id/{message['id']}").json()
        assert (detail["id"], detail["user"], detail["subject"]) == (message["id"], message["user"], message["subject"])
        raw = client.get(f"/messages/by-id/{message['id']}/raw")
        assert raw.headers["content-type"] == "message/rfc822"
        assert f"Subject: {message['subject']}".encode() in raw.content

    assert client.delete(f"/messages/by-id/{ids[0]}").status_code == 204
    assert client.get(f"/messages/by-id/{ids[0]}").status_code == 404
    assert client.get(f"/messages/by-id/{ids[1]}").status_code == 200
    # A new message in the same mailbox never takes the removed one's id.
    send(http_server, [f"{listed[0]['user']}@example.com"], mail("third"))
    assert ids[0] not in [message["id"] for message in client.get("/messages").json()["messages"]]
    for bad in ("nope", "1-", "-1", "99999-1"):
        assert client.get(f"/messages/by-id/{bad}").status_code == 404


def test_links_come_from_text_then_html_once_each(client: httpx.Client) -> None:
    body = {
        "to": "alice",
        "subject": "Confirm",
        "text": "Confirm: https://app.example/confirm?t=abc&u=1.\nDocs (https://docs.example/a_(b)) end",
        "html": (
            '<p><a href="https://app.example/confirm?t=abc&amp;u=1">Confirm</a> or '
            "https://app.example/other, <a href='mailto:x@y'>mail</a></p><script>var u='https://no.example/'</script>"
        ),
    }
    created = client.post("/inject", json=body)
    (ref,) = created.json()["messages"]
    expected = ["https://app.example/confirm?t=abc&u=1", "https://docs.example/a_(b)", "https://app.example/other"]
    assert client.get(f"/messages/by-id/{ref['id']}").json()["links"] == expected
    (summary,) = client.get("/messages", params={"user": "alice"}).json()["messages"]
    assert summary["links"] == expected
