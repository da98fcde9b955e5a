"""What the bench is made of: peers (servers it starts), workloads (what it measures on them) and figures."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field


class WrongAnswer(Exception):
    """A server lost mail or answered wrongly: it scores 0 for the workload, and the report says why."""


@dataclass(frozen=True)
class Settings:
    """How much work one run does; ``quick`` is the short version (a couple of minutes in all)."""

    quick: bool = False
    rounds: int = 3
    smtp_messages: int = 2000
    smtp_sessions: int = 20
    message_length: int = 4096
    imap_messages: int = 1000
    imap_sessions: int = 50
    scaling_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    idle_sessions: tuple[int, ...] = (1, 10, 100)
    latency_messages: int = 20
    starts: int = 5
    memory_small: int = 10_000
    memory_large: int = 1_000
    cycle_messages: int = 10_000
    cycles: int = 5
    pairs: int = 12  # paired bursts per comparison (transcripts, events)
    pair_messages: int = 1000  # SMTP messages per paired burst
    event_streams: int = 1000

    @classmethod
    def short(cls) -> Settings:
        return cls(
            quick=True,
            rounds=1,
            smtp_messages=200,
            smtp_sessions=10,
            imap_messages=100,
            imap_sessions=10,
            scaling_sizes=(300, 1_500),
            idle_sessions=(1, 10),
            latency_messages=3,
            starts=1,
            memory_small=200,
            memory_large=5,
            cycle_messages=500,
            cycles=2,
            pairs=2,
            pair_messages=200,
            event_streams=100,
        )


@dataclass
class Endpoint:
    """A running server as workloads see it: its loopback ports, its processes and how to count its mail."""

    smtp: int | None = None
    imap: int | None = None
    http: int | None = None
    lmtp: int | None = None
    user: str = "user"
    password: str = "pass"
    # The recipient's address for SMTP and LMTP workloads, and the IMAP account that receives it.
    recipient: str = "user@localhost"
    pid: int = 0
    ready_seconds: float = 0.0
    # Messages received so far, or None where the server keeps nothing to count (smtp-sink).
    count: Callable[[], int | None] = field(default=lambda: None)
    # Puts messages into the INBOX before the server reads it, faster than APPEND (Dovecot's Maildir).
    fill: Callable[[list[bytes]], None] | None = None
    # Forgets every message kept (elektromail's POST /reset), where the server offers it.
    reset: Callable[[], None] | None = None


@dataclass(frozen=True)
class StartOptions:
    http: bool = False
    max_message_size: int | None = None


@dataclass(frozen=True)
class Peer:
    """A server the bench can start and stop on loopback with a throwaway configuration."""

    name: str
    description: str
    groups: frozenset[str]  # the workload groups it takes part in
    missing: Callable[[], str | None]  # None when installed, else how to install it
    start: Callable[[StartOptions], AbstractContextManager[Endpoint]]
    version: Callable[[], str] = lambda: ""


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    unit: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class Workload:
    """A group of figures measured together on one started server (one run per peer per round)."""

    name: str
    title: str
    figures: tuple[Figure, ...]
    # A figure is one value per round, or several (paired measurements within the round), all kept.
    run: Callable[[Peer, Settings], Mapping[str, float | list[float]]]
    scaling: bool = False  # figures are "<series>@<size>": drawn as cost against size
    max_rounds: int = 0  # above 0: at most this many rounds (figures that vary little between runs)


def rotate(items: list[Peer], shift: int) -> Iterator[Peer]:
    shift %= max(1, len(items))
    yield from items[shift:] + items[:shift]
