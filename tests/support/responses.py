"""The response names the actions can send, read from their source.

Literal `utter_*` names are read from the actions'
source; the names `actions/render.py` builds are enumerated over the enums they
come from. `tests/unit/test_responses.py` checks them against the domain, and
`make validate` (tests/support/rasa_warnings.py) uses them to tell Rasa's
"not used in any story or rule" warnings about these responses from real ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

from actions import cards, claims, fallback, render, requests, updates

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def source_names(module: ast.Module) -> set[str]:
    """Response names written out in an action module."""
    names = set()
    in_fstrings = {
        id(part)
        for node in ast.walk(module)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    for node in ast.walk(module):
        literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if literal and node.value.startswith("utter_") and id(node) not in in_fstrings:
            names.add(node.value)
    return names


def render_names() -> set[str]:
    """Every name render_order can produce (render enumerates them over its enums)."""
    return (
        render.possible_responses()
        | requests.possible_responses()
        | claims.possible_responses()
        | fallback.possible_responses()
        | cards.possible_responses()
        | updates.possible_responses()
    )


def modules() -> dict[str, ast.Module]:
    return {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in ACTIONS.glob("*.py")}


def sendable() -> set[str]:
    """Every response name the actions can send."""
    names = render_names()
    for module in modules().values():
        names |= source_names(module)
    return names
