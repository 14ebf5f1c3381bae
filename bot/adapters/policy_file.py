"""Reading the store's policy file (YAML) into a checked `StorePolicy`.

The checking itself is pure (`bot.domain.policy_check`); this adapter only reads and parses
the file and turns a missing file or bad YAML into the same `PolicyInvalid`.
"""

from __future__ import annotations

from pathlib import Path

import yaml  # type: ignore[import-untyped]  # no stubs in the app env

from bot.domain.errors import PolicyInvalid
from bot.domain.policy_check import check_policy
from bot.domain.store_policy import StorePolicy


def load_policy(path: str | Path) -> StorePolicy:
    """The policy in a YAML file, or PolicyInvalid with every problem, each with its key."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyInvalid([f"{source}: cannot be read ({exc.strerror or exc})"], source) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise PolicyInvalid([f"{source}: not valid YAML{line}"], source) from exc
    return check_policy(data, source)
