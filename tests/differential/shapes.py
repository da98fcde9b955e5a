# ruff: noqa: E501  (message text is kept on one line per line of the message it builds)
"""The hand-built part of the differential corpus: every MIME and header shape the message model must
answer as Dovecot does, mail as real programs write it, and broken mail as it arrives from the wild.

Each builder returns (name, message bytes); ``shapes()`` combines them with charsets, transfer encodings
and line ends so the corpus is large without being random (the same bytes on every run).
"""

from __future__ import annotations

import base64
import quopri
import zlib
from collections.abc import Callable, Iterator

Message = tuple[str, bytes]

CHARSET_WORDS = {
    "utf-8": "Grüße aus Köln – 東京 ☃",
    "iso-8859-1": "Grüße aus Köln",
    "iso-8859-2": "Zażółć gęślą jaźń",
    "iso-8859-15": "Prix en € à payer",
    "windows-1252": "“Quoted” résumé",
    "koi8-r": "Привет, мир",
    "windows-1251": "Съешь же ещё",
    "iso-8859-7": "Καλημέρα κόσμε",
    "shift_jis": "日本語の件名",
    "euc-jp": "こんにちは世界",
    "iso-2022-jp": "日本語テスト",
    "gb2312": "中文主题",
    "big5": "繁體中文",
    "euc-kr": "안녕하세요",
    "iso-8859-9": "Türkçe şğı",
    "utf-7": "plus+minus",
}
FILENAME_CHARSETS = ("utf-8", "iso-8859-1", "koi8-r", "shift_jis", "iso-8859-2", "windows-1252")


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def head(subject: str = "test", extra: str = "", sender: str = "Alice <alice@example.com>") -> str:
    return (
        f"From: {sender}\nTo: Bob <bob@example.org>\nSubject: {subject}\n"
        f"Date: Mon, 2 Mar 2026 10:00:00 +0100\nMessage-ID: <{zlib.crc32(subject.encode())}.x@example.com>\n"
        f"MIME-Version: 1.0\n{extra}"
    )


def encoded_word(text: str, charset: str, kind: str) -> str:
    data = text.encode(charset)
    if kind == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    q = quopri.encodestring(data, header=True).decode("ascii").replace("=\n", "")
    return f"=?{charset}?Q?{q}?="


def rfc2231(text: str, charset: str) -> str:
    return charset + "''" + "".join(chr(b) if chr(b).isalnum() else f"%{b:02X}" for b in text.encode(charset))


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


# ------------------------------------------------------------------------------------------ real programs


def plain_messages() -> Iterator[Message]:
    for i, (charset, words) in enumerate(CHARSET_WORDS.items()):
        for kind in ("B", "Q"):
            subject = encoded_word(words, charset, kind)
            sender = f"{encoded_word(words[:6], charset, kind)} <s{i}@example.com>"
            yield (
                f"ew-{charset}-{kind}",
                crlf(head(subject, "Content-Type: text/plain; charset=utf-8\n", sender) + f"\nbody {i} {kind}\n"),
            )
    yield (
        "8bit-utf8-headers",
        crlf(
            "From: Jörg Müller <jorg@example.de>\nTo: Zoë <zoe@example.fr>, 山田 <yamada@example.jp>\n"
            "Subject: Grüße, 日本\nDate: Tue, 3 Mar 2026 08:00:00 -0500\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\nHällo wörld ☃\n"
        ),
    )
    yield (
        "8bit-latin1-headers",
        (
            b"From: J\xf6rg <j@example.de>\r\nSubject: caf\xe9\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 cr\xe8me\r\n"
        ),
    )
    yield (
        "ew-adjacent-and-broken",
        crlf(
            head("=?utf-8?q?a?= =?utf-8?q?b?= =?utf-8?Q?c_d?= =?bogus?q?x?= =?utf-8?b?!!!?= tail")
            + "Content-Type: text/plain\n\nx\n"
        ),
    )


def _attachment(name: str, charset: str, index: int) -> str:
    value = rfc2231(name, charset)
    return (
        f"Content-Type: application/octet-stream; name*={value}\n"
        f"Content-Disposition: attachment; filename*={value}; size=12\n"
        f"Content-Transfer-Encoding: base64\n\n{b64(bytes(range(index, index + 40)))}\n"
    )


def mixed_messages() -> Iterator[Message]:
    names = {
        "utf-8": "Übersicht 2026 ☃.pdf",
        "iso-8859-1": "résumé é.doc",
        "koi8-r": "отчёт.txt",
        "shift_jis": "資料.xls",
        "iso-8859-2": "zażółć.odt",
        "windows-1252": "“smart”.txt",
    }
    for i, charset in enumerate(FILENAME_CHARSETS):
        for cte in ("7bit", "quoted-printable", "base64"):
            text = "Hello = there\nsoft wrapped " + "long " * 30 + "\n"
            encoded = {"7bit": text, "quoted-printable": qp(text), "base64": b64(text.encode())}[cte]
            yield (
                f"mixed-{charset}-{cte}",
                crlf(
                    head(f"mixed {charset} {cte}", 'Content-Type: multipart/mixed; boundary="mix-b"\n')
                    + "\nThis is a multi-part message in MIME format.\n--mix-b\n"
                    f"Content-Type: text/plain; charset=utf-8; format=flowed\nContent-Transfer-Encoding: {cte}\n\n"
                    f"{encoded}\n--mix-b\n" + _attachment(names[charset], charset, i) + "--mix-b--\n"
                ),
            )
    # RFC 2231 continuations (joined into one value) and an encoded-word filename (as Outlook sends)
    yield (
        "rfc2231-continuations",
        crlf(
            head("continuations", 'Content-Type: multipart/mixed; boundary*0="con"; boundary*1="t-b"\n')
            + "\n--cont-b\nContent-Type: application/x-stuff;\n title*0*=us-ascii'en'This%20is%20even%20more%20;\n"
            ' title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n title*2="isn\'t it!"\n'
            "Content-Disposition: attachment;\n filename*0*=utf-8''%C3%9Cber;\n filename*1=\"sicht.pdf\"\n\n"
            'data\n--cont-b\nContent-Type: text/plain; name*0="a"; name*1="b"; name*3="gap"\n\nx\n--cont-b--\n'
        ),
    )
    yield (
        "rfc2231-unordered",
        crlf(
            head("unordered")
            + 'Content-Type: text/plain; charset=us-ascii; title*1="world"; title*0="hello "\n\nbody\n'
        ),
    )
    yield (
        "ew-filename",
        crlf(
            head("ew filename", 'Content-Type: multipart/mixed; boundary="b"\n')
            + "\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf;\n"
            ' name="=?utf-8?B?w5xiZXJzaWNodC5wZGY=?="\nContent-Disposition: attachment;\n'
            ' filename="=?utf-8?B?w5xiZXJzaWNodC5wZGY=?="\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n'
        ),
    )


def alternative_messages() -> Iterator[Message]:
    html = "<html><body><p>Hello <b>world</b></p>\n<p>caf=C3=A9</p></body></html>\n"
    for i, first in enumerate(("text", "empty", "headers-only", "none")):
        plain = {
            "text": "Content-Type: text/plain; charset=utf-8\n\nHello world\n",
            "empty": "",
            "headers-only": "Content-Type: text/plain\n",
            "none": "\nbare body\n",
        }[first]
        yield (
            f"alternative-{first}",
            crlf(
                head(f"alt {i}", 'Content-Type: multipart/alternative; boundary="alt"\n')
                + f"\n--alt\n{plain}\n--alt\nContent-Type: text/html; charset=utf-8\n"
                f"Content-Transfer-Encoding: quoted-printable\n\n{html}\n--alt--\n"
            ),
        )
    yield (
        "related",
        crlf(
            head("related", 'Content-Type: multipart/related; type="text/html"; boundary="rel"\n')
            + '\n--rel\nContent-Type: text/html; charset="utf-8"\n\n<img src="cid:logo@x">\n--rel\n'
            "Content-Type: image/png; name=logo.png\nContent-ID: <logo@x>\nContent-Disposition: inline; filename=logo.png\n"
            f"Content-Transfer-Encoding: base64\nContent-Location: http://example.com/logo.png\n\n{b64(b'PNG' * 30)}\n--rel--\n"
        ),
    )
    yield (
        "alternative-related-mixed",
        crlf(
            head("deep", 'Content-Type: multipart/mixed; boundary="m"\n')
            + '\n--m\nContent-Type: multipart/alternative; boundary="a"\n\n--a\nContent-Type: text/plain\n\nplain\n'
            '--a\nContent-Type: multipart/related; boundary="r"\n\n--r\nContent-Type: text/html\n\n<p>x</p>\n'
            "--r\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGOD==\n--r--\n\n--a--\n\n"
            "--m\nContent-Type: application/zip; name=a.zip\nContent-Language: en, de\n"
            "Content-Description: an archive\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n\nPK\n--m--\n"
        ),
    )
    yield (
        "calendar-invite",
        crlf(
            head("Invitation: standup", 'Content-Type: multipart/mixed; boundary="cal-m"\n')
            + '\n--cal-m\nContent-Type: multipart/alternative; boundary="cal-a"\n\n--cal-a\n'
            "Content-Type: text/plain; charset=UTF-8\n\nYou are invited.\n--cal-a\n"
            'Content-Type: text/calendar; charset="UTF-8"; method=REQUEST\nContent-Transfer-Encoding: 7bit\n\n'
            "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Standup\nDTSTART:20260302T090000Z\n"
            "END:VEVENT\nEND:VCALENDAR\n--cal-a--\n\n--cal-m\n"
            'Content-Type: application/ics; name="invite.ics"\nContent-Disposition: attachment; filename="invite.ics"\n'
            f"Content-Transfer-Encoding: base64\n\n{b64(b'BEGIN:VCALENDAR')}\n--cal-m--\n"
        ),
    )


def security_messages() -> Iterator[Message]:
    yield (
        "pgp-signed",
        crlf(
            head(
                "signed",
                'Content-Type: multipart/signed; micalg=pgp-sha256;\n protocol="application/pgp-signature";'
                ' boundary="sig"\n',
            )
            + "\nThis is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n--sig\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nsigned text=\n"
            ' continues\n--sig\nContent-Type: application/pgp-signature; name="signature.asc"\n'
            'Content-Description: OpenPGP digital signature\nContent-Disposition: attachment; filename="signature.asc"\n\n'
            "-----BEGIN PGP SIGNATURE-----\niQEz\n-----END PGP SIGNATURE-----\n--sig--\n"
        ),
    )
    yield (
        "smime-signed",
        crlf(
            head(
                "smime",
                'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;'
                ' boundary="----=_smime"\n',
            )
            + "\n------=_smime\nContent-Type: text/plain\n\nhello\n------=_smime\n"
            'Content-Type: application/pkcs7-signature; name="smime.p7s"\nContent-Transfer-Encoding: base64\n'
            f'Content-Disposition: attachment; filename="smime.p7s"\n\n{b64(bytes(range(90)))}\n------=_smime--\n'
        ),
    )
    yield (
        "pgp-encrypted",
        crlf(
            head(
                "encrypted", 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"\n'
            )
            + "\n--enc\nContent-Type: application/pgp-encrypted\nContent-Description: PGP/MIME version identification\n\n"
            'Version: 1\n\n--enc\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n'
            "-----BEGIN PGP MESSAGE-----\nhQEM\n-----END PGP MESSAGE-----\n\n--enc--\n"
        ),
    )
    yield (
        "smime-encrypted",
        crlf(
            head(
                "smime enc",
                'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
                'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n',
            )
            + f"\n{b64(bytes(range(200)))}\n"
        ),
    )


def _inner(subject: str, body: str = "inner body\n") -> str:
    return (
        f"From: Carol <carol@example.net>\nTo: dave@example.net\nSubject: {subject}\n"
        f"Date: Sun, 1 Mar 2026 12:00:00 +0000\n\n{body}"
    )


def message_messages() -> Iterator[Message]:
    # part 1 is message/rfc822: the whole encapsulated message is BODY[1]
    yield "rfc822-top", crlf(head("top", "Content-Type: message/rfc822\n") + "\n" + _inner("inside"))
    yield (
        "rfc822-part1",
        crlf(
            head("fwd", 'Content-Type: multipart/mixed; boundary="f"\n')
            + "\n--f\nContent-Type: message/rfc822\nContent-Description: forwarded\n\n"
            + _inner("one")
            + "\n--f\n"
            "Content-Type: text/plain\n\nafter\n--f--\n"
        ),
    )
    inner_multi = (
        'From: x@example.com\nSubject: inner multi\nContent-Type: multipart/alternative; boundary="in"\n\n'
        "--in\nContent-Type: text/plain\n\ninner plain\n--in\nContent-Type: text/html\n\n<p>inner</p>\n--in--\n"
    )
    yield (
        "rfc822-multipart-inside",
        crlf(
            head("fwd multi", 'Content-Type: multipart/mixed; boundary="o"\n')
            + "\n--o\nContent-Type: text/plain\n\nsee below\n--o\nContent-Type: message/rfc822\n\n"
            + inner_multi
            + "\n--o--\n"
        ),
    )
    two_deep = (
        "From: mid@example.com\nSubject: middle\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="mid"\n\n--mid\nContent-Type: text/plain\n\nmiddle text\n'
        "--mid\nContent-Type: message/rfc822\n\n" + _inner("deepest", "the deepest body\nline two\n") + "\n--mid--\n"
    )
    yield (
        "rfc822-two-deep",
        crlf(
            head("Fwd: Fwd: deep", 'Content-Type: multipart/mixed; boundary="top"\n')
            + "\n--top\nContent-Type: text/plain\n\nforwarding\n--top\nContent-Type: message/rfc822\n\n"
            + two_deep
            + "\n--top--\n"
        ),
    )
    yield (
        "rfc822-direct-two-deep",
        crlf(
            head("rfc822 in rfc822", "Content-Type: message/rfc822\n")
            + "\nFrom: a@example.com\nSubject: level1\nContent-Type: message/rfc822\n\n"
            + _inner("level2")
        ),
    )
    yield (
        "rfc822-no-header",
        crlf(
            head("empty inner", 'Content-Type: multipart/mixed; boundary="e"\n')
            + "\n--e\nContent-Type: message/rfc822\n\n\nonly a body\n--e\nContent-Type: message/rfc822\n\n--e--\n"
        ),
    )
    yield (
        "rfc822-base64",
        crlf(
            head("encoded inner", 'Content-Type: multipart/mixed; boundary="e"\n')
            + "\n--e\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
            + b64(crlf(_inner("b64")))
            + "\n--e--\n"
        ),
    )
    yield (
        "message-global",
        crlf(
            head("global", 'Content-Type: multipart/mixed; boundary="g"\n')
            + "\n--g\nContent-Type: message/global\n\nFrom: ü@例え.jp\nSubject: ☃\n\nglobal body\n--g--\n"
        ),
    )
    yield (
        "rfc822-headers-report",
        crlf(
            head(
                "Undelivered Mail Returned to Sender",
                'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"\n',
                "MAILER-DAEMON@example.com (Mail Delivery System)",
            )
            + "\n--rep\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
            "I'm sorry to have to inform you that your message could not be delivered.\n\n--rep\n"
            "Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; nobody@example.org\nAction: failed\n"
            "Status: 5.1.1\n\n--rep\nContent-Description: Undelivered Message Headers\n"
            "Content-Type: text/rfc822-headers\n\n" + _inner("orig").split("\n\n")[0] + "\n\n--rep--\n"
        ),
    )
    yield (
        "dsn-full-message",
        crlf(
            head(
                "Delivery Status Notification",
                'Content-Type: multipart/report; report-type=delivery-status;\n boundary="dsn"\n',
            )
            + "\n--dsn\nContent-Type: text/plain\n\nfailed\n--dsn\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; y@example.com\nAction: failed\nStatus: 5.0.0\n\n"
            "--dsn\nContent-Type: message/rfc822\n\n" + _inner("returned") + "--dsn--\n"
        ),
    )
    yield (
        "mdn-report",
        crlf(
            head(
                "Read: hello", 'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"\n'
            )
            + "\n--mdn\nContent-Type: text/plain\n\nread\n--mdn\nContent-Type: message/disposition-notification\n\n"
            "Final-Recipient: rfc822;bob@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n\n--mdn--\n"
        ),
    )
    yield (
        "digest",
        crlf(
            head("digest", 'Content-Type: multipart/digest; boundary="dg"\n')
            + "\nDigest preamble\n--dg\n\n"
            + _inner("d1")
            + "\n--dg\n\n"
            + _inner("d2")
            + "\n--dg\nContent-Type: text/plain\n\nnot a message\n--dg\nContent-Type: message/rfc822\n\n"
            + _inner("d4")
            + "\n--dg--\nepilogue\n"
        ),
    )
    yield (
        "digest-nested-multipart",
        crlf(
            head("digest nested", 'Content-Type: multipart/mixed; boundary="x"\n')
            + '\n--x\nContent-Type: multipart/digest; boundary="y"\n\n--y\n\n'
            + _inner("in digest")
            + "\n--y--\n\n--x--\n"
        ),
    )


# ------------------------------------------------------------------------------------------- edge shapes


def multipart_edges() -> Iterator[Message]:
    h = head
    yield (
        "empty-parts",
        crlf(
            h("empty parts", 'Content-Type: multipart/mixed; boundary="b"\n')
            + "\n--b\n--b\n--b\n\n--b\nContent-Type: text/plain\n\nreal\n--b--\n"
        ),
    )
    yield (
        "empty-parts-consecutive-no-crlf",
        b"".join(
            [crlf(h("consecutive", 'Content-Type: multipart/mixed; boundary="b"\n')), b"\r\n--b\r\n--b\r\n--b--\r\n"]
        ),
    )
    yield (
        "inner-boundary-equal",
        crlf(
            h("equal boundary", 'Content-Type: multipart/mixed; boundary="same"\n')
            + '\n--same\nContent-Type: multipart/alternative; boundary="same"\n\n--same\nContent-Type: text/plain\n\n'
            "a\n--same\nContent-Type: text/html\n\nb\n--same--\n\n--same\nContent-Type: text/plain\n\nc\n--same--\n"
        ),
    )
    yield (
        "inner-boundary-extends",
        crlf(
            h("extending boundary", 'Content-Type: multipart/mixed; boundary="abc"\n')
            + '\n--abc\nContent-Type: multipart/alternative; boundary="abcdef"\n\n--abcdef\nContent-Type: text/plain\n\n'
            "a\n--abcdef\nContent-Type: text/html\n\nb\n--abcdef--\n\n--abc\nContent-Type: text/plain\n\nc\n--abc--\n"
        ),
    )
    yield (
        "inner-boundary-prefix",
        crlf(
            h("prefix boundary", 'Content-Type: multipart/mixed; boundary="abcdef"\n')
            + '\n--abcdef\nContent-Type: multipart/alternative; boundary="abc"\n\n--abc\nContent-Type: text/plain\n\n'
            "a\n--abc\nContent-Type: text/html\n\nb\n--abc--\n\n--abcdef\nContent-Type: text/plain\n\nc\n--abcdef--\n"
        ),
    )
    yield (
        "outer-closes-inner",
        crlf(
            h("outer closes", 'Content-Type: multipart/mixed; boundary="out"\n')
            + '\n--out\nContent-Type: multipart/alternative; boundary="in"\n\n--in\nContent-Type: text/plain\n\n'
            "a\n--in\nContent-Type: text/html\n\nb\n--out\nContent-Type: text/plain\n\nc\n--out--\n"
        ),
    )
    yield (
        "preamble-epilogue",
        crlf(
            h("pre epi", 'Content-Type: multipart/mixed; boundary="pe"\n')
            + "\npreamble line 1\npreamble line 2\n\n--pe\nContent-Type: text/plain\n\nx\n--pe--\n\nepilogue 1\nepilogue 2\n"
        ),
    )
    yield (
        "missing-close",
        crlf(
            h("missing close", 'Content-Type: multipart/mixed; boundary="mc"\n')
            + "\n--mc\nContent-Type: text/plain\n\nfirst\n--mc\nContent-Type: text/plain\n\nsecond, never closed\n"
        ),
    )
    yield (
        "missing-close-nested",
        crlf(
            h("missing close nested", 'Content-Type: multipart/mixed; boundary="o"\n')
            + '\n--o\nContent-Type: multipart/alternative; boundary="i"\n\n--i\nContent-Type: text/plain\n\nx\n'
            "--i\nContent-Type: text/html\n\ny\n--o\nContent-Type: text/plain\n\nz\n"
        ),
    )
    yield (
        "boundary-not-found",
        crlf(
            h("wrong boundary", 'Content-Type: multipart/mixed; boundary="expected"\n')
            + "\n--other\nContent-Type: text/plain\n\nx\n--other--\n"
        ),
    )
    yield "boundary-missing-param", crlf(h("no boundary", "Content-Type: multipart/mixed\n") + "\n--x\n\nbody\n--x--\n")
    yield (
        "boundary-empty-param",
        crlf(h("empty boundary", 'Content-Type: multipart/mixed; boundary=""\n') + "\n--\n\nx\n"),
    )
    yield (
        "boundary-trailing-space",
        crlf(
            h("boundary lwsp", 'Content-Type: multipart/mixed; boundary="b"\n')
            + "\n--b   \nContent-Type: text/plain\n\nx\n--b  \n\ny\n--b-- \n"
        ),
    )
    yield (
        "boundary-text-after",
        crlf(
            h("boundary suffix", 'Content-Type: multipart/mixed; boundary="b"\n')
            + "\n--bogus\nnot a part\n--b\nContent-Type: text/plain\n\nx\n--bx\nstill x\n--b--garbage\n"
        ),
    )
    yield (
        "boundary-at-body-start",
        crlf(h("first line", 'Content-Type: multipart/mixed; boundary="s"\n') + "\n--s\n\nfirst\n--s--"),
    )
    yield (
        "part-without-blank-line",
        crlf(
            h("part no blank", 'Content-Type: multipart/mixed; boundary="p"\n')
            + "\n--p\nContent-Type: text/plain\n--p\nContent-Type: text/plain\nbody directly\n--p--\n"
        ),
    )
    yield "multipart-empty-body", crlf(h("mp empty", 'Content-Type: multipart/mixed; boundary="e"\n') + "\n")
    yield "multipart-only-close", crlf(h("only close", 'Content-Type: multipart/mixed; boundary="e"\n') + "\n--e--\n")
    yield (
        "unknown-multipart-subtype",
        crlf(
            h("x-unknown", 'Content-Type: multipart/x-whatever; boundary="u"; foo=bar\n')
            + '\n--u\nContent-Type: text/plain; charset="ISO-8859-1"; format=flowed; delsp=yes\n\nx\n--u--\n'
        ),
    )
    deep = "Content-Type: text/plain\n\nbottom\n"
    for level in range(12):
        deep = f'Content-Type: multipart/mixed; boundary="lvl{level}"\n\n--lvl{level}\n{deep}\n--lvl{level}--\n'
    yield "deep-nesting", crlf(h("deep") + deep)


def header_edges() -> Iterator[Message]:
    yield "mbox-from-line", crlf("From alice@example.com Mon Mar  2 10:00:00 2026\n" + head("mbox") + "\nbody\n")
    yield "mbox-from-line-only", crlf("From nobody Thu Jan  1 00:00:00 1970\nSubject: x\n\nbody\n")
    yield "no-colon-middle", crlf(head("no colon", "this line has no colon\nX-After: kept\n") + "\nbody\n")
    yield "no-colon-first-line-of-header", crlf("garbage line\nFrom: a@example.com\nSubject: x\n\nbody\n")
    yield "no-blank-line", crlf("From: a@example.com\nSubject: no blank\nthis is the body without a separator\nmore\n")
    yield "header-only", crlf("From: a@example.com\nSubject: header only\n")
    yield "header-only-no-final-eol", b"From: a@example.com\r\nSubject: header only no eol"
    yield "body-only", crlf("\nno header at all\n")
    yield "space-before-colon", crlf("From : a@example.com\nSubject  :  spaced\nTo:b@example.com\n\nbody\n")
    yield "empty-values", crlf("From:\nTo:\nSubject:\nDate:\nMessage-ID:\n\nbody\n")
    yield "duplicate-fields", crlf(head("first subject") + "Subject: second subject\nTo: second@example.org\n\nx\n")
    yield (
        "folded-everything",
        crlf(
            "From: Alice\n <alice@example.com>\nTo: a@example.com,\n\tb@example.com,\n  c@example.com\n"
            "Subject: folded\n\tsubject\n  with tabs\nDate: Mon,\n 2 Mar 2026 10:00:00 +0100\n\nbody\n"
        ),
    )
    yield "whitespace-line-in-header", crlf("From: a@example.com\n \nSubject: after ws line\n\nbody\n")
    yield "header-continuation-first", crlf(" continued first\nFrom: a@example.com\n\nbody\n")
    yield "header-8bit-name", b"From: a@example.com\r\nX-\xe4rger: value\r\nSubject: x\r\n\r\nbody\r\n"
    yield (
        "huge-header",
        crlf(
            head(
                "huge",
                "".join(f"Received: from host{i}.example.com by mx.example.com; Mon, 2 Mar 2026\n" for i in range(400)),
            )
            + "X-Long: "
            + "a" * 5000
            + "\n\nbody\n"
        ),
    )
    yield "huge-folded-subject", crlf(head("long " + "\n word" * 800) + "\nbody\n")
    yield (
        "lowercase-fields",
        crlf("from: a@example.com\nsubject: lower\ncontent-type: TEXT/HTML; CHARSET=UTF-8\n\n<p>\n"),
    )
    yield "message-id-odd", crlf(head("ids") + "In-Reply-To: <a@b> (comment) <c@d>\nReferences: <a@b>\n <c@d>\n\nx\n")


def address_edges() -> Iterator[Message]:
    senders = [
        "alice@example.com",
        "<alice@example.com>",
        '"Doe, John" <john@example.com>',
        "John Doe <john@example.com> (comment)",
        "john@example.com (John Doe)",
        "undisclosed-recipients:;",
        'Friends: a@example.com, "B" <b@example.com>;, c@example.com',
        "<@route1,@route2:alice@example.com>",
        "Alice <@relay.example.com:alice@example.com>",
        "=?utf-8?q?J=C3=B6rg?= <jorg@example.de>",
        '"=?utf-8?q?Quoted_Enc?=" <q@example.com>',
        "no-domain",
        "Bare Name",
        "a@example.com, , b@example.com",
        '"weird\\"quote" <w@example.com>',
        "Zed <zed@example.com>, Adam <adam@example.com>",
        "@example.com",
        "alice@",
        "Mr. Smith <smith@example.com>",
        "user@[192.0.2.1]",
        '"" <empty-name@example.com>',
        "ALICE@EXAMPLE.COM",
        "Group: ;",
        "Grüß <gruss@example.de>",
    ]
    for i, sender in enumerate(senders):
        to = senders[(i + 5) % len(senders)]
        cc = senders[(i + 11) % len(senders)]
        yield (
            f"address-{i:02d}",
            crlf(
                f"From: {sender}\nTo: {to}\nCc: {cc}\nReply-To: {senders[(i + 3) % len(senders)]}\n"
                f"Subject: address {i}\nDate: Wed, {1 + i % 28} Jan 2026 0{i % 10}:00:00 +0000\n\nbody {i}\n"
            ),
        )


def encoding_edges() -> Iterator[Message]:
    qp_bodies = {
        "soft-breaks": "line one with a soft=\nbreak and another=\n  spaced soft break\n",
        "trailing-ws": "trailing spaces   \ntrailing tab\t\nafter\n",
        "soft-break-ws": "soft break with padding=  \nnext\n",
        "lowercase-hex": "caf=c3=a9 and =3d\n",
        "invalid-escapes": "bad =G1 and =\t= end =X\n=4\n",
        "final-soft": "ends with soft break=",
        "equals-end": "ends with =\n",
        "long-line": ("x" * 200) + "=\n" + ("y" * 80) + "\n",
        "crlf-encoded": "a=0D=0Ab=0Ac\n",
        "8bit-inside": "raw \u00e9 byte\n",
    }
    for name, text in qp_bodies.items():
        yield (
            f"qp-{name}",
            crlf(
                head(
                    f"qp {name}",
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
                )
                + "\n"
                + text
            ),
        )
        yield (
            f"qp-part-{name}",
            crlf(
                head(f"qp part {name}", 'Content-Type: multipart/mixed; boundary="q"\n')
                + "\n--q\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                + text
                + "\n--q\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: Quoted-Printable\n\n"
                + text
                + "\n--q--\n"
            ),
        )
    b64_bodies = {
        "clean": b64(bytes(range(256))),
        "no-padding": "aGVsbG8gd29ybGQ",
        "garbage": "aGVs!!bG8g*d29y\nbGQ=\n",
        "after-padding": "aGVsbG8=\nd29ybGQ=\n",
        "whitespace": "aGVs bG8g\td29y bGQ=\n",
        "one-extra": "aGVsbG8gd29ybGQ=a\n",
        "empty": "",
    }
    for name, text in b64_bodies.items():
        yield (
            f"b64-{name}",
            crlf(
                head(f"b64 {name}", 'Content-Type: multipart/mixed; boundary="q"\n')
                + "\n--q\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                + text
                + "\n--q--\n"
            ),
        )
    for cte in ("7BIT", "8Bit", "binary", "x-uuencode", "bogus-cte", "base64; junk", ""):
        yield (
            f"cte-{cte or 'empty'}",
            crlf(head(f"cte {cte}", f"Content-Type: text/plain\nContent-Transfer-Encoding: {cte}\n") + "\nbody text\n"),
        )
    yield (
        "8bit-part",
        (
            crlf(head("8bit part", 'Content-Type: multipart/mixed; boundary="e"\n'))
            + b"\r\n--e\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            b"caf\xe9 \xff\xfe\r\n--e\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            + bytes(range(1, 256)).replace(b"\r", b"").replace(b"\n", b"")
            + b"\r\n--e--\r\n"
        ),
    )
    yield "nul-bytes", crlf(head("nul")) + b"\r\nbody with \x00 a NUL\r\nand \x00\x00 more\r\n"
    yield "nul-in-header", b"From: a@example.com\r\nSubject: nul\x00here\r\n\r\nbody\r\n"


def line_end_edges() -> Iterator[Message]:
    text = head("line ends", 'Content-Type: multipart/mixed; boundary="le"\n') + (
        "\n--le\nContent-Type: text/plain\n\nline 1\nline 2\n--le\nContent-Type: text/plain\n\nline 3\n--le--\n"
    )
    yield "bare-lf", text.encode()
    yield "bare-cr", text.replace("\n", "\r").encode()
    yield "mixed-line-ends", text.replace("line 1\n", "line 1\r\n").replace("line 3\n", "line 3\r").encode()
    yield "cr-in-body", crlf(head("cr in body")) + b"\r\nbare\rCR inside\r\nand\r\r\n"
    yield "no-final-newline", crlf(head("no final")).rstrip(b"\r\n") + b"\r\n\r\nlast line without eol"
    yield "crlf-lf-header", b"From: a@example.com\nSubject: lf header\r\n\nbody\n"


def misc_messages() -> Iterator[Message]:
    types = [
        "text/plain",
        "TEXT/PLAIN; CHARSET=ISO-8859-1",
        'text/html; charset="utf-8"',
        "text",
        "text/",
        "/plain",
        "application/json",
        "image/jpeg; name=photo.jpg",
        "audio/mpeg",
        "video/mp4",
        "text/plain; charset=utf-8 (comment)",
        "text/plain;; ; charset=x",
        'text/plain; charset="a\\"b"',
        "text/plain; format=flowed; charset=",
        "garbage",
        'message/partial; id="x@y"; number=1; total=2',
        'message/external-body; access-type=URL; URL="x"',
        "multipart/related",
        'text/plain; name="quoted space.txt"',
        "application/vnd.ms-excel",
    ]
    for i, content_type in enumerate(types):
        yield (
            f"type-{i:02d}",
            crlf(
                head(
                    f"type {i}",
                    f"Content-Type: {content_type}\nContent-ID: <id{i}@x>\nContent-Description: d{i}\n"
                    f"Content-Disposition: {'inline' if i % 2 else 'attachment; filename=f' + str(i)}\n"
                    f"Content-Language: {'en' if i % 3 else 'en-US, fr'}\nContent-Location: loc{i}\n",
                )
                + f"\nbody {i}\nsecond line\n"
            ),
        )
    for i, date in enumerate(
        [
            "Mon, 2 Mar 2026 10:00:00 +0100",
            "2 Mar 2026 23:59:59 -1200",
            "garbage date",
            "Tue, 31 Dec 1999 23:59:60 +0000",
            "Sun, 1 Mar 2026 00:00:00 +1400",
            "Thu, 1 Jan 1970 00:00:00 GMT",
            "Fri, 13 Feb 2026 13:13 EST",
            "",
        ]
    ):
        yield f"date-{i}", crlf(f"From: d{i}@example.com\nTo: t@example.com\nSubject: date {i}\nDate: {date}\n\nx\n")


BUILDERS: tuple[Callable[[], Iterator[Message]], ...] = (
    plain_messages,
    mixed_messages,
    alternative_messages,
    security_messages,
    message_messages,
    multipart_edges,
    header_edges,
    address_edges,
    encoding_edges,
    line_end_edges,
    misc_messages,
)


def shapes() -> list[Message]:
    """Every hand-built message, and each multipart one again with bare LF line ends and with a subject
    in each charset, so boundaries, sizes and line counts are compared in both line-end forms."""
    base = [message for builder in BUILDERS for message in builder()]
    variants: list[Message] = []
    for name, data in base:
        if b"multipart/" in data.lower() and b"\x00" not in data:
            variants.append((name + "+lf", data.replace(b"\r\n", b"\n")))
    return base + variants
