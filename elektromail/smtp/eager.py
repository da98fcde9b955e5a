"""Running a coroutine eagerly: up to its first real wait, in the caller's own call, without a task.

Most deferred SMTP replies never wait (storing a message in memory, checking a password): running their
coroutine at once answers in the same read batch, with no task, no extra turn of the event loop and no
extra write. Only a coroutine that does wait (a SQLite commit, a slow verifier) is carried on by a task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Done(Generic[T]):
    """The coroutine finished without waiting; ``value`` is what it returned."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


def start(coroutine: Coroutine[Any, Any, T]) -> Done[T] | Coroutine[Any, Any, T]:
    """Run ``coroutine`` until it finishes or first waits. Finished: its value in a :class:`Done`.
    Waiting: a coroutine to await (or to make a task of) that carries it on from there. An exception it
    raises before waiting propagates from here."""
    try:
        awaited = coroutine.send(None)
    except StopIteration as finished:
        return Done(finished.value)
    return _carry_on(coroutine, awaited)


async def _carry_on(coroutine: Coroutine[Any, Any, T], awaited: Any) -> T:
    """Drive ``coroutine`` as a task would: wait for what it is waiting on, then resume it with the outcome
    (``Future.__await__`` reads the result itself on resumption, so a failure reaches the coroutine)."""
    while True:
        try:
            if awaited is None:  # a bare yield (asyncio.sleep(0)): one turn of the loop
                await asyncio.sleep(0)
            else:
                await asyncio.wait((awaited,))
        except BaseException as error:  # cancelled while waiting: the coroutine is cancelled the same way
            try:
                awaited = coroutine.throw(error)
            except StopIteration as finished:
                return finished.value  # type: ignore[no-any-return]
            continue
        try:
            awaited = coroutine.send(None)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]
