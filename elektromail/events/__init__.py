"""The live event stream: one publication per change, replayable for a while, fanned out to subscribers."""

from __future__ import annotations

from elektromail.events.bus import Event, EventBus, Subscription
from elektromail.events.types import EventData, EventFilter

__all__ = ["Event", "EventBus", "EventData", "EventFilter", "Subscription"]
