"""domain.yml's responses as Rasa fills them, for tests of what the actions send.

Rasa 3.6 (`rasa.core.nlg.response`, `rasa.core.nlg.interpolator`) fills a
response's `{variables}` in its text and buttons from the keyword values an
action passed to `utter_message` (over the slots), picks one variation at
random among those for the output channel, and falls back to the variations
without `channel:` on every other channel. Here only the action's values count:
no response of the actions relies on a slot.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
RULES = Path(__file__).resolve().parents[2] / "data" / "rules.yml"
# What rasa-sdk's `utter_message` puts in a message besides the response's values.
MESSAGE_KEYS = frozenset(
    {"text", "image", "json_message", "custom", "template", "response", "attachment"}
    | {"buttons", "elements"}
)
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")  # the interpolator's own pattern


@lru_cache(maxsize=1)
def responses() -> dict[str, list[dict[str, Any]]]:
    """Every response of domain.yml by name."""
    with DOMAIN.open(encoding="utf-8") as file:
        loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(file)["responses"]
    return loaded


def placeholders(variation: dict[str, Any]) -> set[str]:
    """The `{variables}` of one variation: in its text and in its buttons."""
    found = set(PLACEHOLDER.findall(str(variation.get("text", ""))))
    for button in variation.get("buttons", []):
        found |= set(PLACEHOLDER.findall(f"{button.get('title', '')} {button.get('payload', '')}"))
    return found


def default_variations(name: str) -> list[dict[str, Any]]:
    """The variations a channel without variants of its own (REST) chooses from."""
    return [v for v in responses()[name] if "channel" not in v]


def values_of(message: dict[str, Any]) -> dict[str, Any]:
    """The variable values an action passed along with a response's name."""
    return {k: v for k, v in message.items() if k not in MESSAGE_KEYS}


def fill(text: str, values: dict[str, Any]) -> str:
    """`text` with its variables filled, as Rasa's interpolator does."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def shown(message: dict[str, Any]) -> str:
    """What the REST channel shows for one collected message (its first default variation).

    Fails when the response is missing or any variation of it, for any channel,
    has a variable the action did not fill.
    """
    if not message.get("response"):
        return str(message.get("text") or "")
    name, values = message["response"], values_of(message)
    assert name in responses(), f"{name} is not a response of domain.yml"
    for variation in responses()[name]:
        missing = placeholders(variation) - {k for k, v in values.items() if v}
        assert not missing, f"{name} was sent without {sorted(missing)}"
    return fill(default_variations(name)[0]["text"], values)
