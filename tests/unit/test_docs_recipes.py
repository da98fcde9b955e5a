"""docs/pytest.md shows the recipes as they are tested: each file it quotes is the file under
tests/recipes/ (which scripts/wheel runs), and every recipe is shown."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "tests" / "recipes"
BLOCK = re.compile(r"```python\n# (tests/recipes/[^\n]+)\n(.*?)```", re.DOTALL)


def quoted() -> dict[str, str]:
    return dict(BLOCK.findall((ROOT / "docs" / "pytest.md").read_text()))


def test_every_quoted_recipe_file_is_the_tested_file() -> None:
    blocks = quoted()
    assert len(blocks) >= 12
    for path, text in blocks.items():
        assert text == (ROOT / path).read_text(), f"docs/pytest.md quotes {path} differently from the file"


def test_every_recipe_is_shown_and_has_its_own_pytest_project() -> None:
    shown = {Path(path).parts[2] for path in quoted()}
    recipes = {path.name for path in RECIPES.iterdir() if path.is_dir() and not path.name.startswith((".", "_"))}
    assert shown == recipes
    assert recipes >= {"django_shop", "flask_signup", "fastapi_newsletter", "asyncio_alerts", "celery_tasks"}
    for recipe in recipes:
        assert (RECIPES / recipe / "pytest.ini").read_text().count("-W error") == 1, recipe


def test_the_fault_rule_example_tests_a_retry() -> None:
    docs = (ROOT / "docs" / "pytest.md").read_text()
    section = docs[docs.index("## Fault rules for one test") :]
    assert '@pytest.mark.elektromail_rules({"action": "tempfail", "times": 1})' in section
    assert '"times": 1' in quoted()["tests/recipes/retry_queue/test_retry.py"]
