"""RFC 5256 2.1 base subjects, on strings."""

from __future__ import annotations

import pytest

from elektromail.mail.subject import base_subject, subject_parts


@pytest.mark.parametrize(
    ("subject", "base"),
    [
        ("Meeting", "Meeting"),
        ("Re: Meeting", "Meeting"),
        ("RE: re: Fwd: fw: Meeting", "Meeting"),
        ("Re[2]: Meeting", "Meeting"),  # a blob may sit between the marker and its colon
        ("Re [2]: Meeting", "Meeting"),
        ("Re: [2] Meeting", "Meeting"),
        ("Re [2] [3]: Meeting", "Re [2] [3]: Meeting"),  # at most one blob there: not a reply marker
        ("[list] Re: Meeting", "Meeting"),
        ("[list] [other] Meeting", "Meeting"),
        ("[list]", "[list]"),  # a blob is kept when nothing would remain
        ("Meeting (fwd)", "Meeting"),
        ("Meeting (FWD) (fwd)  ", "Meeting"),
        ("[Fwd: Re: Meeting]", "Meeting"),
        ("[fwd: [list] Meeting (fwd)]", "Meeting"),
        ("Re:\tMeeting \r\n  notes", "Meeting notes"),
        ("  Re:   Meeting", "Meeting"),
        ("Reply: Meeting", "Reply: Meeting"),
        ("", ""),
        ("Re:", ""),
    ],
)
def test_base_subject(subject: str, base: str) -> None:
    assert base_subject(subject) == base


@pytest.mark.parametrize(
    ("subject", "parts"),
    [
        ("Meeting", ("Meeting", False)),
        ("Re: Meeting", ("Meeting", True)),
        ("Fw: Meeting", ("Meeting", True)),
        ("Meeting (fwd)", ("Meeting", True)),
        ("[Fwd: Meeting]", ("Meeting", True)),
        ("[list] Meeting", ("Meeting", False)),  # a list tag alone is no reply marker
        ("  Meeting  ", ("Meeting", False)),
        ("[list] Re[2]: Meeting", ("Meeting", True)),
    ],
)
def test_reply_or_forward(subject: str, parts: tuple[str, bool]) -> None:
    """RFC 5256 4 (REFERENCES step 5) prefers an original over a reply or forward with the same subject."""
    assert subject_parts(subject) == parts
