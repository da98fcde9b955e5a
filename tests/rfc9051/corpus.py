"""Realistic messages the harness APPENDs: the shapes mail clients meet (RFC 5322 / MIME, CRLF line ends)."""

from __future__ import annotations


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


SIMPLE = crlf(
    """Date: Mon, 01 Feb 2021 12:00:00 +0000
From: Alice Able <alice@example.com>
To: Bob Baker <bob@example.org>
Cc: carol@example.net
Subject: Quarterly report
Message-ID: <simple-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

The numbers look good this quarter.
Regards, Alice
"""
)

# RFC 5322 3.4 group syntax, Reply-To, Sender, In-Reply-To, quoted display names.
ADDRESSES = crlf(
    """Date: Wed, 10 Feb 2021 09:30:00 +0100
From: "Bob Baker" <bob@example.org>
Sender: secretary@example.org
Reply-To: replies@example.org
To: undisclosed-recipients:;
Cc: Team: carol@example.net, dave@example.com;
Bcc: eve@example.com
Subject: Lunch on Friday?
Message-ID: <addresses-2@example.org>
In-Reply-To: <simple-1@example.com>

Pizza at noon?
"""
)

# RFC 2047 encoded words in headers and an 8-bit UTF-8 body.
ENCODED = crlf(
    """Date: Sat, 20 Feb 2021 18:45:00 -0500
From: =?UTF-8?Q?Caf=C3=A9_M=C3=BCller?= <cafe@example.de>
To: alice@example.com
Subject: =?UTF-8?B?VHJlZmZlbiBpbSBDYWbDqQ==?=
Message-ID: <encoded-3@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Wir treffen uns im Café am Marktplatz.
Grüße
"""
)

# multipart/mixed: a nested multipart/alternative and a base64 attachment.
MULTIPART = crlf(
    """Date: Mon, 01 Mar 2021 08:00:00 +0000
From: Dave Dodd <dave@example.com>
To: Alice Able <alice@example.com>
Subject: Invoice with attachment
Message-ID: <multipart-4@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer-boundary"

This is a multi-part message in MIME format.
--outer-boundary
Content-Type: multipart/alternative; boundary="inner-boundary"

--inner-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Please find the invoice attached. Total: 100 =E2=82=AC
--inner-boundary
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>Please find the invoice attached. Total: 100 =E2=82=AC</p>
--inner-boundary--
--outer-boundary
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==
--outer-boundary--
"""
)

# The first part's decoded bytes and the attachment's decoded bytes, for BINARY checks.
MULTIPART_TEXT_DECODED = "Please find the invoice attached. Total: 100 €".encode()
MULTIPART_PDF_DECODED = b"%PDF-1.4\n%\xc3\xa4\xc3\xbc\xc3\xb6\xc3\x9f\n1 0 obj\n<</Type/Catalog>>\nendobj\n"

# A forwarded message: message/rfc822 carrying its own multipart.
FORWARDED = crlf(
    """Date: Tue, 02 Mar 2021 10:15:00 +0000
From: Carol Clark <carol@example.net>
To: Alice Able <alice@example.com>
Subject: Fwd: Invoice with attachment
Message-ID: <forwarded-5@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-boundary"

--fwd-boundary
Content-Type: text/plain; charset=us-ascii

See the forwarded message below.
--fwd-boundary
Content-Type: message/rfc822

Date: Mon, 01 Mar 2021 08:00:00 +0000
From: Dave Dodd <dave@example.com>
To: Carol Clark <carol@example.net>
Subject: Original invoice
Message-ID: <inner-6@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=us-ascii

Original text part.
--alt
Content-Type: text/html; charset=us-ascii

<p>Original html part.</p>
--alt--

--fwd-boundary--
"""
)

# Headers only: no body at all.
NO_BODY = crlf(
    """Date: Thu, 04 Mar 2021 07:00:00 +0000
From: robot@example.com
To: alice@example.com
Subject: Ping

"""
)

# A long folded header (RFC 5322 2.2.3) and a custom header to search for.
FOLDED = crlf(
    """Date: Fri, 05 Mar 2021 16:20:00 +0000
From: Newsletter <news@example.com>
To: alice@example.com
Subject: This subject line is deliberately long so that it has to be folded
 across more than one line by the sender
X-Tracking-Id: track-abc123
Message-ID: <folded-7@example.com>

Line one of the newsletter.
Line two of the newsletter.
"""
)

ALL = (SIMPLE, ADDRESSES, ENCODED, MULTIPART, FORWARDED, NO_BODY, FOLDED)


def body_of(message: bytes) -> bytes:
    """The bytes after the header block's blank line (RFC 5322 2.1)."""
    return message.split(b"\r\n\r\n", 1)[1]


def header_of(message: bytes) -> bytes:
    """The header block including its terminating blank line (what BODY[HEADER] returns)."""
    return message.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
