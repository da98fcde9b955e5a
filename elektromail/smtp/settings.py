"""What an SMTP session depends on, gathered in one object per listener and computed once."""

from __future__ import annotations

from elektromail import sasl
from elektromail.context import ServerContext
from elektromail.delivery.service import local_hostname
from elektromail.smtp.idle import IdleWatch
from elektromail.smtp.replies import Reply, multiline


class SmtpSettings:
    """Everything the sessions of one listener share: the server context, limits and prebuilt replies.

    The protocol factory takes this object and nothing else, so what a session depends on is read here.
    """

    def __init__(self, context: ServerContext, implicit_tls: bool = False) -> None:
        config = context.config
        self.context = context
        self.delivery = context.delivery
        self.hostname = local_hostname()
        self.implicit_tls = implicit_tls
        self.max_message_size = config.max_message_size
        self.strict = config.smtp_strict
        self.max_recipients = config.max_recipients
        self.idle_timeout = config.smtp_idle_timeout
        self.idle = IdleWatch()  # the idle timeout of every connection, on one timer
        self.auth_required = config.smtp_auth_required
        self.verify = sasl.verifier(context)  # checks AUTH proofs against the store
        self.banner = Reply(220, "", f"{self.hostname} ESMTP elektromail ready")
        self.helo_reply = f"250 {self.hostname}\r\n".encode()
        self.ehlo_reply = multiline(250, [self.hostname, *self.extensions()])
        # RFC 3207 4: STARTTLS is offered on plaintext connections only, when TLS is configured.
        self.starttls = context.tls is not None and not config.tls_disabled and not implicit_tls
        self.ehlo_reply_with_starttls = multiline(250, [self.hostname, *self.extensions(), "STARTTLS"])

    def extensions(self) -> list[str]:
        """The EHLO keywords every session offers (STARTTLS is added on plaintext connections)."""
        return [
            f"SIZE {self.max_message_size}",  # RFC 1870
            "8BITMIME",  # RFC 6152
            "PIPELINING",  # RFC 2920
            "ENHANCEDSTATUSCODES",  # RFC 2034
            "SMTPUTF8",  # RFC 6531
            "CHUNKING",  # RFC 3030
            "DSN",  # RFC 3461
            "AUTH " + " ".join(sasl.MECHANISMS),  # RFC 4954
            "HELP",
        ]
