"""RFC 9051 6.4.4: SEARCH and UID SEARCH with every search key, ESEARCH results, CHARSET.

One mailbox with the corpus (varied flags, dates, addresses and sizes) is shared by the module and only
EXAMINEd, so every test reads the same state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.rfc9051 import corpus
from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, Literal, esearch_items, quote, search_numbers
from tests.rfc9051.conftest import delete_mailboxes, open_session, unique_prefix
from tests.rfc9051.response import parse_sequence_set
from tests.rfc9051.target import Target

# (message, flags, internal date) in sequence-number order.
MESSAGES = (
    (corpus.SIMPLE, "\\Seen \\Answered", "01-Mar-2021 12:00:00 +0000"),
    (corpus.ADDRESSES, "\\Flagged $Important", "10-Mar-2021 12:00:00 +0000"),
    (corpus.ENCODED, "\\Draft", "20-Mar-2021 12:00:00 +0000"),
    (corpus.MULTIPART, "\\Deleted \\Seen", "20-Mar-2021 12:00:00 +0000"),
    (corpus.FORWARDED, "", "25-Mar-2021 12:00:00 +0000"),
    (corpus.NO_BODY, "\\Seen", "01-Apr-2021 12:00:00 +0000"),
    (corpus.FOLDED, "$Important", "05-Apr-2021 12:00:00 +0000"),
)
ALL = list(range(1, len(MESSAGES) + 1))


@dataclass
class SearchBox:
    client: ImapClient
    name: str
    uids: list[int]


@pytest.fixture(scope="module")
def box(target: Target) -> Iterator[SearchBox]:
    prefix = unique_prefix()
    client = open_session(target)
    try:
        client.ok("CREATE", quote(prefix))
        for message, flags, date in MESSAGES:
            client.append(prefix, message, flags=flags, date=date)
        client.ok("EXAMINE", quote(prefix))
        uids = [int(item["UID"]) for _, item in sorted(client.ok("FETCH", "1:*", "(UID)").fetches().items())]  # type: ignore[call-overload]
        yield SearchBox(client, prefix, uids)
    finally:
        client.close()
        delete_mailboxes(target, prefix)


def others(*numbers: int) -> list[int]:
    return [number for number in ALL if number not in numbers]


def larger_than(size: int) -> list[int]:
    return [index + 1 for index, (message, _, _) in enumerate(MESSAGES) if len(message) > size]


def smaller_than(size: int) -> list[int]:
    return [index + 1 for index, (message, _, _) in enumerate(MESSAGES) if len(message) < size]


SIZE_PROBE = len(corpus.ADDRESSES)

CASES = [
    ("ALL", ALL),
    ("ANSWERED", [1]),
    ("UNANSWERED", others(1)),
    ("DELETED", [4]),
    ("UNDELETED", others(4)),
    ("DRAFT", [3]),
    ("UNDRAFT", others(3)),
    ("FLAGGED", [2]),
    ("UNFLAGGED", others(2)),
    ("SEEN", [1, 4, 6]),
    ("UNSEEN", [2, 3, 5, 7]),
    ("KEYWORD $Important", [2, 7]),
    ("UNKEYWORD $Important", others(2, 7)),
    ("KEYWORD $NeverSetAnywhere", []),
    ("FROM alice", [1]),
    ("FROM ALICE", [1]),
    ('FROM "example.com"', [1, 4, 6, 7]),
    ('FROM "Bob Baker"', [2]),
    ("TO bob", [1]),
    ("TO alice", [3, 4, 5, 6, 7]),
    ("CC carol", [1, 2]),
    ("CC dave", [2]),
    ("BCC eve", [2]),
    ("SUBJECT invoice", [4, 5]),
    ("SUBJECT Treffen", [3]),
    ('SUBJECT "folded across"', [7]),
    ('SUBJECT "lunch on friday?"', [2]),
    ("HEADER X-Tracking-Id track-abc", [7]),
    ('HEADER Message-ID ""', [1, 2, 3, 4, 5, 7]),
    ("HEADER In-Reply-To simple-1", [2]),
    ("BODY pizza", [2]),
    ("BODY numbers", [1]),
    ("BODY Quarterly", []),
    ('BODY "invoice attached"', [4]),
    ("TEXT Quarterly", [1]),
    ("TEXT pizza", [2]),
    (f"LARGER {SIZE_PROBE}", larger_than(SIZE_PROBE)),
    (f"SMALLER {SIZE_PROBE}", smaller_than(SIZE_PROBE)),
    ("BEFORE 10-Mar-2021", [1]),
    ("ON 20-Mar-2021", [3, 4]),
    ("SINCE 25-Mar-2021", [5, 6, 7]),
    ("SINCE 1-Jan-2030", []),
    ("SENTBEFORE 10-Feb-2021", [1]),
    ("SENTON 10-Feb-2021", [2]),
    ("SENTON 20-Feb-2021", [3]),
    ("SENTSINCE 04-Mar-2021", [6, 7]),
    ("NOT SEEN", [2, 3, 5, 7]),
    ("NOT NOT SEEN", [1, 4, 6]),
    ("OR FLAGGED DRAFT", [2, 3]),
    ("OR (FROM alice) (FROM bob)", [1, 2]),
    ("NOT (OR SEEN FLAGGED)", [3, 5, 7]),
    ("(SEEN ANSWERED)", [1]),
    ("SEEN FROM dave", [4]),
    ("SINCE 10-Mar-2021 BEFORE 25-Mar-2021", [2, 3, 4]),
    ("2:4", [2, 3, 4]),
    ("4:2", [2, 3, 4]),
    ("1,3,5", [1, 3, 5]),
    ("*", [7]),
    ("6:*", [6, 7]),
    ("2:4 SEEN", [4]),
    ("OR 1 7", [1, 7]),
]


@pytest.mark.parametrize(("criteria", "expected"), CASES, ids=[case[0] for case in CASES])
def test_search_key_rfc9051_6_4_4(box: SearchBox, criteria: str, expected: list[int]) -> None:
    """RFC 9051 6.4.4: each search key selects exactly the messages the RFC says it matches."""
    assert box.client.search(criteria) == expected


def test_search_uid_key_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4 (UID <sequence set>): messages whose UIDs are in the set."""
    assert box.client.search(f"UID {box.uids[2]},{box.uids[5]}") == [3, 6]


def test_uid_search_returns_uids_rfc9051_6_4_9(box: SearchBox) -> None:
    """RFC 9051 6.4.9: UID SEARCH returns UIDs instead of sequence numbers."""
    assert box.client.search("FLAGGED", uid=True) == [box.uids[1]]


def test_uid_search_all_rfc9051_6_4_9(box: SearchBox) -> None:
    """RFC 9051 6.4.9: UID SEARCH ALL lists every UID, ascending."""
    assert box.client.search("ALL", uid=True) == sorted(box.uids)


def test_search_charset_utf8_header_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: CHARSET UTF-8 with an 8-bit literal matches the decoded encoded-word From."""
    result = box.client.ok("SEARCH", "RETURN (ALL)", "CHARSET", "UTF-8", "FROM", Literal("Müller".encode()))
    assert search_numbers(result) == [3]


def test_search_charset_utf8_body_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: BODY matching works on an 8-bit UTF-8 body."""
    result = box.client.ok("SEARCH", "RETURN (ALL)", "CHARSET", "UTF-8", "BODY", Literal("Café".encode()))
    assert search_numbers(result) == [3]


def test_search_charset_us_ascii_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: US-ASCII is always accepted as CHARSET."""
    result = box.client.ok("SEARCH", "RETURN (ALL)", "CHARSET", "US-ASCII", "FROM", "alice")
    assert search_numbers(result) == [1]


def test_search_unknown_charset_badcharset_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: an unsupported charset gets NO [BADCHARSET]."""
    result = box.client.command("SEARCH", "CHARSET", "X-NO-SUCH-CHARSET", "FROM", "alice")
    assert result.status == "NO"
    assert result.tagged.code == "BADCHARSET"


def test_search_syntax_error_is_bad_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: an unknown search key is BAD, and the session goes on."""
    assert box.client.command("SEARCH", "NOSUCHKEY", "x").status == "BAD"
    box.client.ok("NOOP")


def test_search_bad_date_is_bad_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4 (date syntax): a malformed date is BAD."""
    assert box.client.command("SEARCH", "BEFORE", "2021-03-10").status == "BAD"


def test_search_rev2_plain_search_answers_esearch_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4/7.3.4: an IMAP4rev2 client gets ESEARCH for plain SEARCH; rev1 gets SEARCH."""
    result = box.client.ok("SEARCH", "FLAGGED")
    if box.client.rev2_enabled:
        assert result.of_kind("ESEARCH")
        assert not result.of_kind("SEARCH")
    else:
        assert result.one("SEARCH").data == [2]


def test_esearch_min_max_count_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4.1: RETURN (MIN MAX COUNT) reports the lowest, highest and number of matches."""
    require(box.client, "ESEARCH")
    items = esearch_items(box.client.ok("SEARCH", "RETURN (MIN MAX COUNT)", "SEEN").one("ESEARCH"))
    assert (items["MIN"], items["MAX"], items["COUNT"]) == (1, 6, 3)


def test_esearch_all_as_sequence_set_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4.1: RETURN (ALL) gives the matches as a sequence set."""
    require(box.client, "ESEARCH")
    items = esearch_items(box.client.ok("SEARCH", "RETURN (ALL)", "UNSEEN").one("ESEARCH"))
    assert parse_sequence_set(str(items["ALL"])) == [2, 3, 5, 7]


def test_esearch_no_match_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4.1: with no match, COUNT is 0 and MIN/MAX/ALL are omitted."""
    require(box.client, "ESEARCH")
    items = esearch_items(box.client.ok("SEARCH", "RETURN (MIN MAX COUNT ALL)", "SINCE 1-Jan-2030").one("ESEARCH"))
    assert items.get("COUNT") == 0
    assert not {"MIN", "MAX", "ALL"} & set(items)


def test_esearch_carries_tag_correlator_rfc9051_7_3_4(box: SearchBox) -> None:
    """RFC 9051 7.3.4: ESEARCH carries (TAG "<command tag>")."""
    require(box.client, "ESEARCH")
    result = box.client.command("SEARCH", "RETURN (COUNT)", "ALL", tag="corr42")
    response = result.one("ESEARCH")
    correlator = response.data[0]
    assert isinstance(correlator, list)
    assert correlator[1] == b"corr42"


def test_esearch_uid_indicator_rfc9051_7_3_4(box: SearchBox) -> None:
    """RFC 9051 7.3.4: ESEARCH from UID SEARCH carries the UID indicator and UIDs."""
    require(box.client, "ESEARCH")
    response = box.client.ok("UID", "SEARCH", "RETURN (MIN)", "FLAGGED").one("ESEARCH")
    assert "UID" in [str(item).upper() for item in response.data]
    assert esearch_items(response)["MIN"] == box.uids[1]


def test_esearch_empty_return_means_all_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4.1: RETURN () is the same as RETURN (ALL)."""
    require(box.client, "ESEARCH")
    items = esearch_items(box.client.ok("SEARCH", "RETURN ()", "FLAGGED").one("ESEARCH"))
    assert parse_sequence_set(str(items["ALL"])) == [2]


def test_searchres_save_and_use_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4.2 (SEARCHRES): RETURN (SAVE) stores the result for "$" in a later command."""
    require(box.client, "SEARCHRES")
    box.client.ok("SEARCH", "RETURN (SAVE)", "DRAFT")
    fetched = box.client.ok("FETCH", "$", "(UID)").fetches()
    assert list(fetched) == [3]


def test_search_in_authenticated_state_is_rejected_rfc9051_6_4_4(imap: ImapClient) -> None:
    """RFC 9051 6.4: SEARCH needs a selected mailbox."""
    assert imap.command("SEARCH", "ALL").status in {"BAD", "NO"}


def test_search_does_not_set_seen_rfc9051_6_4_4(box: SearchBox) -> None:
    """RFC 9051 6.4.4: SEARCH BODY/TEXT does not change flags (UNSEEN stays the same)."""
    box.client.search("TEXT the")
    assert box.client.search("UNSEEN") == [2, 3, 5, 7]
