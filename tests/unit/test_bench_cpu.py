"""The bench's CPU reader counts a server's finished children, which a forking server (Dovecot) reaps."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.processes import cpu_seconds

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_cpu_of_a_child_waited_for_still_counts() -> None:
    # The shell runs a child that spends 0.3 s of CPU and is waited for, then stays alive doing nothing.
    script = f"{sys.executable} -c '{BURN}' && echo done && exec sleep 30"
    with subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, text=True) as parent:
        try:
            assert parent.stdout is not None
            assert parent.stdout.readline().strip() == "done"
            deadline = time.monotonic() + 5
            measured = cpu_seconds(parent.pid)
            while measured < 0.25 and time.monotonic() < deadline:
                time.sleep(0.05)  # the kernel adds the child's time to its parent as the wait returns
                measured = cpu_seconds(parent.pid)
            assert 0.25 <= measured < 5
        finally:
            parent.kill()
