"""Instructions per SMTP session, counted by valgrind's callgrind: ``python -m bench.instructions``.

The server runs under callgrind (:mod:`bench.callgrind`); a first burst of ``smtp-source`` warms it up,
the counters are zeroed, a second burst of the same size runs, and the counters are dumped: what remains
is the server's work for that burst, divided per session (or per message over one connection).

    python -m bench.instructions --sessions 200                  # a connection per message, one at a time
    python -m bench.instructions --one-connection --sessions 200 # every message over one connection
    python -m bench.instructions --annotate 25                   # and the 25 costliest functions (C level)
    python -m bench.instructions --tree ../main                  # another source tree's package

Run it from a directory that holds no ``elektromail`` package when ``--tree`` names another one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.callgrind import counted_server, send
from bench.processes import ROOT


def count(
    sessions: int, length: int, one_connection: bool, env: dict[str, str], out: Path, tree: Path = ROOT
) -> tuple[int, Path]:
    """Run one server (the package in ``tree``) under callgrind; the instructions of a warmed-up burst and
    the dump that holds them."""
    with counted_server(out, env, tree) as server:
        send(server.smtp, sessions, length, one_connection)
        server.zero()
        send(server.smtp, sessions, length, one_connection)
        return server.instructions()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200, help="messages per burst (default 200)")
    parser.add_argument("--length", type=int, default=4096, help="message length in octets (default 4096)")
    parser.add_argument("--one-connection", action="store_true", help="every message over one connection")
    parser.add_argument("--transcripts", type=int, default=20, help="transcripts kept (default 20: steady state)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for the server")
    parser.add_argument("--annotate", type=int, default=0, metavar="N", help="print the N costliest functions")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the source tree to run (default: this one)")
    parser.add_argument("--out", type=Path, default=None, help="where the dump is kept (default: a temporary folder)")
    args = parser.parse_args()
    env = {"ELEKTROMAIL_TRANSCRIPT_SESSIONS": str(args.transcripts)}
    env.update(item.split("=", 1) for item in args.env)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-callgrind-"))
    out.mkdir(parents=True, exist_ok=True)
    total, dump = count(args.sessions, args.length, args.one_connection, env, out, args.tree.resolve())
    unit = "message" if args.one_connection else "session"
    print(f"{total / args.sessions:,.0f} instructions per {unit} ({total:,} for {args.sessions}); dump: {dump}")
    if args.annotate:
        annotated = subprocess.run(["callgrind_annotate", "--inclusive=no", str(dump)], capture_output=True, text=True)
        lines = annotated.stdout.splitlines()
        start = next((i for i, line in enumerate(lines) if "file:function" in line), 0)
        sys.stdout.write("\n".join(lines[start : start + args.annotate + 2]) + "\n")


if __name__ == "__main__":
    main()
