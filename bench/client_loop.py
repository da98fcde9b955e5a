"""The event loop the bench's own clients run on: uvloop, as the server's, so that a client reading an
8 MB answer costs a fraction of what the servers it measures do (on asyncio's own loop it took longer than
elektromail took to send the answer, and every server's ratio shrank towards 1)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a client coroutine to its end on a fresh uvloop loop."""
    return uvloop.run(coroutine)
