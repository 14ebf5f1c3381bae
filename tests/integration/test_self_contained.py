"""The repository stands on its own: none of its files refers to a place outside it.

A fresh clone (CI's, a newcomer's) has only what is committed: a test or a
script that reads a folder beside the clone or an absolute path of the machine it was
written on passes here and fails there. Two views are checked: a `git clone`
of HEAD (what CI gets; uncommitted changes are not in it), and the working
tree's tracked and untracked-but-not-ignored files (what the next commit
holds). A file may name a relative path only where it resolves inside the
repository (`.ci/run`'s `$(dirname "$0")/..` is the repository itself).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Spelled in pieces, so that this file does not name them itself.
WORKSPACE = "/" + "work" + "/"
SHARED = "shared" + "/"
# The folder this checkout sits in (its siblings are outside the repository), the
# workspace of the machine the project was first written on, and the shared folder of
# contracts that lived beside the repository.
PLACES = {WORKSPACE, "../" + SHARED} | (
    {f"{ROOT.parent}/"} if len(ROOT.parent.parts) > 1 else set()
)
FORBIDDEN = re.compile(
    "|".join(re.escape(place) for place in sorted(PLACES))
    # shared/contracts/x.md named as if it were here; `.parent / "shared"` in code.
    + r"|(?<![\w/.-])"
    + re.escape(SHARED)
    + "contracts/"
    + r"""|\.parents?\b[^#\n]*/\s*["']shared["']"""
)
# A relative path that climbs: `../x`, `../../x/y`.
CLIMBING = re.compile(r"(?<![\w.])((?:\.\./)+)[\w.-]+")


def file_list(repo: Path, *options: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", *options], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    return [repo / name for name in listed.split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file or one that is not there."""
    try:
        return path.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None


def references_outside(repo: Path, files: list[Path]) -> list[str]:
    """`file:line: text` for each line of these files that refers outside `repo`."""
    found = []
    this_file = repo / Path(__file__).relative_to(ROOT)
    for path in files:
        text = text_of(path)
        if text is None or path == this_file:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            escapes = any(
                not (path.parent / match.group(0)).resolve().is_relative_to(repo.resolve())
                for match in CLIMBING.finditer(line)
            )
            if FORBIDDEN.search(line) or escapes:
                found.append(f"{path.relative_to(repo)}:{number}: {line.strip()[:160]}")
    return found


def test_no_file_of_the_working_tree_refers_outside_the_repository() -> None:
    files = file_list(ROOT, "--cached", "--others", "--exclude-standard")
    assert len(files) > 100
    assert references_outside(ROOT, files) == []


def test_no_file_of_a_fresh_clone_of_head_refers_outside_it(tmp_path: Path) -> None:
    clone = tmp_path / "wismo"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        capture_output=True,
    )
    files = file_list(clone)
    assert (clone / "Makefile") in files
    assert references_outside(clone, files) == []


@pytest.mark.parametrize(
    ("line", "outside"),
    [
        ("CONTRACT = REPO.parent / 'shared' / 'contracts' / 'nlu.md'", True),
        ('os.environ.get("X", REPO.parent / "shared" / "nlu.md")', True),
        ("see ../" + SHARED + "contracts/nlu.md", True),
        ("names follow " + WORKSPACE + "shared/contracts/nlu.md", True),
        ("the example of " + SHARED + "contracts/orders-import.md", True),
        ('cd "$(dirname "$0")/.."', False),
        ("see ../README.md", False),  # from tests/integration/: tests/README.md, inside
        ("see ../../../elsewhere/file.txt", True),
        ("see docs/nlu.md", False),
    ],
)
def test_the_check_tells_inside_from_outside(tmp_path: Path, line: str, outside: bool) -> None:
    repo = tmp_path / "repo"
    (repo / "tests" / "integration").mkdir(parents=True)
    path = repo / "tests" / "integration" / "x.py"
    path.write_text(line + "\n")
    assert bool(references_outside(repo, [path])) == outside
