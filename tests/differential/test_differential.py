"""elektromail answers as Dovecot does, on every FETCH item of every part of every corpus message and on
SEARCH, SORT and THREAD over each corpus (docs/messages.md "Compared with Dovecot").

With Debian's dovecot-imapd installed (``.ci/run`` installs it) both servers are started on loopback and
asked the same; without it the answers recorded by ``python -m tests.differential.record`` stand in.
Differences the allow-list (compare.DEVIATIONS) explains by an RFC section are the only ones accepted.
"""

from __future__ import annotations

import pytest

from bench.peers.dovecot import dovecot_available
from tests.differential.compare import Outcome, compare_live, compare_recorded, load_recording
from tests.differential.corpora import CORPORA
from tests.differential.servers import dovecot_with, elektromail_with

MIN_COMPARED = 1000  # a run that compared fewer items than this did not really run
SHOWN = 40


def _verdict(outcome: Outcome) -> None:
    assert outcome.compared >= MIN_COMPARED
    shown = "\n".join(str(difference) for difference in outcome.differences[:SHOWN])
    assert not outcome.differences, f"{len(outcome.differences)} of {outcome.compared} items differ:\n{shown}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_same_answers_as_recorded_dovecot(corpus: str) -> None:
    messages = CORPORA[corpus]()
    recording = load_recording(corpus)
    with elektromail_with([data for _, data in messages]) as ours:
        _verdict(compare_recorded(ours, [name for name, _ in messages], recording))


@pytest.mark.timeout(300)
@pytest.mark.skipif(not dovecot_available(), reason="dovecot-imapd is not installed (the recorded test still ran)")
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_same_answers_as_live_dovecot(corpus: str) -> None:
    messages = CORPORA[corpus]()
    data = [message for _, message in messages]
    with elektromail_with(data) as ours, dovecot_with(data) as theirs:
        outcome, _ = compare_live(ours, theirs, [name for name, _ in messages])
    _verdict(outcome)
