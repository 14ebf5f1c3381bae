"""The answer at the end of a lookup, and the hand-off to a person."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.lookup import order_buttons
from actions.render import render_order
from actions.replies import say
from actions.runtime import call, call_store, guarded, services
from bot.domain.errors import NotOrderOwner

# What a lookup leaves behind: nothing of it. What the shopper proved is kept by the core.
LOOKUP_RESET = [
    *(SlotSet(name, None) for name in ("order_ref", "proof", "selected_order", "topic")),
    SlotSet("locked_out", False),
]


class ActionOrderStatus(Action):
    """Tells where the chosen order is, lists the orders, or says why it can't."""

    def name(self) -> str:
        return "action_order_status"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("locked_out"):
            say(dispatcher, "utter_verification_locked")
            return LOOKUP_RESET
        client, wired = client_of(tracker), services()
        if tracker.get_slot("topic") == "order_history":
            orders = await call_store(wired.access.granted_orders, client)
            count = {"count": str(len(orders))}
            say(dispatcher, "utter_order_list", count, order_buttons(orders))
            return LOOKUP_RESET
        selected = tracker.get_slot("selected_order")
        try:
            report = await call(wired.wismo.report, client, str(selected))
        except NotOrderOwner:
            dispatcher.utter_message(response="utter_default")
            return LOOKUP_RESET
        local = ZoneInfo(wired.settings.store_timezone)
        for reply in render_order(report, tracker.get_slot("topic"), local):
            say(dispatcher, reply.response, reply.values)
        dispatcher.utter_message(response="utter_anything_else")
        return [*LOOKUP_RESET, SlotSet("last_order", selected)]


class ActionHandOff(Action):
    """Tells the shopper a person takes over, keeping the conversation for them."""

    def name(self) -> str:
        return "action_hand_off"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "utter_handoff")
        return LOOKUP_RESET
