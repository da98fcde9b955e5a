"""Record Dovecot's answers for each corpus of the differential suite.

Run from the repository root, with Debian's dovecot-imapd installed:
    python -m tests.differential.record            # every corpus
    python -m tests.differential.record shapes     # one
It rewrites tests/differential/recorded/<corpus>.json, which the suite compares with when Dovecot is
not installed. Regenerate the hypothesis corpus itself with ``python -m tests.differential.generate``.
"""

from __future__ import annotations

import sys

from tests.differential.compare import record, recording_path, save_recording
from tests.differential.corpora import CORPORA
from tests.differential.servers import dovecot_with


def main(names: list[str]) -> None:
    for corpus in names or sorted(CORPORA):
        messages = CORPORA[corpus]()
        with dovecot_with([data for _, data in messages]) as client:
            recording = record(client, [name for name, _ in messages])
        save_recording(corpus, recording)
        print(f"{corpus}: {len(messages)} messages -> {recording_path(corpus)}")


if __name__ == "__main__":
    main(sys.argv[1:])
