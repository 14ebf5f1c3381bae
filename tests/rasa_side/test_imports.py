"""The Rasa-side code imports only what the Rasa environment has.

bot/channels, bot/nlu and bot/rasa_server run inside the Rasa server (Python
3.10, .venv-rasa), where the rest of `bot` is not installed. Each of their
imports must be the standard library, a package requirements/rasa.lock pins
(Rasa and what it brings: sanic, aiohttp, jsonschema ...), or the Rasa side
itself. An allow-list: anything new fails here until it is one of those.

bot.channels.identity and bot.channels.redaction are imported by the app
environment too (the action server, the core's config): the standard library
only, and each other.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import ROOT

RASA_SIDE = ("bot.channels", "bot.nlu", "bot.rasa_server")
BOTH_ENVIRONMENTS = {"bot.channels.identity", "bot.channels.redaction"}
LOCK = ROOT / "requirements" / "rasa.lock"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rasa_side_files() -> list[Path]:
    files = [ROOT / "bot" / "__init__.py"]
    for package in RASA_SIDE:
        files += sorted((ROOT / package.replace(".", "/")).rglob("*.py"))
    return files


def imports_of(path: Path) -> Iterator[str]:
    """Every module the file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            assert node.module is not None
            yield node.module


def pinned_top_level_modules() -> set[str]:
    """The importable top-level names of every distribution rasa.lock pins."""
    pinned = {
        normalised(line.split("==")[0])
        for line in LOCK.read_text().splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    modules: set[str] = set()
    for distribution in importlib.metadata.distributions():
        if normalised(distribution.metadata["Name"]) in pinned:
            modules |= top_level_modules(distribution)
    return modules


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def top_level_modules(distribution: importlib.metadata.Distribution) -> set[str]:
    """What the distribution installs at the top: top_level.txt, else its files say."""
    declared = (distribution.read_text("top_level.txt") or "").split()
    if declared:
        return set(declared)
    return {
        file.parts[0] if len(file.parts) > 1 else file.name.split(".")[0]
        for file in distribution.files or []
        if file.suffix in {".py", ".so"} and not file.parts[0].endswith((".dist-info", ".."))
    }


def ours(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in RASA_SIDE)


def test_the_allow_list_knows_rasa_and_what_it_brings() -> None:
    allowed = pinned_top_level_modules()
    assert {"rasa", "sanic", "aiohttp", "jsonschema"} <= allowed
    assert not {"bot", "actions", "tests"} & allowed
    assert len(rasa_side_files()) >= 10


@pytest.mark.parametrize("path", rasa_side_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rasa_side_code_imports_only_rasa_the_stdlib_and_itself(path: Path) -> None:
    allowed = pinned_top_level_modules()
    strays = [
        module
        for module in imports_of(path)
        if not ours(module)
        and module.split(".")[0] not in sys.stdlib_module_names
        and module.split(".")[0] not in allowed
    ]
    assert strays == [], f"{path.relative_to(ROOT)} imports {strays}"


@pytest.mark.parametrize("module", sorted(BOTH_ENVIRONMENTS))
def test_modules_both_environments_import_use_only_the_stdlib_and_each_other(
    module: str,
) -> None:
    path = ROOT / (module.replace(".", "/") + ".py")
    strays = [
        name
        for name in imports_of(path)
        if name not in BOTH_ENVIRONMENTS | {"bot.channels"}
        and name.split(".")[0] not in sys.stdlib_module_names
    ]
    assert strays == [], f"{module} imports {strays}"
