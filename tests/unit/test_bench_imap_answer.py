"""The bench client's check of an IMAP answer, on bytes: the tagged line found by structure (literals
skipped by their announced length, whatever they hold), untagged responses and literal octets counted."""

from __future__ import annotations

from bench.imap_answer import Answer, locate, tail_is_tagged

BODY = b"Subject: x\r\n\r\n* 9 FETCH (FLAGS ())\r\nb1 OK looks tagged {3}\r\nabc\r\n"
FLAGS = b"* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS (\\Seen))\r\nb7 OK FETCH completed\r\n"


def test_a_flags_answer_counts_each_response() -> None:
    assert locate(FLAGS, len(FLAGS), b"b7") == Answer(FLAGS.index(b"b7"), len(FLAGS), 2, 0, 0)


def test_literal_content_is_skipped_however_it_looks() -> None:
    answer = b"* 1 FETCH (BODY[] {%d}\r\n%b)\r\n* 2 FETCH (BODY[] ~{2}\r\nok)\r\nb1 OK done\r\n" % (len(BODY), BODY)
    found = locate(answer, len(answer), b"b1")
    assert found == Answer(answer.index(b"b1 OK done"), len(answer), 2, 2, len(BODY) + 2)


def test_an_answer_cut_anywhere_is_not_taken_for_whole() -> None:
    answer = b"* 1 FETCH (BODY[] {%d}\r\n%b)\r\nb1 OK done\r\n" % (len(BODY), BODY)
    for cut in range(len(answer)):
        assert locate(answer, cut, b"b1") is None
        # what arrives past the cut (the buffer's unused room) is not looked at either
        assert locate(answer[:cut] + b"b1 OK\r\n", cut, b"b1") is None


def test_another_tag_and_a_brace_in_quoted_text_are_not_the_end() -> None:
    answer = b'* LIST () "/" "a{b"\r\nb10 OK other\r\nb1 NO [x] no\r\nb2 OK next\r\n'
    found = locate(answer, len(answer), b"b1")
    assert found is not None
    assert answer[found.tagged_start : found.end] == b"b1 NO [x] no\r\n"
    assert found.untagged == 1


def test_a_tagged_answer_alone() -> None:
    assert locate(b"b3 OK\r\n", 7, b"b3") == Answer(0, 7, 0, 0, 0)


def test_the_tail_is_checked_only_when_a_line_is_whole() -> None:
    buffer = bytearray(FLAGS + b"\0" * 16)
    assert tail_is_tagged(buffer, len(FLAGS), (b"b7 ",))
    assert not tail_is_tagged(buffer, len(FLAGS) - 1, (b"b7 ",))
    assert not tail_is_tagged(buffer, FLAGS.index(b"b7"), (b"b7 ",))  # ends with an untagged line
    assert tail_is_tagged(buffer, len(FLAGS), (b"b1 ", b"b7 "))
    assert not tail_is_tagged(bytearray(b"b7 OK\r\n"), 7, (b"b1 ",))
    assert tail_is_tagged(bytearray(b"b7 OK\r\n"), 7, (b"b7 ",))
