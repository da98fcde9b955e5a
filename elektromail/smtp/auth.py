"""SMTP AUTH (RFC 4954): the exchange of ``334`` challenges and base64 responses around :mod:`elektromail.sasl`.

The session checks where AUTH may come (after EHLO, once, outside a transaction) and feeds this object
the command's argument and then each response line while :attr:`Authentication.step` waits for one.
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Awaitable
from functools import partial

from elektromail import sasl
from elektromail.smtp import replies
from elektromail.smtp.actions import Deferred
from elektromail.smtp.replies import Reply


class Authentication:
    """Who the client proved to be, and the SASL step waiting for the client's next response."""

    __slots__ = ("_verify", "user", "step", "mechanism")

    def __init__(self, verify: sasl.Verifier) -> None:
        self._verify = verify
        self.user: str | None = None
        self.step: sasl.Step | None = None  # set while a 334 challenge waits for its answer
        self.mechanism = ""  # of the last AUTH command

    def forget(self) -> None:
        """Back to unauthenticated (a new connection, or after STARTTLS)."""
        self.user = None
        self.step = None

    def command(self, argument: str) -> Reply | Deferred:
        """``AUTH mechanism [initial-response]``: the reply now, or the first step to run."""
        mechanism, _, initial = argument.partition(" ")
        mechanism = mechanism.upper()
        if mechanism not in sasl.MECHANISMS:
            return replies.UNKNOWN_MECHANISM
        self.mechanism = mechanism
        if " " in initial:
            return replies.SYNTAX_ERROR
        try:
            # RFC 4954 4: "=" is an empty initial response.
            response = None if not initial else b"" if initial == "=" else sasl.decode_base64(initial)
            return Deferred(0, partial(self._advance, sasl.begin(mechanism, self._verify, response)))
        except sasl.SaslError:
            return replies.BAD_BASE64

    def response(self, line: bytes) -> Reply | Deferred:
        """The client's answer to a ``334`` challenge; ``*`` cancels the exchange (RFC 4954 4)."""
        step, self.step = self.step, None
        if line == b"*" or step is None:
            return replies.AUTH_CANCELLED
        try:
            response = sasl.decode_base64(line)
        except sasl.SaslError:
            return replies.BAD_BASE64
        return Deferred(0, partial(self._advance, step(response)))

    async def _advance(self, result: Awaitable[sasl.Result]) -> Reply:
        try:
            outcome = await result
        except sasl.SaslError:
            return replies.BAD_BASE64
        if isinstance(outcome, sasl.Challenge):
            self.step = outcome.next
            return Reply(334, "", b64encode(outcome.data).decode())
        if isinstance(outcome, sasl.Success):
            self.user = outcome.account.name
            return replies.AUTH_SUCCEEDED
        return replies.AUTH_FAILED
