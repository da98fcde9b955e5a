"""Eager start of a coroutine: finished in the caller's call when it never waits, else carried on."""

from __future__ import annotations

import asyncio

import pytest

from elektromail.smtp import eager


async def _no_wait(value: int) -> int:
    return value * 2


async def _waits(future: asyncio.Future[int]) -> int:
    return await future + 1


async def _sleeps() -> str:
    await asyncio.sleep(0)
    return "slept"


def test_a_coroutine_that_never_waits_is_done_at_once() -> None:
    outcome = eager.start(_no_wait(21))
    assert isinstance(outcome, eager.Done)
    assert outcome.value == 42


def test_an_error_before_the_first_wait_is_raised_at_once() -> None:
    async def fails() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        eager.start(fails())


def test_a_coroutine_that_waits_is_carried_on_with_the_result() -> None:
    async def scenario() -> tuple[bool, int]:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        outcome = eager.start(_waits(future))
        task = asyncio.ensure_future(outcome) if not isinstance(outcome, eager.Done) else None
        assert task is not None
        await asyncio.sleep(0)
        before = task.done()
        future.set_result(9)
        return before, await task

    assert asyncio.run(scenario()) == (False, 10)


def test_a_failure_of_what_it_waits_for_reaches_the_coroutine() -> None:
    async def scenario() -> str:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def catches() -> str:
            try:
                await future
            except KeyError:
                return "caught"
            return "not caught"

        outcome = eager.start(catches())
        assert not isinstance(outcome, eager.Done)
        task = asyncio.ensure_future(outcome)
        future.set_exception(KeyError("x"))
        return await task

    assert asyncio.run(scenario()) == "caught"


def test_a_bare_yield_takes_one_turn_of_the_loop() -> None:
    async def scenario() -> str:
        outcome = eager.start(_sleeps())
        assert not isinstance(outcome, eager.Done)
        return await outcome

    assert asyncio.run(scenario()) == "slept"
