"""SMTP limits, each with the RFC section that sets or motivates it.

Limits users may want to change (message size, recipients, idle timeout) live in the configuration;
these are the fixed ones.
"""

from __future__ import annotations

# RFC 5321 4.5.3.1.4: a command line is at most 512 octets including its CRLF.
COMMAND_LINE_MAX = 512
# RFC 4954 4: an AUTH command or SASL response line may be up to 12288 octets including its CRLF.
AUTH_LINE_MAX = 12288
# RFC 5321 4.5.3.1.6: a text line of DATA is at most 1000 octets including its CRLF.
TEXT_LINE_MAX = 1000
# RFC 5321 4.5.3.1.1-3: local part, domain and whole path lengths, in octets.
LOCAL_PART_MAX = 64
DOMAIN_MAX = 255
PATH_MAX = 256
# RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients; the configured limit should not be lower.
RECIPIENTS_MINIMUM = 100
# RFC 5321 7.8 (resource exhaustion): after this many failed commands in a row the session ends with 421.
BAD_COMMAND_LIMIT = 10
# While a reply is being produced asynchronously, stop reading once this much input is waiting.
PENDING_INPUT_MAX = 256 * 1024
