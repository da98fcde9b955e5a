"""Every SMTP reply the server sends, named once and shared by the session and the tests.

Codes follow RFC 5321 4.2 and enhanced status codes RFC 3463 (advertised as ENHANCEDSTATUSCODES,
RFC 2034). Each reply keeps its wire form so the hot path writes prebuilt bytes.
"""

from __future__ import annotations


class Reply:
    """One reply line: basic code, enhanced status and text, with its encoded form ready to write."""

    __slots__ = ("code", "status", "text", "wire")

    def __init__(self, code: int, status: str, text: str) -> None:
        self.code = code
        self.status = status
        self.text = text
        # 3xx replies carry no enhanced status (RFC 3463 applies to 2xx, 4xx and 5xx).
        line = f"{code} {status} {text}" if status else f"{code} {text}"
        self.wire = f"{line}\r\n".encode()

    @property
    def message(self) -> str:
        """The reply as clients such as smtplib report it: the enhanced status and the text."""
        return f"{self.status} {self.text}" if self.status else self.text

    def __repr__(self) -> str:
        return f"Reply({self.code}, {self.status!r}, {self.text!r})"


def multiline(code: int, lines: list[str]) -> bytes:
    """A multi-line reply (RFC 5321 4.2.1): ``code-text`` for every line but the last, ``code text``."""
    head = "".join(f"{code}-{line}\r\n" for line in lines[:-1])
    return f"{head}{code} {lines[-1]}\r\n".encode()


# 2xx / 3xx
CLOSING = Reply(221, "2.0.0", "Bye")
AUTH_SUCCEEDED = Reply(235, "2.7.0", "Authentication successful")
READY_FOR_TLS = Reply(220, "2.0.0", "Ready to start TLS")
OK = Reply(250, "2.0.0", "OK")
SENDER_OK = Reply(250, "2.1.0", "Sender OK")
RECIPIENT_OK = Reply(250, "2.1.5", "Recipient OK")
MESSAGE_ACCEPTED = Reply(250, "2.0.0", "Message accepted for delivery")


def chunk_received(size: int) -> Reply:
    """The reply to a BDAT chunk that is not the last (RFC 3030 2)."""
    return Reply(250, "2.0.0", f"{size} octets received")


RESET_OK = Reply(250, "2.0.0", "Reset OK")
CANNOT_VRFY = Reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery")
START_MAIL_INPUT = Reply(354, "", "End data with <CR><LF>.<CR><LF>")

# 4xx
SHUTTING_DOWN = Reply(421, "4.3.2", "Service shutting down")
IDLE_TIMEOUT = Reply(421, "4.4.2", "Idle timeout, closing connection")
TOO_MANY_ERRORS = Reply(421, "4.7.0", "Too many errors, closing connection")
INTERNAL_ERROR = Reply(421, "4.3.0", "Internal error, closing connection")
LOCAL_ERROR = Reply(451, "4.3.0", "Local error in processing, try again later")
NOT_STORED = Reply(451, "4.3.0", "Message not stored (server storage failure), try again later")
TLS_NOT_AVAILABLE = Reply(454, "4.7.0", "TLS not available due to temporary reason")
TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")

# 5xx: the command itself
UNKNOWN_COMMAND = Reply(500, "5.5.1", "Command not recognized")
LINE_TOO_LONG = Reply(500, "5.5.2", "Line too long")
INVALID_UTF8 = Reply(500, "5.5.2", "Command is not valid UTF-8")
SYNTAX_ERROR = Reply(501, "5.5.4", "Syntax error in parameters or arguments")
HELO_NEEDS_DOMAIN = Reply(501, "5.5.4", "Domain name required")
BAD_SENDER_SYNTAX = Reply(501, "5.1.7", "Bad sender address syntax")
BAD_RECIPIENT_SYNTAX = Reply(501, "5.1.3", "Bad recipient address syntax")
SENDER_TOO_LONG = Reply(501, "5.1.7", "Path too long")
RECIPIENT_TOO_LONG = Reply(501, "5.1.3", "Path too long")
AUTH_CANCELLED = Reply(501, "5.0.0", "Authentication cancelled")
BAD_BASE64 = Reply(501, "5.5.2", "Cannot decode response")
NOT_IMPLEMENTED = Reply(502, "5.5.1", "Command not implemented")
NEED_HELO = Reply(503, "5.5.1", "Send HELO/EHLO first")
NEED_EHLO_FOR_AUTH = Reply(503, "5.5.1", "Send EHLO first")
NESTED_MAIL = Reply(503, "5.5.1", "Sender already specified")
NEED_MAIL = Reply(503, "5.5.1", "Need MAIL command")
NEED_RCPT = Reply(503, "5.5.1", "Need RCPT command")
ALREADY_AUTHENTICATED = Reply(503, "5.5.1", "Already authenticated")
TLS_ALREADY_ACTIVE = Reply(503, "5.5.1", "TLS already active")
STARTTLS_NO_PARAMETERS = Reply(501, "5.5.4", "Syntax error (no parameters allowed)")
AUTH_IN_TRANSACTION = Reply(503, "5.5.1", "AUTH not permitted during a mail transaction")
UNKNOWN_MECHANISM = Reply(504, "5.5.4", "Unrecognized authentication type")
PARAMETER_NOT_RECOGNIZED = Reply(555, "5.5.4", "MAIL FROM/RCPT TO parameter not recognized or not implemented")
BAD_BODY_PARAMETER = Reply(501, "5.5.4", "BODY must be 7BIT or 8BITMIME")
BAD_SIZE_PARAMETER = Reply(501, "5.5.4", "SIZE must be a number of octets")
BAD_DSN_PARAMETER = Reply(501, "5.5.4", "Invalid DSN parameter (RFC 3461)")
BAD_BDAT_SYNTAX = Reply(501, "5.5.4", "Syntax: BDAT <size> [LAST]")
DATA_AFTER_BDAT = Reply(503, "5.5.1", "DATA cannot follow BDAT in one transaction")

# 5xx: policy and content
AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required")
AUTH_FAILED = Reply(535, "5.7.8", "Authentication credentials invalid")
RECIPIENT_REJECTED = Reply(550, "5.1.1", "Recipient address rejected")
MESSAGE_TOO_BIG = Reply(552, "5.3.4", "Message size exceeds fixed maximum message size")
NON_ASCII_ADDRESS = Reply(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter")
SENDER_NOT_UTF8 = Reply(501, "5.1.7", "Sender address is not valid UTF-8")
RECIPIENT_NOT_UTF8 = Reply(501, "5.1.3", "Recipient address is not valid UTF-8")
NO_VALID_RECIPIENTS = Reply(554, "5.5.1", "No valid recipients")

# 5xx: message content a strict MTA refuses (ELEKTROMAIL_SMTP_STRICT)
BARE_LINE_END = Reply(554, "5.5.2", "Message has a bare LF or CR; lines must end in CRLF (RFC 5322 2.3)")
STRICT_LINE_TOO_LONG = Reply(554, "5.6.0", "Message has a line over 998 octets plus CRLF (RFC 5322 2.1.1)")
UNDECLARED_8BIT = Reply(554, "5.6.1", "Message has 8-bit octets but MAIL FROM had no BODY=8BITMIME (RFC 6152)")
NO_FROM_FIELD = Reply(554, "5.6.0", "Message has no From header field (RFC 5322 3.6)")
NO_DATE_FIELD = Reply(554, "5.6.0", "Message has no Date header field (RFC 5322 3.6)")

# Replies that count against the bad-command budget (BAD_COMMAND_LIMIT): the client sent nonsense,
# as opposed to a well-formed request the server declined (550, 552, 535 ...).
BAD_COMMAND_CODES = frozenset({500, 501, 502, 503, 504, 555})
