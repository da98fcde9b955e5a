"""Check a built wheel and sdist against the source tree: `python3 packaging/dist_check.py DIST_DIR`.

What a user installs must hold what the project is: the metadata (name, version, Python, licence,
dependencies, the README as Markdown), the entry points (the ``elektromail`` command and the pytest plugin
under ``pytest11``), every module, and the package data read at run time (``py.typed``, the Swagger UI's
files, the web inbox's templates and files). The sdist must rebuild the same package. Prints one line per
problem and exits 1 if there is any.
"""

from __future__ import annotations

import sys
import tarfile
import tomllib
import zipfile
from configparser import ConfigParser
from email.parser import HeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "elektromail"
ENTRY_POINTS = {
    "console_scripts": {"elektromail": "elektromail.cli:main"},
    "pytest11": {"elektromail": "elektromail.pytest_plugin"},
}


def source_files() -> set[str]:
    """The package's files as they must appear in the wheel: modules and package data."""
    package = ROOT / PACKAGE
    files = {path.relative_to(ROOT).as_posix() for path in package.rglob("*.py") if "__pycache__" not in path.parts}
    for data in ("http/static", "web/static", "web/templates"):
        files |= {path.relative_to(ROOT).as_posix() for path in (package / data).iterdir()}
    files.add(f"{PACKAGE}/py.typed")
    return files


def version() -> str:
    namespace: dict[str, object] = {}
    init = (ROOT / PACKAGE / "__init__.py").read_text()
    line = next(line for line in init.splitlines() if line.startswith("__version__"))
    exec(line, namespace)
    return str(namespace["__version__"])


def check_metadata(text: str, where: str) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    metadata = HeaderParser().parsestr(text)
    wanted = {
        "Name": PACKAGE,
        "Version": version(),
        "Requires-Python": project["requires-python"],
        "License-Expression": project["license"],
        "Summary": project["description"],
        "Description-Content-Type": "text/markdown",
    }
    problems = [
        f"{where}: {field} is {metadata.get(field)!r}, not {value!r}"
        for field, value in wanted.items()
        if metadata.get(field) != value
    ]
    requires = {line.split(";")[0].replace(" ", "") for line in metadata.get_all("Requires-Dist") or []}
    for dependency in project["dependencies"]:
        if dependency.split(";")[0].replace(" ", "") not in requires:
            problems.append(f"{where}: Requires-Dist lacks {dependency!r}")
    if "pip install elektromail" not in metadata.get_payload():
        problems.append(f"{where}: the long description is not the README")
    return problems


def check_entry_points(text: str, where: str) -> list[str]:
    parser = ConfigParser()
    parser.read_string(text)
    found = {section: dict(parser[section]) for section in parser.sections()}
    return [
        f"{where}: entry points [{group}] are {found.get(group)}, not {wanted}"
        for group, wanted in ENTRY_POINTS.items()
        if found.get(group) != wanted
    ]


def check_wheel(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        info = f"{PACKAGE}-{version()}.dist-info"
        problems = check_metadata(wheel.read(f"{info}/METADATA").decode(), path.name)
        problems += check_entry_points(wheel.read(f"{info}/entry_points.txt").decode(), path.name)
    problems += [f"{path.name}: lacks {name}" for name in sorted(source_files() - names)]
    strays = sorted(name for name in names if not name.startswith((f"{PACKAGE}/", f"{info}/")))
    problems += [f"{path.name}: holds {name}, which is not part of the package" for name in strays]
    return problems


def check_sdist(path: Path) -> list[str]:
    top = f"{PACKAGE}-{version()}"
    with tarfile.open(path) as sdist:
        names = {name.removeprefix(f"{top}/") for name in sdist.getnames()}
        pkg_info = sdist.extractfile(f"{top}/PKG-INFO")
        assert pkg_info is not None
        problems = check_metadata(pkg_info.read().decode(), path.name)
    needed = source_files() | {"pyproject.toml", "README.md"}
    return problems + [f"{path.name}: lacks {name}" for name in sorted(needed - names)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: packaging/dist_check.py DIST_DIR", file=sys.stderr)
        return 2
    dist = Path(argv[0])
    wheels = sorted(dist.glob(f"{PACKAGE}-*-py3-none-any.whl"))
    sdists = sorted(dist.glob(f"{PACKAGE}-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"{dist}: expected one wheel and one sdist, found {[p.name for p in (*wheels, *sdists)]}")
        return 1
    problems = check_wheel(wheels[0]) + check_sdist(sdists[0])
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{wheels[0].name}, {sdists[0].name}: metadata, entry points, modules and package data as in the source")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
