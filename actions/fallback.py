"""Not understood: say so and give an example; the second time in a row, offer choices.

A message outside what the bot does (out_of_scope) is answered as such the first time;
it counts as not understood like a message the NLU could not read, because gibberish
is often read as out of scope: two in a row, of either, offer choices and a person.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import say
from actions.runtime import guarded

# After this many messages in a row the bot did not understand, it stops rephrasing.
OFFER_CHOICES_AFTER = 2
NOT_UNDERSTOOD = frozenset({"nlu_fallback", "out_of_scope"})


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back, the bot did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


class ActionNotUnderstood(Action):
    """Says what the bot can do; after two misses in a row, offers choices and a person."""

    def name(self) -> str:
        return "action_not_understood"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if misunderstood_in_a_row(tracker) >= OFFER_CHOICES_AFTER:
            say(dispatcher, "utter_offer_choices")
        elif intent == "out_of_scope":
            say(dispatcher, "utter_out_of_scope")
        else:
            say(dispatcher, "utter_default")
        return []
