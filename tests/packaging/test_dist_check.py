"""packaging/dist_check.py: what it finds missing or wrong in a wheel and an sdist.

The files are assembled here from the source tree the way setuptools lays them out (scripts/wheel runs
the check on real builds); each test then leaves out or changes one thing the package needs.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from elektromail import __version__

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "dist_check.py"
ENTRY_POINTS = (
    "[console_scripts]\nelektromail = elektromail.cli:main\n\n[pytest11]\nelektromail = elektromail.pytest_plugin\n"
)


def package_files() -> set[str]:
    package = ROOT / "elektromail"
    modules = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    folders = ("http/static", "web/static", "web/templates")
    data = {p.relative_to(ROOT).as_posix() for folder in folders for p in (package / folder).iterdir()}
    return modules | data | {"elektromail/py.typed"}


def check(dist: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(dist)], capture_output=True, text=True, timeout=60, check=False
    )


def metadata() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    readme = (ROOT / "README.md").read_text()
    lines = [
        "Metadata-Version: 2.4",
        "Name: elektromail",
        f"Version: {__version__}",
        f"Summary: {project['description']}",
        f"License-Expression: {project['license']}",
        f"Requires-Python: {project['requires-python']}",
        "Description-Content-Type: text/markdown",
        *(f"Requires-Dist: {dependency}" for dependency in project["dependencies"]),
    ]
    return "\n".join(lines) + "\n\n" + readme


def make(
    dist: Path, leave_out: str = "", entry_points: str = ENTRY_POINTS, meta: str | None = None, extra: str = ""
) -> Path:
    dist.mkdir()
    info = f"elektromail-{__version__}.dist-info"
    files = sorted(name for name in package_files() if name != leave_out)
    with zipfile.ZipFile(dist / f"elektromail-{__version__}-py3-none-any.whl", "w") as wheel:
        for name in files:
            wheel.write(ROOT / name, name)
        wheel.writestr(f"{info}/METADATA", meta or metadata())
        wheel.writestr(f"{info}/entry_points.txt", entry_points)
        if extra:
            wheel.writestr(extra, "")
    top = f"elektromail-{__version__}"
    with tarfile.open(dist / f"{top}.tar.gz", "w:gz") as sdist:
        for name in [*files, "pyproject.toml", "README.md"]:
            sdist.add(ROOT / name, f"{top}/{name}")
        data = (meta or metadata()).encode()
        member = tarfile.TarInfo(f"{top}/PKG-INFO")
        member.size = len(data)
        sdist.addfile(member, io.BytesIO(data))
    return dist


def test_a_complete_package_passes(tmp_path: Path) -> None:
    result = check(make(tmp_path / "dist"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "as in the source" in result.stdout


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"leave_out": "elektromail/http/static/swagger-ui-bundle.js"},
            "lacks elektromail/http/static/swagger-ui-bundle.js",
        ),
        ({"leave_out": "elektromail/py.typed"}, "lacks elektromail/py.typed"),
        ({"leave_out": "elektromail/web/templates/message.html"}, "lacks elektromail/web/templates/message.html"),
        ({"leave_out": "elektromail/testing/mailbox.py"}, "lacks elektromail/testing/mailbox.py"),
        (
            {"entry_points": "[console_scripts]\nelektromail = elektromail.cli:main\n"},
            "entry points [pytest11] are None",
        ),
        ({"meta": metadata().replace("Version: ", "Version: 9")}, "Version is"),
        ({"meta": metadata().replace("Requires-Dist: httpx>=0.27\n", "")}, "Requires-Dist lacks 'httpx>=0.27'"),
        ({"meta": metadata().split("\n\n")[0] + "\n\nshort"}, "the long description is not the README"),
        ({"extra": "tests/conftest.py"}, "holds tests/conftest.py"),
    ],
)
def test_what_is_missing_or_wrong_is_named(tmp_path: Path, change: dict[str, str], problem: str) -> None:
    result = check(make(tmp_path / "dist", **change))
    assert result.returncode == 1
    assert problem in result.stdout
