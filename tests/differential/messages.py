"""A hypothesis strategy for whole messages: MIME trees of random shape, boundaries that collide with each
other, every transfer encoding, RFC 2231 and RFC 2047 parameters and words, broken and missing parts.

``python -m tests.differential.generate`` draws the recorded corpus from it with a fixed seed; the live
differential test draws new ones on every run.
"""

from __future__ import annotations

import base64
import quopri

from hypothesis import strategies as st

WORDS = ("alpha", "Beta", "gamma", "body", "inner", "hello", "Grüße", "日本", "привет", "café", "=", "--", "")
CHARSETS = ("utf-8", "iso-8859-1", "koi8-r", "shift_jis", "us-ascii")
BOUNDARIES = ("b", "bb", "b-1", "=_Part_0", "abc", "abcdef", "same", "x y", "")
LEAF_TYPES = (
    "text/plain",
    "text/html",
    "application/octet-stream",
    "image/png",
    "message/delivery-status",
    "text/calendar; method=REQUEST",
    "text",
)
ENCODINGS = ("7bit", "8bit", "quoted-printable", "base64", "binary", "x-unknown", "")

text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
line_end = st.sampled_from(("\r\n", "\n"))


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    words = draw(text)
    charset = draw(st.sampled_from(CHARSETS))
    data = words.encode(charset, "replace")
    if draw(st.booleans()):
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    return f"=?{charset}?Q?{quopri.encodestring(data, header=True).decode('ascii').replace(chr(10), '')}?="


@st.composite
def header(draw: st.DrawFn, top: bool) -> list[str]:
    lines: list[str] = []
    if top:
        name = draw(st.one_of(text, encoded_word()))
        lines.append(f"From: {name} <{draw(st.sampled_from(('a', 'b', 'carol')))}@example.com>")
        lines.append("Subject: " + draw(st.one_of(text, encoded_word())))
        if draw(st.booleans()):
            lines.append(f"Date: {draw(st.integers(1, 28))} Mar 2026 {draw(st.integers(0, 23)):02d}:00:00 +0000")
        if draw(st.booleans()):
            lines.append(
                "To: " + draw(st.sampled_from(("x@example.org", "Group: a@b.c;", "<@r:a@b.c>", "", "a@b, ,c@d")))
            )
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.sampled_from(("no colon here", " folded first", "X-Fold: a\r\n\tb", "From x y"))))
    return lines


@st.composite
def content_fields(draw: st.DrawFn, kind: str, boundary: str | None) -> list[str]:
    fields = []
    params = ""
    if boundary is not None:
        params = (
            f'; boundary="{boundary}"'
            if draw(st.booleans())
            else f'; boundary*0="{boundary[:1]}"; boundary*1="{boundary[1:]}"'
        )
    if draw(st.integers(0, 3)) == 0:
        params += "; name*0*=utf-8''%C3%9Cber; name*1=\"sicht.pdf\""
    if kind != "(none)":
        fields.append(f"Content-Type: {kind}{params}")
    return fields


@st.composite
def entity(draw: st.DrawFn, depth: int, top: bool = False) -> str:
    fields = draw(header(top))
    choice = draw(st.integers(0, 9)) if depth < 3 else 9
    if choice <= 3:  # multipart
        subtype = draw(st.sampled_from(("mixed", "alternative", "related", "digest", "signed", "report")))
        boundary = draw(st.sampled_from(BOUNDARIES))
        fields += draw(content_fields(f"multipart/{subtype}", boundary))
        children = draw(st.lists(entity(depth + 1), max_size=4))
        body = draw(st.sampled_from(("", "preamble\r\n")))
        for child in children:
            body += f"--{boundary}\r\n{child}\r\n"
        if draw(st.integers(0, 4)):
            body += f"--{boundary}--\r\n" + draw(st.sampled_from(("", "epilogue\r\n")))
        return "\r\n".join(fields) + "\r\n\r\n" + body
    if choice == 4:  # message/rfc822
        fields.append("Content-Type: message/rfc822")
        return "\r\n".join(fields) + "\r\n\r\n" + draw(entity(depth + 1, top=True))
    kind = draw(st.sampled_from((*LEAF_TYPES, "(none)")))
    fields += draw(content_fields(kind, None))
    encoding = draw(st.sampled_from(ENCODINGS))
    content = draw(text)
    if encoding == "quoted-printable":
        content = quopri.encodestring(content.encode()).decode("ascii") + draw(
            st.sampled_from(("", "=", " \r\n", "=\r\n"))
        )
    elif encoding == "base64":
        content = base64.encodebytes(content.encode()).decode("ascii")
    if encoding or draw(st.booleans()):
        fields.append(f"Content-Transfer-Encoding: {encoding}")
    blank = draw(st.sampled_from(("\r\n\r\n", "\r\n\r\n", "\r\n")))
    return "\r\n".join(fields) + blank + content


@st.composite
def message(draw: st.DrawFn) -> bytes:
    data = draw(entity(0, top=True)).encode("utf-8")
    if draw(st.integers(0, 4)) == 0:
        data = data.replace(b"\r\n", draw(line_end).encode())
    return data
