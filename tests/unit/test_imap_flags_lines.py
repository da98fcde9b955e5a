"""SELECT's FLAGS and PERMANENTFLAGS lines (RFC 9051 7.3.5, 7.1), encoded once per keyword list."""

from __future__ import annotations

from elektromail.imap.engine.selected import flags_lines

SYSTEM = rb"\Seen \Answered \Flagged \Deleted \Draft"


def test_without_keywords() -> None:
    assert flags_lines((), False) == (
        b"* FLAGS (" + SYSTEM + b")\r\n* OK [PERMANENTFLAGS (" + SYSTEM + rb" \*)] flags that persist" + b"\r\n"
    )


def test_keywords_follow_the_system_flags_in_the_order_given() -> None:
    lines = flags_lines(("$Junk", "Alpha"), False)
    assert lines.startswith(b"* FLAGS (" + SYSTEM + b" $Junk Alpha)\r\n")
    assert lines.endswith(b"[PERMANENTFLAGS (" + SYSTEM + rb" $Junk Alpha \*)] flags that persist" + b"\r\n")


def test_a_read_only_selection_has_no_permanent_flags() -> None:
    assert flags_lines(("x",), True) == (
        b"* FLAGS (" + SYSTEM + b" x)\r\n* OK [PERMANENTFLAGS ()] flags that persist\r\n"
    )
