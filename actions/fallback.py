"""Not understood, or not ours to do: say so helpfully; the second miss in a row, offer choices.

A request outside what the assistant does is classified by topic (the retrieval
intent `out_of_scope/<topic>`: account, payment, invoice, ...) and answered with
that topic's redirect: where the shopper can get it done. Only what is no topic
of a shop at all (`out_of_scope/other`) counts, with the messages the NLU could
not read, as not understood: gibberish is often read as out of scope. The second of
those in a row hands the conversation to a person (actions/handoff.py); inside
a form, which goes on after this action, it offers choices and a person instead.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import OFFERED, hand_off
from actions.replies import say
from actions.runtime import guarded
from bot.domain.tickets import Trigger

# After this many messages in a row the bot did not understand, it stops rephrasing.
HAND_OFF_AFTER = 2
OUT_OF_SCOPE = "out_of_scope"
# The topics of out_of_scope with a redirect of their own (domain.yml: utter_out_of_scope/<topic>).
REDIRECT_TOPICS = (
    "account",
    "payment",
    "invoice",
    "promotions",
    "products",
    "feedback",
    "company",
)


NO_TOPIC = "utter_out_of_scope/other"  # what the assistant does, for a request of no shop topic


def possible_responses() -> set[str]:
    """Every redirect this action can send."""
    return {f"utter_{OUT_OF_SCOPE}/{topic}" for topic in REDIRECT_TOPICS} | {NO_TOPIC}


def topic_of(parse_data: dict[str, Any]) -> str | None:
    """The out_of_scope topic the response selector chose for a message, if any."""
    selected = (parse_data.get("response_selector") or {}).get(OUT_OF_SCOPE) or {}
    key = (selected.get("response") or {}).get("intent_response_key") or ""
    topic = key.partition("/")[2]
    return topic if topic in REDIRECT_TOPICS else None


def not_understood(parse_data: dict[str, Any]) -> bool:
    """Whether a parsed message is one the bot could not help with at all."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return True
    return intent == OUT_OF_SCOPE and topic_of(parse_data) is None


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back, the bot did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not not_understood(event.get("parse_data") or {}):
            break
        count += 1
    return count


class ActionNotUnderstood(Action):
    """Redirects a request that is not ours; the second miss in a row hands off to a
    person (inside a form, offers choices and a person)."""

    def name(self) -> str:
        return "action_not_understood"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        parsed = tracker.latest_message
        out_of_scope = (parsed.get("intent") or {}).get("name") == OUT_OF_SCOPE
        topic = topic_of(parsed) if out_of_scope else None
        if topic:
            say(dispatcher, f"utter_{OUT_OF_SCOPE}/{topic}")
        elif misunderstood_in_a_row(tracker) >= HAND_OFF_AFTER:
            if not tracker.active_loop:
                return await hand_off(dispatcher, tracker, Trigger.NOT_UNDERSTOOD)
            say(dispatcher, "utter_offer_choices")
            return [SlotSet(OFFERED, Trigger.NOT_UNDERSTOOD.value)]
        elif out_of_scope:
            say(dispatcher, NO_TOPIC)
        else:
            say(dispatcher, "utter_default")
        return []
