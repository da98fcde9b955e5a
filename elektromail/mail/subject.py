"""The base subject of RFC 5256 2.1, which SORT and THREAD compare: the subject without reply and
forward markers, list tags in brackets, and "(fwd)" trailers. THREAD=REFERENCES also needs to know whether
any such marker was removed (the message is then a reply or forward)."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"[ \t\r\n]+")
# subj-trailer = "(fwd)" / WSP
_TRAILER = re.compile(r"(?:(\(fwd\))| )\Z", re.IGNORECASE)
# subj-blob = "[" *BLOBCHAR "]" *WSP, where BLOBCHAR is anything but "[" and "]"
_BLOB = r"\[[^\[\]]*\] *"
# subj-leader = (*subj-blob subj-refwd) / WSP; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
_LEADER = re.compile(rf"(?:((?:{_BLOB})*(?:re|fwd?) *(?:{_BLOB})?:)| )", re.IGNORECASE)
_LEADING_BLOB = re.compile(_BLOB)
_FWD_HEADER = "[fwd:"


def base_subject(subject: str) -> str:
    """``subject`` already decoded from RFC 2047 (step 1's conversion); steps 1 to 7 of RFC 5256 2.1."""
    return subject_parts(subject)[0]


def subject_parts(subject: str) -> tuple[str, bool]:
    """The base subject, and whether a reply or forward marker (subj-refwd, "(fwd)", "[fwd: ...]") went."""
    text = _WHITESPACE.sub(" ", subject)
    marked = False
    while True:
        while (match := _TRAILER.search(text)) is not None:  # step 2
            marked = marked or match.group(1) is not None
            text = text[: match.start()]
        while True:  # steps 3 to 5
            if (match := _LEADER.match(text)) is not None:
                marked = marked or match.group(1) is not None
                text = text[match.end() :]
                continue
            blob = _LEADING_BLOB.match(text)
            if blob is not None and blob.end() < len(text):  # only if a non-empty base remains
                text = text[blob.end() :]
                continue
            break
        # Step 6: "[fwd: ...]" wraps a forwarded subject; unwrap it and start again.
        if text[: len(_FWD_HEADER)].lower() == _FWD_HEADER and text.endswith("]"):
            text = text[len(_FWD_HEADER) : -1]
            marked = True
            continue
        return text, marked
