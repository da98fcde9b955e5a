"""Sequence sets (RFC 9051 9 sequence-set): message numbers or UIDs, ranges in either order, ``*``, ``$``."""

from __future__ import annotations

from typing import NamedTuple


class SeqRange(NamedTuple):
    """``a:b`` in a sequence set; ``None`` stands for ``*`` (the largest number in use)."""

    start: int | None
    end: int | None


class SequenceSet(NamedTuple):
    """RFC 9051 9 sequence-set; ``saved`` is ``$`` (RFC 9051 6.4.4.1, the saved search result)."""

    ranges: tuple[SeqRange, ...]
    saved: bool = False

    def resolve(self, largest: int) -> list[int]:
        """The numbers in ascending order without duplicates, ``*`` read as ``largest`` (RFC 9051 9)."""
        return [number for low, high in self.spans(largest) for number in range(low, high + 1)]

    def spans(self, largest: int) -> list[tuple[int, int]]:
        """The set as ascending, disjoint, inclusive ``(low, high)`` runs up to ``largest``: what it names,
        in as many steps as it has ranges rather than numbers (``1:*`` of 100,000 messages is one run)."""
        if largest <= 0:
            return []
        runs: list[tuple[int, int]] = []
        for seq_range in self.ranges:
            low = largest if seq_range.start is None else seq_range.start
            high = largest if seq_range.end is None else seq_range.end
            if low > high:
                low, high = high, low
            if low <= largest:
                runs.append((low, min(high, largest)))
        runs.sort()
        merged: list[tuple[int, int]] = []
        for low, high in runs:
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return merged

    def contains(self, number: int, largest: int) -> bool:
        for seq_range in self.ranges:
            low = largest if seq_range.start is None else seq_range.start
            high = largest if seq_range.end is None else seq_range.end
            if low > high:
                low, high = high, low
            if low <= number <= high:
                return True
        return False
