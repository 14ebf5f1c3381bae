"""Product and tooling apart: the lock files pin what the input files ask, and agree.

requirements/app.in is pyproject.toml's `dependencies` and dev.in its `dev` extra;
`make lock` compiles each *.in to its *.lock (dev.lock against app.lock, rasa-dev.lock
against rasa.lock). The runtime locks hold no tool of tests, lint or bench.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
PYPROJECT = REQUIREMENTS.parent / "pyproject.toml"
# matplotlib is no tool here: the app draws the trends' charts with it (issue 17).
TOOLS = {"pytest", "pytest-asyncio", "mypy", "ruff", "import-linter", "hypothesis"}


def listed(path: Path) -> list[str]:
    """The requirement lines of an input file, without comments."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement)[0]).lower()


def pins(lock: str) -> dict[str, str]:
    """name -> version of every `name==version` line of a lock file."""
    found = {}
    for line in (REQUIREMENTS / lock).read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement and not requirement.startswith("-"):
            assert "==" in requirement, f"{lock}: {line!r} is not pinned"
            package, _, version = requirement.partition("==")
            found[name(package)] = version.split(";")[0].strip()
    return found


def test_app_in_is_pyprojects_dependencies_and_dev_in_its_dev_extra() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert listed(REQUIREMENTS / "app.in") == project["dependencies"]
    assert listed(REQUIREMENTS / "dev.in") == project["optional-dependencies"]["dev"]


@pytest.mark.parametrize(
    ("source", "lock"),
    [
        ("app.in", "app.lock"),
        ("dev.in", "dev.lock"),
        ("rasa.in", "rasa.lock"),
        ("rasa-dev.in", "rasa-dev.lock"),
    ],
)
def test_every_lock_pins_each_package_its_input_asks_for(source: str, lock: str) -> None:
    pinned = pins(lock)
    assert {name(r) for r in listed(REQUIREMENTS / source)} <= set(pinned)


def test_the_runtime_locks_hold_no_tool_of_tests_lint_or_bench() -> None:
    assert TOOLS & set(pins("app.lock")) == set()
    # Rasa itself depends on matplotlib; the Rasa env's tools are rasa-dev.in's.
    for runtime, tools in (("app.lock", "dev.in"), ("rasa.lock", "rasa-dev.in")):
        asked = {name(r) for r in listed(REQUIREMENTS / tools)}
        assert asked & set(pins(runtime)) == set(), runtime


@pytest.mark.parametrize(
    ("runtime", "tools"), [("app.lock", "dev.lock"), ("rasa.lock", "rasa-dev.lock")]
)
def test_a_tools_lock_pins_what_it_shares_with_its_runtime_lock_alike(
    runtime: str, tools: str
) -> None:
    product, tooling = pins(runtime), pins(tools)
    assert {
        p: (product[p], tooling[p])
        for p in product.keys() & tooling.keys()
        if product[p] != tooling[p]
    } == {}
