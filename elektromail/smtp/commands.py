"""Pure parsing of SMTP command arguments: paths and ESMTP parameters (RFC 5321 4.1.2, RFC 6531 3.3).

Functions here take text and return typed values or raise :class:`CommandError` carrying the reply to
send; they do no I/O, so they are tested directly.
"""

from __future__ import annotations

import re

from elektromail.smtp import replies
from elektromail.smtp.limits import DOMAIN_MAX, LOCAL_PART_MAX, PATH_MAX
from elektromail.smtp.replies import Reply


class CommandError(Exception):
    """The command cannot be carried out; ``reply`` says why, the protocol's way."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class Path:
    """A reverse-path or forward-path. The null reverse-path ``<>`` has an empty address."""

    __slots__ = ("address", "local_part", "domain")

    def __init__(self, local_part: str, domain: str, address: str) -> None:
        self.local_part = local_part  # unquoted: ``"a b"@x`` gives ``a b``
        self.domain = domain
        self.address = address  # as the client wrote it, without the angle brackets or source route

    @property
    def is_null(self) -> bool:
        return not self.address

    def __repr__(self) -> str:
        return f"Path({self.address!r})"


NULL_PATH = Path("", "", "")

# RFC 5321 4.1.2. RFC 6531 3.3 also allows UTF-8 in atoms, quoted strings, domain labels and parameter
# values: rather than compile huge character classes, non-ASCII characters are folded to a letter before
# matching (one character for one, so spans stay valid), and whether the session may use UTF-8 at all
# (the SMTPUTF8 parameter) is checked by the caller.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ATEXT = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]"
_DOT_STRING = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED_STRING = r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"'
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*"
_ADDRESS_LITERAL = r"\[[\x21-\x5a\x5e-\x7e]+\]"
_SOURCE_ROUTE = rf"@{_DOMAIN}(?:,@{_DOMAIN})*:"
_PATH = re.compile(
    rf"<(?:{_SOURCE_ROUTE})?(?P<address>(?P<local>{_DOT_STRING}|{_QUOTED_STRING})"
    rf"@(?P<domain>{_DOMAIN}|{_ADDRESS_LITERAL}))>"
)
# The shape nearly every client sends MAIL and RCPT in: upper case, no space after the colon, a dot-string
# local part, no source route, no parameters, and short enough that no length limit applies (the address
# has at most 62 octets). The generic parser finds the same path in such a line; the session answers it
# without that parser, and leaves every other line to it.
SIMPLE_LINE_MAX = 74
SIMPLE_PATH = re.compile(
    rf"(?P<verb>MAIL FROM|RCPT TO):<(?P<address>(?P<local>{_DOT_STRING})@(?:{_DOMAIN}|{_ADDRESS_LITERAL}))>"
)
# RFC 5321 4.1.1.3: "postmaster" without a domain is a valid forward-path (case-insensitive).
_POSTMASTER = re.compile(r"<postmaster>", re.IGNORECASE)
# RFC 5321 4.1.2: esmtp-keyword ["=" esmtp-value].
_PARAMETER = re.compile(r"(?P<key>[A-Za-z0-9][A-Za-z0-9\-]*)(?:=(?P<value>[\x21-\x3c\x3e-\x7e]+))?")
_QUOTED_PAIR = re.compile(r"\\(.)")


def split_command(line: str) -> tuple[str, str]:
    """``"mail FROM:<a@b>"`` -> ``("MAIL", "FROM:<a@b>")``. The verb is upper-cased."""
    verb, _, argument = line.partition(" ")
    return verb.upper(), argument


def parse_mail(argument: str) -> tuple[Path, dict[str, str | None]]:
    """The argument of ``MAIL``: ``FROM:<reverse-path> [parameters]``."""
    rest = _strip_prefix(argument, "FROM:", replies.BAD_SENDER_SYNTAX)
    if rest.startswith("<>"):
        return NULL_PATH, parse_parameters(rest[2:])
    path, rest = _parse_path(rest, replies.BAD_SENDER_SYNTAX)
    return path, parse_parameters(rest)


def parse_rcpt(argument: str) -> tuple[Path, dict[str, str | None]]:
    """The argument of ``RCPT``: ``TO:<forward-path> [parameters]``."""
    rest = _strip_prefix(argument, "TO:", replies.BAD_RECIPIENT_SYNTAX)
    match = _POSTMASTER.match(rest)
    if match is not None:
        return Path("postmaster", "", "postmaster"), parse_parameters(rest[match.end() :])
    path, rest = _parse_path(rest, replies.BAD_RECIPIENT_SYNTAX)
    return path, parse_parameters(rest)


def parse_parameters(text: str) -> dict[str, str | None]:
    """``SP param *(SP param)``: keywords upper-cased; a repeated keyword is a syntax error."""
    if not text:
        return {}
    if not text.startswith(" "):
        raise CommandError(replies.SYNTAX_ERROR)
    parameters: dict[str, str | None] = {}
    for word in text[1:].split(" "):
        if not word:
            continue  # tolerate doubled spaces between parameters
        match = _PARAMETER.fullmatch(_fold(word))
        if match is None:
            raise CommandError(replies.SYNTAX_ERROR)
        key = match["key"].upper()
        if key in parameters:
            raise CommandError(replies.SYNTAX_ERROR)
        parameters[key] = None if match.start("value") < 0 else word[match.start("value") :]
    return parameters


def _strip_prefix(argument: str, prefix: str, bad_syntax: Reply) -> str:
    if argument[: len(prefix)].upper() != prefix:
        raise CommandError(bad_syntax)
    # Strictly no space belongs after the colon; widespread clients send one, and it is harmless.
    return argument[len(prefix) :].lstrip(" ")


def _parse_path(text: str, bad_syntax: Reply) -> tuple[Path, str]:
    if text.isascii():  # almost always: the match's groups are the text's, and characters are octets
        match = _PATH.match(text)
        if match is None:
            raise CommandError(bad_syntax)
        local, domain, address = match.group("local", "domain", "address")
        too_long = len(local) > LOCAL_PART_MAX or len(domain) > DOMAIN_MAX or match.end() > PATH_MAX
    else:
        match = _PATH.match(_NON_ASCII.sub("a", text))
        if match is None:
            raise CommandError(bad_syntax)
        local = text[match.start("local") : match.end("local")]
        domain = text[match.start("domain") : match.end("domain")]
        address = text[match.start("address") : match.end("address")]
        path_length = _octets(text[: match.end()])
        too_long = _octets(local) > LOCAL_PART_MAX or _octets(domain) > DOMAIN_MAX or path_length > PATH_MAX
    if too_long:
        raise CommandError(
            replies.SENDER_TOO_LONG if bad_syntax is replies.BAD_SENDER_SYNTAX else replies.RECIPIENT_TOO_LONG
        )
    if local.startswith('"'):
        local = _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return Path(local, domain, address), text[match.end() :]


def _octets(text: str) -> int:
    """Length on the wire; octets that were not UTF-8 arrive as surrogates (the session decodes so)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


def _fold(text: str) -> str:
    """Non-ASCII characters become ``a`` so the ASCII grammar accepts UTF-8 where RFC 6531 does."""
    return text if text.isascii() else _NON_ASCII.sub("a", text)


# RFC 3030 2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF; chunk-size = 1*DIGIT; end-marker = "LAST".
# Twenty digits is far beyond any message size limit, and bounds the number parsed.
_BDAT = re.compile(r"([0-9]{1,20})(?: (LAST))?", re.IGNORECASE)


def parse_bdat(argument: str) -> tuple[int, bool]:
    """``BDAT`` arguments -> (chunk size, whether this is the last chunk)."""
    match = _BDAT.fullmatch(argument)
    if match is None:
        raise CommandError(replies.BAD_BDAT_SYNTAX)
    return int(match.group(1)), match.group(2) is not None
