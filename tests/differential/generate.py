"""Draw the recorded hypothesis corpus: ``python -m tests.differential.generate`` rewrites
tests/differential/corpus/generated.json (then record Dovecot's answers: ``python -m
tests.differential.record generated``). The draw is derandomized, so it is the same for one hypothesis
version; the messages are kept as bytes so the recording does not depend on that version."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.differential.corpora import GENERATED
from tests.differential.messages import message

COUNT = 120


def draw(count: int = COUNT, seed_text: str = "") -> list[bytes]:
    """``count`` drawn messages (fewer when some repeat); ``seed_text`` gives another fixed sequence."""
    drawn: list[bytes] = []

    @settings(
        max_examples=count,
        derandomize=not seed_text,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(message())
    def collect(data: bytes) -> None:
        if data and data not in drawn:
            drawn.append(data)

    if seed_text:
        collect = seed(sum(map(ord, seed_text)))(collect)
    collect()
    return drawn


def main() -> None:
    messages = {f"generated-{index:03d}": data.decode("latin-1") for index, data in enumerate(draw())}
    GENERATED.write_text(json.dumps(messages, indent=0, sort_keys=True) + "\n", encoding="ascii")
    print(f"{len(messages)} messages -> {GENERATED}")


if __name__ == "__main__":
    main()
