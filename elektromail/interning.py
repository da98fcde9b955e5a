"""One kept object per distinct value, so that many records can share it instead of holding copies."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

_Value = TypeVar("_Value", bound=Hashable)


def bounded_interner(kept: dict[_Value, _Value], limit: int) -> Callable[[_Value], _Value]:
    """A function giving the one value in ``kept`` equal to its argument (the argument itself when it is
    new, and then kept). At most ``limit`` are kept: when full, the kept ones are forgotten, so that
    endless variety cannot grow them."""

    def shared(value: _Value) -> _Value:
        known = kept.get(value)
        if known is not None:
            return known
        if len(kept) >= limit:
            kept.clear()
        kept[value] = value
        return value

    return shared
