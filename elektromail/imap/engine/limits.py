"""Limits the IMAP reader enforces before buffering anything, each with the RFC text that allows it."""

from __future__ import annotations

# RFC 9051 4: lines have no protocol limit, but servers may reject long ones; 64 KiB is far beyond any
# real client's longest command line (RFC 7162 3.2.3 suggests at least 8192 octets).
MAX_LINE = 64 * 1024

# A tag longer than this is not recognised in an overlong line (which is then answered untagged).
MAX_TAG = 1024

# Whole command (lines plus literals) outside APPEND's message literal: keeps a LOGIN or LIST bounded.
MAX_COMMAND_WITHOUT_APPEND = 1024 * 1024

# RFC 9051 6.2: before authentication a server may refuse large literals; LOGIN needs only a few bytes.
MAX_LITERAL_BEFORE_AUTH = 8 * 1024

# Literals one command may carry (LOGIN has at most two, a LIST a handful).
MAX_LITERALS_PER_COMMAND = 32

# MULTIAPPEND (RFC 3502): messages in one APPEND, and their total size as a multiple of APPENDLIMIT. The
# whole command is buffered before anything is stored (it is all or nothing), so both are bounded.
MAX_MESSAGES_PER_APPEND = 1000
APPEND_TOTAL_FACTOR = 4

# A non-synchronizing literal over the limit is drained when it is at most this large; beyond it the
# connection closes with BYE (RFC 7888 4: the server may close instead of reading what it rejects).
MAX_DRAINED_LITERAL = 4 * 1024 * 1024

# Consecutive BAD replies before the server gives up on the client (protects against garbage streams).
MAX_CONSECUTIVE_BAD = 20

# Buffered input beyond what the current read needs before the transport pauses reading.
READ_HIGH_WATER = 256 * 1024

# RFC 9051 2.3.1.1: UIDs and sequence numbers are non-zero 32-bit unsigned integers.
MAX_NUMBER = 4294967295

# RFC 9051 9: number64 for literal sizes and counters.
MAX_NUMBER64 = 9223372036854775807

# RFC 2971 3.3: ID field strings at most 1024 octets, at most 30 field-value pairs.
MAX_ID_FIELDS = 30
MAX_ID_STRING = 1024
