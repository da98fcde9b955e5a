"""The corpora of the differential suite, each a list of (name, message bytes) in APPEND order."""

from __future__ import annotations

import json
from pathlib import Path

from tests.differential.shapes import Message, shapes

CORPUS_DIR = Path(__file__).parent / "corpus"
UNIT_CORPUS = Path(__file__).resolve().parent.parent / "unit" / "data" / "corpus"
GENERATED = CORPUS_DIR / "generated.json"


def shapes_corpus() -> list[Message]:
    """The hand-built shapes, the .eml files kept beside them and the unit tests' corpus."""
    files = sorted(CORPUS_DIR.glob("*.eml")) + sorted(UNIT_CORPUS.glob("*.eml"))
    return shapes() + [("file-" + path.stem, path.read_bytes()) for path in files]


def generated_corpus() -> list[Message]:
    """Messages drawn by hypothesis with a fixed seed (tests/differential/generate.py), kept as bytes."""
    if not GENERATED.exists():
        return []
    data: dict[str, str] = json.loads(GENERATED.read_text(encoding="ascii"))
    return [(name, text.encode("latin-1")) for name, text in sorted(data.items())]


CORPORA = {"shapes": shapes_corpus, "generated": generated_corpus}
