"""Not understood: say so and give an example; the second time in a row, offer choices."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import say
from actions.runtime import guarded

# After this many messages in a row the bot did not understand, it stops rephrasing.
OFFER_CHOICES_AFTER = 2


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back, the bot did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionNotUnderstood(Action):
    """Rephrases what the bot can do; after two misses, offers choices and a person."""

    def name(self) -> str:
        return "action_not_understood"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if misunderstood_in_a_row(tracker) >= OFFER_CHOICES_AFTER:
            say(dispatcher, "utter_offer_choices")
        else:
            say(dispatcher, "utter_default")
        return []
