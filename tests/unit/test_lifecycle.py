"""The server's one lifecycle state: it only moves forward, and waiting for the stop ends at STOPPED."""

from __future__ import annotations

import asyncio

from elektromail.context import Lifecycle, LifecycleState


def test_lifecycle_moves_forward_only() -> None:
    lifecycle = Lifecycle()
    assert lifecycle.state is LifecycleState.STARTING and not lifecycle.ready and not lifecycle.stopping
    lifecycle.advance(LifecycleState.STOPPING)  # a stop asked for during start-up
    lifecycle.advance(LifecycleState.READY)  # start-up finishing afterwards does not undo it
    assert lifecycle.state.value == "stopping" and lifecycle.stopping and not lifecycle.ready


def test_waiting_for_the_stop_ends_when_stopped() -> None:
    async def scenario() -> list[str]:
        lifecycle = Lifecycle()
        seen: list[str] = []

        async def waiter() -> None:
            await lifecycle.wait_stopped()
            seen.append(lifecycle.state.value)

        task = asyncio.create_task(waiter())
        lifecycle.advance(LifecycleState.READY)
        lifecycle.advance(LifecycleState.STOPPING)
        await asyncio.sleep(0)
        assert not seen
        lifecycle.advance(LifecycleState.STOPPED)
        await asyncio.wait_for(task, 5)
        return seen

    assert asyncio.run(scenario()) == ["stopped"]
