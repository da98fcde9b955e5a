"""``python -m elektromail``."""

from __future__ import annotations

import sys

from elektromail.cli import main

if __name__ == "__main__":
    sys.exit(main())
