"""The lookup form: find the order, prove it is the shopper's, pick one."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of, e164, open_ref, seal_ref
from actions.forms import FormValidation
from actions.replies import say
from actions.runtime import call_store, guarded, services
from bot.adapters.carriers.detect import normalize_tracking_number
from bot.domain.access import Client
from bot.domain.claims import normalize_reference
from bot.domain.identity import (
    Factor,
    FactorKind,
    OrderRef,
    RefKind,
    normalize_email,
    normalize_phone,
    normalize_postal_code,
)
from bot.domain.orders import Order
from bot.domain.wording import day_label

# The intent that opened a lookup decides how the answer is framed.
TOPICS = {
    "order_status": "order_status",
    "inform": "order_status",
    "delivery_late": "delivery_late",
    "package_missing": "package_missing",
    "package_damaged": "package_damaged",
    "order_history": "order_history",
    "cancel_order": "cancel_order",
    "change_address": "change_address",
    "request_refund": "request_refund",
    "claim_status": "claim_status",
    "no_order_number": "order_status",
    "subscribe_updates": "subscribe_updates",
}


def entity_values(tracker: Tracker, name: str) -> list[str]:
    """Values of an entity in the latest message."""
    entities = tracker.latest_message.get("entities") or []
    return [str(e["value"]) for e in entities if e.get("entity") == name and e.get("value")]


def ref_in_message(tracker: Tracker, *, emails: bool = True) -> OrderRef | None:
    """An order number, tracking number or email in the latest message, normalized."""
    numbers = services().numbers
    for text in entity_values(tracker, "order_number"):
        if number := numbers.normalize(text):
            return OrderRef(RefKind.ORDER_NUMBER, number)
    for text in entity_values(tracker, "tracking_number"):
        return OrderRef(RefKind.TRACKING_NUMBER, normalize_tracking_number(text))
    for text in entity_values(tracker, "email") if emails else []:
        if email := normalize_email(text):
            return OrderRef(RefKind.EMAIL, email)
    return None


def factor_in_message(tracker: Tracker, ref: OrderRef | None, client: Client) -> Factor | None:
    """A second factor in the latest message that is not the identifier itself.

    A phone number the channel verified counts too; one a client merely claims does not.
    """
    normalizers = (
        (FactorKind.EMAIL, "email", normalize_email),
        (FactorKind.POSTAL_CODE, "zip_code", normalize_postal_code),
        (FactorKind.PHONE, "phone_number", normalize_phone),
    )
    for kind, entity, normalize in normalizers:
        for text in entity_values(tracker, entity):
            value = normalize(text)
            if value and not (ref and ref.kind.value == kind.value and ref.value == value):
                return Factor(kind, value)
    phone = e164(client.phone)
    return Factor(FactorKind.CHANNEL_PHONE, phone) if phone else None


def _ref(tracker: Tracker) -> OrderRef | None:
    return open_ref(tracker.get_slot("order_ref"))


class ValidateOrderLookupForm(FormValidation):
    """Extracts and checks the lookup's slots; decides what to ask next."""

    KEPT = ("claim_ref", "locked_out")

    def name(self) -> str:
        return "validate_order_lookup_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("locked_out"):
            return []
        granted = await call_store(services().access.grants, client_of(tracker))
        slots = [] if granted and not tracker.get_slot("order_ref") else ["order_ref", "proof"]
        if tracker.get_slot("topic") != "order_history":
            slots.append("selected_order")
        return ["topic", *slots]

    async def extract_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        topic = TOPICS.get(str(tracker.latest_message.get("intent", {}).get("name")))
        references = [
            r for t in entity_values(tracker, "claim_reference") if (r := normalize_reference(t))
        ]
        if references:  # a claim's reference, however it was asked about, asks after the claim
            return {"claim_ref": references[0], "topic": TOPICS["claim_status"]}
        if tracker.get_slot("requested_slot") or topic is None:
            return {}
        return {"topic": topic} if topic != tracker.get_slot("topic") else {}

    async def extract_order_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asking_proof = tracker.get_slot("requested_slot") == "proof"
        ref = ref_in_message(tracker, emails=not asking_proof)
        intent = tracker.latest_message.get("intent", {}).get("name")
        if ref is None and intent == "no_order_number" and not asking_proof:
            return {"order_ref": None}  # answered, not rejected: asked again, for the email
        if ref is None or (tracker.get_slot("order_ref") and not asking_proof):
            return {}
        return {"order_ref": seal_ref(ref)} if ref != _ref(tracker) else {}

    async def validate_order_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        ref = open_ref(value)
        if ref is None:
            return {"order_ref": None}
        known = await call_store(services().access.already_proven, client_of(tracker), ref)
        if known:
            return {"order_ref": None, "proof": "ok", "selected_order": known}
        return {"order_ref": value, "proof": None, "selected_order": None}

    async def extract_proof(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        ref = _ref(tracker)
        if ref is None or tracker.get_slot("proof"):
            return {}
        factor = factor_in_message(tracker, ref, client_of(tracker))
        return {"proof": factor.encode()} if factor else {}

    async def validate_proof(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The check itself: the factor never stays in a slot, whatever the outcome."""
        ref = _ref(tracker)
        if value == "ok" or ref is None:
            return {"proof": "ok" if value == "ok" else None}
        client = client_of(tracker)
        result = await call_store(services().access.verify, client, ref, Factor.decode(value))
        if result.locked:
            return {"proof": None, "order_ref": None, "locked_out": True}
        if not result.proven:
            if Factor.decode(value).kind is FactorKind.CHANNEL_PHONE:
                return {"proof": None}  # the texting phone is not the order's: ask for proof
            say(dispatcher, "utter_verification_failed")
            return {"proof": None, "order_ref": None}
        pointed = ref.kind is not RefKind.EMAIL or len(result.proven) == 1
        selected = result.proven[0] if pointed else None
        return {"proof": "ok", "order_ref": None, "selected_order": selected}

    async def extract_selected_order(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("selected_order"):
            return {}
        granted = list(await call_store(services().access.grants, client_of(tracker)))
        if not granted:
            return {}
        if tracker.get_slot("requested_slot") != "selected_order":
            if tracker.get_slot("order_ref"):
                return {}
            # A follow-up ("and when will it come?") is about the order just discussed.
            last = tracker.get_slot("last_order")
            only = granted[0] if len(granted) == 1 else None
            chosen = only or (last if last in granted else None)
            return {"selected_order": chosen} if chosen else {}
        ref = ref_in_message(tracker, emails=False)
        if ref is None:
            return {}
        number = await call_store(services().access.already_proven, client_of(tracker), ref)
        return {"selected_order": number or ref.value}

    async def validate_selected_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in await call_store(services().access.grants, client_of(tracker)):
            return {"selected_order": value}
        say(dispatcher, "utter_not_one_of_yours")
        return {"selected_order": None}


class ActionAskOrderRef(Action):
    """Asks for the order number (or email, or tracking number)."""

    def name(self) -> str:
        return "action_ask_order_ref"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        by_email = tracker.latest_message.get("intent", {}).get("name") == "no_order_number"
        say(dispatcher, "utter_ask_email_instead" if by_email else "utter_ask_order_ref")
        return []


class ActionAskProof(Action):
    """Asks for the second factor that fits the identifier given."""

    def name(self) -> str:
        return "action_ask_proof"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ref = _ref(tracker)
        by_email = ref is not None and ref.kind is RefKind.EMAIL
        asked = "utter_ask_proof_for_email" if by_email else "utter_ask_proof_for_order"
        say(dispatcher, asked)
        return []


class ActionAskSelectedOrder(Action):
    """Lists the shopper's verified orders as buttons to pick one."""

    def name(self) -> str:
        return "action_ask_selected_order"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        orders = await call_store(services().access.granted_orders, client_of(tracker))
        count = {"count": str(len(orders))}
        say(dispatcher, "utter_ask_selected_order", count, order_buttons(orders))
        return []


def order_buttons(orders: list[Order]) -> list[dict[str, str]]:
    """One button per order, titled with data only: number, date and what is in it."""
    buttons = []
    for order in orders:
        parts = [order.order_number, day_label(order.placed_at.date())]
        if order.items:
            parts.append(", ".join(item.name for item in order.items))
        payload = f'/inform{{"order_number":"{order.order_number}"}}'
        buttons.append({"title": " · ".join(parts), "payload": payload})
    return buttons
