"""Sending the domain's responses: an action names one, Rasa fills in its wording.

The wording lives in domain.yml's `responses:` (one per `utter_<name>`, with
`channel:` variants); an action passes only the response's name and the values
of its `{variables}`. Rasa's response generator picks a variation for the
output channel, at random among the fitting ones, and fills it from these
values (and the slots).
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher


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
