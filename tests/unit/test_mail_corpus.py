"""ENVELOPE, BODY and BODYSTRUCTURE of a corpus of real-world shapes, compared with Dovecot's answers.

tests/unit/data/dovecot_reference.json was recorded from Debian's dovecot-imapd by
``python -m bench.dovecot_reference``; both sides go through imapclient's parser, so the test also shows
imapclient accepts what elektromail sends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from elektromail.mail.bodystructure import body, bodystructure
from elektromail.mail.envelope import envelope
from elektromail.mail.message import ParsedMessage
from tests.unit.imap_literals import parse_imap

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
REFERENCE: dict[str, dict[str, str]] = json.loads((DATA / "dovecot_reference.json").read_text())


def test_reference_covers_the_corpus() -> None:
    assert sorted(REFERENCE) == sorted(path.name for path in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("item", ["ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE"])
def test_matches_dovecot(name: str, item: str) -> None:
    parsed = ParsedMessage((CORPUS / name).read_bytes())
    ours = {
        "ENVELOPE": envelope(parsed),
        "BODYSTRUCTURE": bodystructure(parsed),
        "BODY": body(parsed),
        "RFC822.SIZE": b"%d" % parsed.size,
    }[item]
    theirs = REFERENCE[name][item].encode("latin-1")
    assert parse_imap(ours) == parse_imap(theirs)


def test_views_are_computed_once() -> None:
    parsed = ParsedMessage((CORPUS / "04-message-rfc822.eml").read_bytes())
    first = bodystructure(parsed)
    assert bodystructure(parsed) is first
    first_envelope = envelope(parsed)
    kept = (parsed.envelope_shared, parsed.envelope_own)
    assert envelope(parsed) == first_envelope  # joined from the same kept pieces, not worked out again
    assert parsed.envelope_shared is kept[0] and parsed.envelope_own is kept[1]
