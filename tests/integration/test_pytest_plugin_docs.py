"""The Python job of docs/gitlab-ci.md, as a user copies it: its test file, run with `pytest -n 4` against
a server given by ELEKTROMAIL_URL, twice in a row (nothing it does may depend on a fresh server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from elektromail.client import Client
from tests.integration.plugin_runs import prepare, run, url_of
from tests.integration.process import ServerProcess

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gitlab-ci.md"


def python_job() -> tuple[str, str]:
    text = DOCS.read_text()
    section = text[text.index("### Python (pytest)") : text.index("### Node.js")]
    (job,) = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    (test_file,) = re.findall(r"```python\n# test_signup.py\n(.*?)```", section, re.DOTALL)
    return job, test_file


@pytest.fixture
def service() -> Iterator[ServerProcess]:
    """The service of the job: the image's defaults, HTTP on, no token."""
    with ServerProcess({"HTTP_PORT": "0"}) as server:
        yield server


def test_the_python_job_uses_the_plugin_in_parallel_without_resets(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, service: ServerProcess
) -> None:
    job, test_file = python_job()
    assert "ELEKTROMAIL_URL: http://mail:8080" in job
    assert "pytest -n 4" in job
    assert "/reset" not in test_file
    inner = prepare(pytester, monkeypatch)
    monkeypatch.setenv("ELEKTROMAIL_URL", url_of(service))
    inner.makepyfile(test_signup=test_file)
    for _ in range(2):
        run(inner, "-n", "4").assert_outcomes(passed=2)
    with Client(url_of(service)) as client:
        assert client.messages() == []
        assert client.rules() == []
