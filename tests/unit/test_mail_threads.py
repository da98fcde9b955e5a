"""RFC 5256 4 threading (ORDEREDSUBJECT, REFERENCES) on plain data, written as thread-list text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from elektromail.mail.threads import Thread, ThreadMessage, message_ids, ordered_subject, references, thread_text


def message(
    number: int,
    message_id: str | None = None,
    refs: str | None = None,
    in_reply_to: str | None = None,
    subject: str = "",
    reply: bool = False,
    sent: float | None = None,
) -> ThreadMessage:
    """Sent dates default to the number, so mailbox order is date order unless a test says otherwise."""
    return ThreadMessage(number, message_id, refs, in_reply_to, subject, reply, float(number) if sent is None else sent)


def by_references(*messages: ThreadMessage) -> str:
    return thread_text(references(list(messages)))


def test_thread_text_of_the_rfc_example() -> None:
    tree = [
        Thread(2),
        Thread(3, [Thread(6, [Thread(4, [Thread(23)]), Thread(44, [Thread(7, [Thread(96)])])])]),
    ]
    assert thread_text(tree) == "(2)(3 6 (4 23)(44 7 96))"
    assert thread_text([Thread(None, [Thread(1), Thread(2, [Thread(3)])])]) == "((1)(2 3))"
    assert thread_text([]) == ""


def test_message_ids() -> None:
    assert message_ids("<a@x> (comment) <b@y>\r\n <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert message_ids("no id here, <nohost> <a b@x>") == []
    assert message_ids(None) == []


def test_replies_nest_and_siblings_follow_sent_date() -> None:
    assert (
        by_references(
            message(1, "<a@x>"),
            message(2, "<b@x>", "<a@x>", sent=5),
            message(3, "<c@x>", "<a@x> <b@x>"),
            message(4, "<d@x>", "<a@x>", sent=4),  # sent before 2: the first reply to 1
        )
        == "(1 (4)(2 3))"
    )


def test_in_reply_to_is_used_without_valid_references() -> None:
    assert by_references(message(1, "<a@x>"), message(2, "<b@x>", None, "<a@x> <zz@x>")) == "(1 2)"
    assert by_references(message(1, "<a@x>"), message(2, "<b@x>", "garbage", "<a@x>")) == "(1 2)"
    # References wins over In-Reply-To when both name IDs.
    assert by_references(message(1, "<a@x>"), message(2, "<b@x>"), message(3, "<c@x>", "<b@x>", "<a@x>")) == "(1)(2 3)"


def test_missing_parents_become_dummies_that_are_pruned() -> None:
    # A lone child of a missing message takes the missing one's place.
    assert by_references(message(1, "<b@x>", "<gone@x>")) == "(1)"
    # Two children of one missing message stay grouped under a placeholder at the top level.
    assert by_references(message(1, "<b@x>", "<gone@x>"), message(2, "<c@x>", "<gone@x>")) == "((1)(2))"
    # A missing message inside a thread: its children move up to its parent.
    assert (
        by_references(
            message(1, "<a@x>"),
            message(2, "<c@x>", "<a@x> <gone@x>"),
            message(3, "<d@x>", "<a@x> <gone@x>"),
        )
        == "(1 (2)(3))"
    )


def test_message_ids_missing_or_repeated_get_unique_ones() -> None:
    assert (
        by_references(
            message(1),
            message(2, "<a@x>"),
            message(3, "<a@x>", "<a@x>"),  # a duplicate of 2's ID, replying to 2
            message(4, "<a@x>"),
        )
        == "(1)(2 3)(4)"
    )


def test_reply_loops_are_not_followed() -> None:
    # Each claims the other as its parent: the first link made stands, the second would close a loop.
    assert by_references(message(1, "<a@x>", "<b@x>"), message(2, "<b@x>", "<a@x>")) == "(2 1)"
    assert by_references(message(1, "<a@x>", "<a@x>")) == "(1)"  # its own parent
    # A loop inside References itself.
    assert by_references(message(1, "<a@x>", "<x@x> <y@x> <x@x>")) == "(1)"
    assert (
        by_references(
            message(1, "<a@x>", "<c@x>"),
            message(2, "<b@x>", "<a@x>"),
            message(3, "<c@x>", "<b@x>"),
        )
        == "(3 1 2)"
    )


def test_subjects_gather_top_level_threads() -> None:
    # A reply without references joins the original with its subject.
    assert by_references(message(1, "<a@x>", subject="apple"), message(2, "<b@x>", subject="apple", reply=True)) == (
        "(1 2)"
    )
    # The original is preferred as the parent even when the reply was sent first.
    assert by_references(message(1, "<a@x>", subject="apple", reply=True), message(2, "<b@x>", subject="apple")) == (
        "(2 1)"
    )
    # Two originals (or two replies) with one subject become siblings under a placeholder.
    assert by_references(message(1, "<a@x>", subject="apple"), message(2, "<b@x>", subject="apple")) == "((1)(2))"
    # A thread headed by a placeholder takes in other messages with its subject.
    assert (
        by_references(
            message(1, "<b@x>", "<gone@x>", subject="apple", reply=True),
            message(2, "<c@x>", "<gone@x>", subject="apple", reply=True),
            message(3, "<d@x>", subject="apple"),
            message(4, "<e@x>", subject="banana"),
        )
        == "((1)(2)(3))(4)"
    )
    # Once two originals share a placeholder, later messages with the subject join it; replies that came
    # before that joined the first original.
    assert (
        by_references(
            message(1, "<a@x>", subject="apple"),
            message(2, "<b@x>", subject="apple", reply=True),
            message(3, "<c@x>", subject="apple"),
            message(4, "<d@x>", subject="apple", reply=True),
        )
        == "((1 2)(3)(4))"
    )
    # Empty subjects are never gathered.
    assert by_references(message(1, "<a@x>"), message(2, "<b@x>")) == "(1)(2)"


def test_two_placeholders_with_one_subject_merge() -> None:
    assert (
        by_references(
            message(1, "<b@x>", "<gone@x>", subject="apple"),
            message(2, "<c@x>", "<gone@x>", subject="apple"),
            message(3, "<d@x>", "<lost@x>", subject="apple"),
            message(4, "<e@x>", "<lost@x>", subject="apple"),
        )
        == "((1)(2)(3)(4))"
    )


def test_top_level_order_is_sent_date_then_mailbox_order() -> None:
    assert by_references(message(1, "<a@x>", sent=30), message(2, "<b@x>", sent=10), message(3, "<c@x>", sent=20)) == (
        "(2)(3)(1)"
    )
    assert by_references(message(1, "<a@x>", sent=10), message(2, "<b@x>", sent=10), message(3, sent=10)) == (
        "(1)(2)(3)"
    )
    # A placeholder sorts by its first child.
    assert (
        by_references(
            message(1, "<a@x>", sent=20),
            message(2, "<b@x>", "<gone@x>", sent=30),
            message(3, "<c@x>", "<gone@x>", sent=10),
        )
        == "((3)(2))(1)"
    )


def test_deep_chains_do_not_recurse() -> None:
    count = 5000
    chain = [message(1, "<m1@x>")] + [message(n, f"<m{n}@x>", f"<m{n - 1}@x>") for n in range(2, count + 1)]
    assert by_references(*chain) == "(" + " ".join(str(n) for n in range(1, count + 1)) + ")"


def test_ordered_subject() -> None:
    threads = ordered_subject(
        [
            message(1, subject="banana", sent=40),
            message(2, subject="apple", sent=20),
            message(3, subject="apple", sent=10, reply=True),
            message(4, subject="cherry", sent=5),
            message(5, subject="apple", sent=30),
            message(6, subject="banana", sent=50),
            message(7, subject="apple", sent=10),  # ties with 3: mailbox order
        ]
    )
    # Within a subject: the earliest is the parent, the rest its children by date; threads by first date.
    assert thread_text(threads) == "(4)(3 (7)(2)(5))(1 6)"


@pytest.mark.parametrize("algorithm", [ordered_subject, references])
def test_nothing_selected(algorithm: Callable[[list[ThreadMessage]], list[Thread]]) -> None:
    assert thread_text(algorithm([])) == ""
