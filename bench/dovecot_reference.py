"""Record what Dovecot answers for each corpus message (ENVELOPE, BODYSTRUCTURE, BODY, sections).

Run: python -m bench.dovecot_reference  -> rewrites tests/unit/data/dovecot_reference.json
The unit tests compare elektromail's encodings with this file, so the comparison runs without Dovecot.
"""

from __future__ import annotations

import imaplib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from bench.peers.dovecot import run_dovecot

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "data" / "corpus"
OUTPUT = CORPUS.parent / "dovecot_reference.json"
ITEMS = ("ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE")


def flatten(data: Sequence[object]) -> bytes:
    """imaplib splits literals into tuples; join them back into one response line."""
    out = b""
    for item in data:
        if isinstance(item, tuple):
            out += item[0] + b"\r\n" + item[1]
        elif isinstance(item, bytes):
            out += item
    return out


def main() -> None:
    files = sorted(CORPUS.glob("*.eml"))
    reference: dict[str, dict[str, str]] = {}
    with run_dovecot() as port:
        client = imaplib.IMAP4("127.0.0.1", port)
        client.login("user", "pass")
        for path in files:
            client.append("INBOX", None, None, path.read_bytes())
        client.select("INBOX")
        for number, path in enumerate(files, start=1):
            entry: dict[str, str] = {}
            for item in ITEMS:
                _, data = client.fetch(str(number), f"({item})")
                line = flatten(data)
                match = re.match(rb"\d+ \(" + item.encode() + rb" (.*)\)$", line, re.S)
                entry[item] = (match.group(1) if match else line).decode("latin-1")
            reference[path.name] = entry
        client.logout()
    OUTPUT.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
