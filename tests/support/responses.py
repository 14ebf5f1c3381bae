"""The response names the actions can send, read from their source.

Literal `utter_*` names are read from the actions'
source; the names `actions/render.py` builds are enumerated over the enums they
come from. `tests/unit/test_responses.py` checks them against the domain, and
`make validate` (tests/support/rasa_warnings.py) uses them to tell Rasa's
"not used in any story or rule" warnings about these responses from real ones.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

from actions.render import NO_SCAN, parcel_response
from bot.domain.policy import NextStep
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus

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
    """Every name render_order can produce, from the enums its f-strings use."""
    names = {f"utter_late_{detail}" for detail in DELAY_DETAILS}
    names |= {f"utter_next_{step}" for step in NextStep}
    for status, place, numbered in itertools.product(
        [*ShipmentStatus, NO_SCAN], ["", "Memphis, TN"], [{}, {"parcel_number": "1"}]
    ):
        names.add(parcel_response(status, {"place": place, **numbered}))
    return names | {"utter_carrier_no_data_numbered"}


def modules() -> dict[str, ast.Module]:
    return {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in ACTIONS.glob("*.py")}


def sendable() -> set[str]:
    """Every response name the actions can send."""
    names = render_names()
    for module in modules().values():
        names |= source_names(module)
    return names
