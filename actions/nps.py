"""The goodbye, and the NPS survey at the end of a conversation the bot resolved (issue 17).

"Bye" after the bot answered about an order, with no person offered or handed the
conversation (even one handed back since), asks "0 to 10, how likely are you to
recommend us?" when the shopper was not asked this week (bot/services/surveys.py
decides and records the ask); otherwise it is a plain goodbye. `nps_form` then asks
for the score and the reason, each read from the shopper's own words
(bot/domain/nps.py): a score that is not 0-10 is asked once more, clearly; "no" ends
the survey politely; a new question about an order, or a person asked for, ends it
and is answered. A reason is stored as typed and never said back; the slots keep only
what became of the answers.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.forms import FormValidation
from actions.handoff import OFFERED, hand_off, offer_or_hand_off
from actions.replies import say
from actions.runtime import call_store, guarded, services
from bot.channels.identity import hash_id
from bot.domain.errors import StoreUnavailable
from bot.domain.nps import declines, read_score
from bot.domain.tickets import Trigger

log = logging.getLogger(__name__)

SCORE, REASON, MISSED = "nps_score", "nps_reason", "nps_missed"
FORM = "nps_form"
# What `nps_score` holds besides a score: no score (declined, or missed twice), or the
# shopper asked for something else instead. `nps_reason`: given or not, never the text.
DECLINED, LEFT = "declined", "left"
GIVEN, NO_REASON = "given", "none"
ENDING = frozenset({"deny", "goodbye"})
# A new question about an order while the score is asked: the survey ends, the lookup answers.
TO_LOOKUP = frozenset(
    {
        "order_status",
        "delivery_late",
        "package_missing",
        "package_damaged",
        "order_history",
        "cancel_order",
        "change_address",
        "request_refund",
        "claim_status",
    }
)
TO_PERSON = frozenset({"request_human", "frustrated"})


def intent_of(tracker: Tracker) -> str:
    """The intent of the latest message."""
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def person_involved(tracker: Tracker) -> bool:
    """Whether a person was offered or handed this conversation (its current session),
    even if a person handed it back since (which empties `handoff_offered`)."""
    involved = False
    for event in tracker.events:  # a phone's conversation spans sessions: this one counts
        if event.get("event") == "session_started":
            involved = False
        elif event.get("event") == "slot" and event.get("name") == OFFERED and event.get("value"):
            involved = True
    return involved or bool(tracker.get_slot(OFFERED))


class ActionGoodbye(Action):
    """Goodbye; or, at the end of a conversation the bot resolved, the survey first."""

    def name(self) -> str:
        return "action_goodbye"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(SCORE) is None and await _survey_due(tracker):
            return [FollowupAction(FORM)]
        say(dispatcher, "utter_goodbye")
        return []


async def _survey_due(tracker: Tracker) -> bool:
    """Whether to ask now (the ask is then recorded); a store that fails asks nothing."""
    order = tracker.get_slot("last_order")
    try:
        return await call_store(
            services().surveys.ask,
            client_of(tracker),
            str(order) if order else None,
            person_involved(tracker),
        )
    except StoreUnavailable:  # the survey is not worth a failed goodbye
        log.exception("no survey asked in %s", hash_id(tracker.sender_id))
        return False


class ValidateNpsForm(FormValidation):
    """Reads the score and the reason from what the shopper typed, and records them."""

    KEPT = (MISSED,)

    def name(self) -> str:
        return "validate_nps_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(SCORE) in (DECLINED, LEFT):
            return [SCORE]
        return [SCORE, REASON]

    async def validate_nps_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, intent = str(value or ""), intent_of(tracker)
        score = read_score(text)
        if score is not None:
            await call_store(services().surveys.score, client_of(tracker), score)
            return {SCORE: str(score), MISSED: None}
        if intent in TO_LOOKUP or intent in TO_PERSON:
            return {SCORE: LEFT, MISSED: None}
        if declines(text) or intent in ENDING or tracker.get_slot(MISSED):
            return {SCORE: DECLINED, MISSED: None}
        return {SCORE: None, MISSED: True}  # asked once more, with how to answer

    async def validate_nps_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        kept = await call_store(services().surveys.reason, client_of(tracker), text)
        return {REASON: GIVEN if kept else NO_REASON}


class ActionAskNpsScore(Action):
    """The question, or once the shopper answered something else, how to answer it."""

    def name(self) -> str:
        return "action_ask_nps_score"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(
            dispatcher,
            "utter_nps_score_again" if tracker.get_slot(MISSED) else "utter_ask_nps_score",
        )
        return []


class ActionAskNpsReason(Action):
    """Asks why: any words are taken, "no" or "skip" leave it empty."""

    def name(self) -> str:
        return "action_ask_nps_reason"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "utter_ask_nps_reason")
        return []


class ActionNpsDone(Action):
    """The end of the survey: thanks and goodbye; or what the shopper asked instead."""

    def name(self) -> str:
        return "action_nps_done"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        score = tracker.get_slot(SCORE)
        if score == LEFT:
            return await _instead(dispatcher, tracker)
        if score != DECLINED:
            say(dispatcher, "utter_nps_thanks")
        say(dispatcher, "utter_goodbye")
        return []


async def _instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Answer what the shopper asked instead of a score, as the rules would have."""
    intent = intent_of(tracker)
    if intent == "request_human":
        return await hand_off(dispatcher, tracker, Trigger.ASKED)
    if intent == "frustrated":
        return await offer_or_hand_off(dispatcher, tracker, "utter_frustrated", Trigger.FRUSTRATED)
    return [FollowupAction("order_lookup_form")]
