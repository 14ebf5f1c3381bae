"""The actions' reply wording, read from replies.yml and filled with values."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

REPLIES = Path(__file__).with_name("replies.yml")


@lru_cache(maxsize=1)
def replies() -> dict[str, list[dict[str, Any]]]:
    """Every reply by name, as written in replies.yml."""
    with REPLIES.open(encoding="utf-8") as file:
        loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(file)
    return loaded


def render(name: str, values: dict[str, str]) -> dict[str, Any]:
    """The first variation of a reply with its `{variables}` filled."""
    variation = replies()[name][0]
    message: dict[str, Any] = {"text": variation["text"].format_map(values)}
    if "buttons" in variation:
        message["buttons"] = variation["buttons"]
    return message


def say(
    dispatcher: CollectingDispatcher,
    name: str,
    values: dict[str, str] | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> None:
    """Send one reply of replies.yml to the shopper."""
    message = render(name, values or {})
    if buttons:
        message["buttons"] = buttons
    dispatcher.utter_message(**message)
