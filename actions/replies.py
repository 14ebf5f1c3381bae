"""Sending the domain's responses: an action names one, Rasa fills in its wording.

The wording lives in domain.yml's `responses:` (one per `utter_<name>`, with
`channel:` variants); an action passes only the response's name and the values
of its `{variables}`. Rasa's response generator picks a variation for the
output channel, at random among the fitting ones, and fills it from these
values (and the slots).
"""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


def say(
    dispatcher: CollectingDispatcher,
    response: str,
    values: dict[str, str] | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> None:
    """Send one response of the domain, its variables filled with `values`.

    `buttons` are added after the response's own (Rasa appends an action's buttons).
    """
    dispatcher.utter_message(response=response, buttons=buttons, **(values or {}))


def wording(domain: DomainDict, channel: str | None) -> Callable[[str, dict[str, str]], str]:
    """A response's text for this output channel, filled with values, for the parts of a
    custom payload (the widget's shipment card) that are words: its first variation made
    for the channel, else its first without one; empty when the domain has none."""

    def fill(name: str, values: dict[str, str]) -> str:
        variations = domain.get("responses", {}).get(name) or []
        texts = [v["text"] for v in variations if v.get("channel") == channel and v.get("text")]
        texts += [v["text"] for v in variations if not v.get("channel") and v.get("text")]
        return str(texts[0]).format_map(values) if texts else ""

    return fill
