"""What event streams make of a piece of frames, made once for every stream that writes it.

The bus hands the streams woken together one piece (one bytes object) per filter, and wakes them in no
particular order: the last few pieces are kept by identity, not only the last, so that streams of two
filters woken interleaved do not make their pieces again for every stream. Each is kept with its piece,
so that the piece's id stays its own while it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

_Made = TypeVar("_Made")
PIECES_KEPT = 8


class PieceMemo(Generic[_Made]):
    """``make(piece)``, kept for the last :data:`PIECES_KEPT` pieces (emptied when full)."""

    __slots__ = ("_make", "_kept")

    def __init__(self, make: Callable[[bytes], _Made]) -> None:
        self._make = make
        self._kept: dict[int, tuple[bytes, _Made]] = {}

    def __call__(self, piece: bytes) -> _Made:
        known = self._kept.get(id(piece))
        if known is not None and known[0] is piece:
            return known[1]
        if len(self._kept) >= PIECES_KEPT:
            self._kept.clear()
        made = self._make(piece)
        self._kept[id(piece)] = (piece, made)
        return made
