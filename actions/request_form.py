"""The request form: what a change or a claim still needs, asked in the shopper's words.

In order: the remedy of a claim or the new address, a yes to the change, and the
one-time code that proves the change level (unless the lookup already did). An
answer the form cannot use is counted and asked again; after `MAX_TRIES` it stops
and `action_make_request` offers choices and a person instead of looping.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.forms import FormValidation
from actions.handoff import locked_out
from actions.render import contents
from actions.replies import say
from actions.requests import (
    REQUEST_RESET,
    Kind,
    Request,
    address_line,
    claim_context,
    decode_address,
    encode_address,
    granted_order,
    intent_of,
    offer_response,
    offer_values,
    text_of,
)
from actions.runtime import call_store, guarded, services
from bot.domain.access import Level
from bot.domain.addresses import parse_address
from bot.domain.answers import chosen_remedy, one_time_code, wants_new_code
from bot.domain.identity import OrderRef, RefKind
from bot.domain.store_policy import Offer

ONLY = "only"  # the remedy slot's value for a plain yes, until checked against the offers


MAX_TRIES = 2  # answers the form could not use before it stops asking


class ValidateRequestForm(FormValidation):
    """What a request still needs, read from the shopper's words; never rejects an answer.

    An answer it cannot use is counted and asked again; after `MAX_TRIES` the form
    stops and `action_make_request` offers choices and a person instead of looping.
    """

    KEPT = ("tries", "code_sent", "locked_out")

    def name(self) -> str:
        return "validate_request_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        request = Request.decode(tracker.get_slot("request"))
        if request is None or tracker.get_slot("locked_out") or too_many(tracker):
            return []
        slots = ["remedy"] if request.kind is Kind.CLAIM else []
        if request.kind is Kind.ADDRESS:
            slots.append("new_address")
        if request.kind in (Kind.CANCEL, Kind.ADDRESS):
            slots.append("confirmed")
        number = str(tracker.get_slot("last_order"))
        grants = await call_store(services().access.grants, client_of(tracker))
        grant = grants.get(number)
        if grant is None or not grant.allows(Level.CHANGE):
            slots.append("code")
        return slots

    async def extract_remedy(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "remedy":
            return {}
        chosen = chosen_remedy(text_of(tracker))
        if chosen is not None:
            return {"remedy": chosen.value}
        if intent_of(tracker) == "request_refund":
            return {"remedy": Offer.REFUND.value}
        if intent_of(tracker) == "affirm":
            return {"remedy": ONLY}  # a yes is enough when only one remedy is offered
        return missed(tracker)

    async def validate_remedy(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        request = Request.decode(tracker.get_slot("request"))
        if value is None or request is None:
            return {"remedy": None}
        number = str(tracker.get_slot("last_order"))
        _, _, decision = await claim_context(client_of(tracker), number, request)
        if value == ONLY and len(decision.remedies) == 1:
            return {"remedy": decision.remedies[0].value}
        if value in decision.remedies:
            return {"remedy": value}
        say(dispatcher, "utter_pick_one_remedy" if value == ONLY else "utter_remedy_not_offered")
        return {"remedy": None, **missed(tracker)}

    async def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "new_address":
            return {}
        text = str(tracker.latest_message.get("text") or "")
        order = await granted_order(client_of(tracker), str(tracker.get_slot("last_order")))
        address = parse_address(text, order.shipping_address.country)
        if address is None:
            say(dispatcher, "utter_address_not_understood")
            return missed(tracker)
        return {"new_address": encode_address(address)}

    async def extract_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "confirmed":
            return {}
        request = Request.decode(tracker.get_slot("request"))
        same_ask = {Kind.CANCEL: "cancel_order", Kind.ADDRESS: "change_address"}
        said = intent_of(tracker)
        if said == "affirm" or (request and said == same_ask.get(request.kind)):
            return {"confirmed": True}
        return missed(tracker)

    async def extract_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "code":
            return {}
        text = text_of(tracker)
        code = one_time_code(text)
        if code:
            return {"code": code}
        if wants_new_code(text):
            return {"code_sent": None}  # asked again: a new code is sent
        return missed(tracker)

    async def validate_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in (None, "ok"):
            return {"code": value}
        ref = OrderRef(RefKind.ORDER_NUMBER, str(tracker.get_slot("last_order")))
        result = await call_store(services().access.confirm_code, client_of(tracker), ref, value)
        if result.locked:
            return {"code": None, "locked_out": True}
        if not result.proven:
            say(dispatcher, "utter_code_wrong")
            return {"code": None, **missed(tracker)}
        return {"code": "ok"}


# Said while the form asks: not an answer, but for the rules (data/rules.yml) to take.
BREAKOUTS = frozenset(
    {
        *("deny", "request_human", "frustrated", "goodbye", "faq", "bot_challenge"),
        *("nlu_fallback", "out_of_scope"),
        *("order_status", "delivery_late", "order_history", "claim_status"),  # a new question
    }
)


def missed(tracker: Tracker) -> dict[str, Any]:
    """One more answer the form could not use (a slot set, so that the form keeps the turn).

    What the rules answer instead (no, a person, bye, a question) is left to them: nothing
    is set, so the form lets the turn go.
    """
    if intent_of(tracker) in BREAKOUTS:
        return {}
    return {"tries": float(tracker.get_slot("tries") or 0) + 1}


def too_many(tracker: Tracker) -> bool:
    return float(tracker.get_slot("tries") or 0) >= MAX_TRIES


class ActionAskRemedy(Action):
    """Offers the remedies the policy allows for the claim, with their amounts."""

    def name(self) -> str:
        return "action_ask_remedy"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = Request.decode(tracker.get_slot("request"))
        number = str(tracker.get_slot("last_order"))
        if request is None:
            return []
        report, _, decision = await claim_context(client_of(tracker), number, request)
        say(dispatcher, offer_response(decision), offer_values(decision, report.order))
        return []


class ActionAskNewAddress(Action):
    """Asks for the new delivery address, on one line."""

    def name(self) -> str:
        return "action_ask_new_address"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "utter_ask_new_address")
        return []


class ActionAskConfirmed(Action):
    """Says exactly what will change and asks for a yes."""

    def name(self) -> str:
        return "action_ask_confirmed"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = Request.decode(tracker.get_slot("request"))
        order = await granted_order(client_of(tracker), str(tracker.get_slot("last_order")))
        values = {"order_number": order.order_number, "items": contents(order, ())}
        if request is not None and request.kind is Kind.ADDRESS:
            address = decode_address(tracker.get_slot("new_address"))
            values["new_address"] = address_line(address) if address else ""
            say(dispatcher, "utter_ask_confirm_address", values)
        else:
            say(dispatcher, "utter_ask_confirm_cancel", values)
        return []


class ActionAskCode(Action):
    """Emails a one-time code for the order (once, or again when asked) and asks for it."""

    def name(self) -> str:
        return "action_ask_code"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = str(tracker.get_slot("last_order"))
        values = {"order_number": number}
        if tracker.get_slot("code_sent"):
            say(dispatcher, "utter_ask_code_again", values)
            return []
        ref = OrderRef(RefKind.ORDER_NUMBER, number)
        result = await call_store(services().access.send_code, client_of(tracker), ref)
        if result.locked:
            offer = await locked_out(dispatcher, tracker)
            return [*REQUEST_RESET, SlotSet("requested_slot", None), *offer]
        say(dispatcher, "utter_ask_code", values)
        return [SlotSet("code_sent", True)]
