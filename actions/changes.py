"""Changes and claims the shopper asked for: the request form and the action that makes them.

After an answer, `actions/status.py` starts `request_form` when the policy allows
what the shopper asked (cancel, a new address, a claim). The form asks, in order,
for what the request still needs: the remedy of a claim or the new address, a
yes to the change, and the one-time code that proves the change level. Only then
does `action_make_request` ask the core to make it, which checks the grant and
the policy again: nothing a slot says is trusted for that.

The slot `request` names the request: `cancel`, `address`, or `claim:<type>:<tracking number>`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.forms import FormValidation
from actions.render import contents
from actions.replies import say
from actions.runtime import call, call_store, guarded, services
from bot.domain.access import Client, Level
from bot.domain.addresses import parse_address
from bot.domain.answers import chosen_remedy, one_time_code, wants_new_code
from bot.domain.changes import Change, ChangeDecision, ChangeReason
from bot.domain.claim_rules import ClaimDecision, ClaimReason
from bot.domain.claims import Remedy
from bot.domain.errors import NotOrderOwner
from bot.domain.identity import OrderRef, RefKind
from bot.domain.orders import Address, Order
from bot.domain.shipments import ShipmentStatus, carrier_name
from bot.domain.store_policy import Alternative, ClaimType, Offer, RefundBasis
from bot.domain.verdicts import Situation
from bot.domain.wording import day_label, money
from bot.services.changes import RemedyNotOffered
from bot.services.wismo import OrderReport, ShipmentReport

ONLY = "only"  # the remedy slot's value for a plain yes, until checked against the offers
MAX_TRIES = 2  # answers the form could not use before it stops asking
# The slots a request fills; all emptied when it ends, however it ends.
REQUEST_SLOTS = ("request", "code", "code_sent", "remedy", "new_address", "confirmed", "tries")
REQUEST_RESET = [SlotSet(name, None) for name in REQUEST_SLOTS]
CLAIM_SITUATIONS = {
    Situation.NOT_RECEIVED_CLAIM: ClaimType.NOT_RECEIVED,
    Situation.DAMAGED: ClaimType.DAMAGED,
    Situation.LIKELY_LOST: ClaimType.LOST,
}
REFUNDS = {
    RefundBasis.ORDER: Remedy.REFUND_ORDER,
    RefundBasis.ITEM: Remedy.REFUND_ITEM,
    RefundBasis.SHIPPING: Remedy.REFUND_SHIPPING,
}


class Kind(enum.StrEnum):
    """What the shopper asked to be done."""

    CANCEL = "cancel"
    ADDRESS = "address"
    CLAIM = "claim"


@dataclass(frozen=True)
class Request:
    """A request as the `request` slot names it."""

    kind: Kind
    claim_type: ClaimType | None = None
    tracking_number: str | None = None

    def encode(self) -> str:
        """The slot's value."""
        if self.kind is Kind.CLAIM:
            return f"claim:{self.claim_type}:{self.tracking_number or ''}"
        return self.kind.value

    @classmethod
    def decode(cls, value: Any) -> Request | None:
        """The request a slot names, or None."""
        if not isinstance(value, str):
            return None
        kind, _, rest = value.partition(":")
        if kind in (Kind.CANCEL, Kind.ADDRESS):
            return cls(Kind(kind))
        claim_type, _, tracking = rest.partition(":")
        if kind == Kind.CLAIM and claim_type in ClaimType.__members__.values():
            return cls(Kind.CLAIM, ClaimType(claim_type), tracking or None)
        return None


def claimable(report: OrderReport) -> tuple[ClaimType, ShipmentReport] | None:
    """The first parcel the policy says a claim may be made for now, and the claim's type."""
    for parcel in report.shipments:
        claim_type = CLAIM_SITUATIONS.get(parcel.verdict.situation)
        if claim_type is not None:
            return claim_type, parcel
    return None


def delivered_at(parcel: ShipmentReport | None) -> datetime | None:
    """When a parcel was delivered, from its tracking; None when it was not."""
    tracking = parcel.tracking if parcel else None
    if tracking is None or tracking.status is not ShipmentStatus.DELIVERED:
        return None
    delivered = [e.time for e in tracking.events if e.status is ShipmentStatus.DELIVERED]
    return (
        delivered[-1] if delivered else (tracking.last_event.time if tracking.last_event else None)
    )


def offer_values(decision: ClaimDecision, order: Order) -> dict[str, str]:
    """The amounts of a claim offer."""
    currency = order.items[0].currency if order.items else None
    refund = decision.refund
    return {
        "order_number": order.order_number,
        "refund": money(refund.total, currency) if refund else "",
        "person_above": money(services().changes.policy.refunds.person_above, currency),
    }


def offer_response(decision: ClaimDecision) -> str:
    """The sentence that offers the remedies the policy allows."""
    offers = set(decision.remedies)
    if offers == {Offer.RESHIP, Offer.REFUND}:
        return "utter_offer_reship_or_refund"
    return "utter_offer_refund_only" if Offer.REFUND in offers else "utter_offer_reship_only"


def intent_of(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name"))


def text_of(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "").lower()


async def granted_order(client: Client, number: str) -> Order:
    """The order, if the client may see it."""
    for order in await call_store(services().access.granted_orders, client):
        if order.order_number == number:
            return order
    raise NotOrderOwner(number)


async def claim_context(
    client: Client, number: str, request: Request
) -> tuple[OrderReport, ShipmentReport | None, ClaimDecision]:
    """The order's report as the claim reads it, the parcel claimed, and what the policy offers."""
    wired = services()
    report = await call(wired.wismo.report, client, number, request.claim_type)
    parcel = next(
        (p for p in report.shipments if p.shipment.tracking_number == request.tracking_number),
        None,
    )
    carrier = parcel.shipment.carrier if parcel else None
    decision = await call_store(
        wired.changes.claim_offer,
        client,
        number,
        request.claim_type,
        delivered_at(parcel),
        carrier,
        request.tracking_number,
    )
    return report, parcel, decision


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
    {"deny", "request_human", "frustrated", "goodbye", "faq", "bot_challenge", "nlu_fallback"}
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


def encode_address(address: Address) -> str:
    """An address in a slot, one part per line."""
    parts = (address.line1, address.line2 or "", address.city, address.region or "")
    return "\n".join((*parts, address.postal_code, address.country))


def decode_address(value: Any) -> Address | None:
    if not isinstance(value, str) or value.count("\n") != 5:
        return None
    line1, line2, city, region, postal_code, country = value.split("\n")
    return Address(line1, city, postal_code, country, line2 or None, region or None)


def address_line(address: Address) -> str:
    """The address as the shopper typed it, for the shopper who typed it."""
    region = " ".join(p for p in (address.region, address.postal_code) if p)
    return ", ".join(p for p in (address.line1, address.line2, address.city, region) if p)


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
            say(dispatcher, "utter_verification_locked")
            return [*REQUEST_RESET, SlotSet("requested_slot", None)]
        say(dispatcher, "utter_ask_code", values)
        return [SlotSet("code_sent", True)]


class ActionMakeRequest(Action):
    """Makes the change or files the claim the shopper agreed to, and says what changed."""

    def name(self) -> str:
        return "action_make_request"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = Request.decode(tracker.get_slot("request"))
        if tracker.get_slot("locked_out"):
            say(dispatcher, "utter_verification_locked")
        elif request is None or too_many(tracker):
            say(dispatcher, "utter_offer_choices")
        else:
            await self._make(dispatcher, tracker, request)
        return [*REQUEST_RESET, SlotSet("locked_out", False)]

    async def _make(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: Request
    ) -> None:
        client, wired = client_of(tracker), services()
        number = str(tracker.get_slot("last_order"))
        by = wired.changes.conversation(client)
        if request.kind is Kind.CLAIM:
            await self._claim(dispatcher, tracker, client, number, request)
            return
        report = await call(wired.wismo.report, client, number)
        trackings = [p.tracking for p in report.shipments if p.tracking is not None]
        values = {"order_number": number, "items": contents(report.order, ())}
        if request.kind is Kind.CANCEL:
            outcome = await call_store(wired.changes.cancel_order, client, number, by, trackings)
            done = "utter_cancel_done"
        else:
            address = decode_address(tracker.get_slot("new_address"))
            if address is None:
                say(dispatcher, "utter_offer_choices")
                return
            outcome = await call_store(
                wired.changes.change_address, client, number, address, by, trackings
            )
            values["new_address"] = address_line(address)
            done = "utter_address_done"
        if outcome.decision.allowed:
            say(dispatcher, done, values)
        else:  # it shipped while we talked: nothing was changed
            say_refusal(dispatcher, outcome.decision.change, outcome.decision, report)

    async def _claim(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        client: Client,
        number: str,
        request: Request,
    ) -> None:
        report, parcel, decision = await claim_context(client, number, request)
        offer = Offer(str(tracker.get_slot("remedy")))
        remedy = Remedy.RESHIP
        if offer is Offer.REFUND:
            basis = decision.refund.basis if decision.refund else RefundBasis.ORDER
            remedy = REFUNDS[basis]
        assert request.claim_type is not None
        try:
            claim = await call_store(
                _open_claim, client, number, request, remedy, delivered_at(parcel), parcel
            )
        except RemedyNotOffered:
            say(dispatcher, "utter_claim_not_possible_now")
            return
        currency = report.order.items[0].currency if report.order.items else None
        values = {
            "reference": claim.reference,
            "order_number": number,
            "refund": money(claim.amount, currency) if claim.amount is not None else "",
            "follow_up_on": day_label(claim.follow_up_on),
            "person_above": offer_values(decision, report.order)["person_above"],
        }
        opened = Offer.RESHIP if claim.remedy is Remedy.RESHIP else Offer.REFUND
        say(dispatcher, f"utter_claim_opened_{opened.value}", values)
        if decision.reason is ClaimReason.OVER_VALUE:
            say(dispatcher, "utter_claim_review_over_value", values)
        elif decision.reason is ClaimReason.REPEAT_CLAIM:
            say(dispatcher, "utter_claim_review_repeat", values)
        say(dispatcher, "utter_claim_follow_up", values)


def _open_claim(
    client: Client,
    number: str,
    request: Request,
    remedy: Remedy,
    delivered: Any,
    parcel: ShipmentReport | None,
) -> Any:
    changes = services().changes
    assert request.claim_type is not None
    return changes.open_claim(
        client,
        number,
        request.claim_type,
        remedy,
        changes.conversation(client),
        tracking_number=request.tracking_number,
        delivered_at=delivered,
        carrier=parcel.shipment.carrier if parcel else None,
    )


def say_refusal(
    dispatcher: CollectingDispatcher,
    change: Change,
    decision: ChangeDecision,
    report: OrderReport,
    headline: str | None = None,
) -> None:
    """Why a cancel or address change can't be made here, and what the shopper can do instead."""
    values = {"order_number": report.order.order_number}
    kind = "cancel" if change is Change.CANCEL else "address"
    say(dispatcher, headline or f"utter_{kind}_refused_{decision.reason}", values)
    carriers = {p.shipment.tracking_number: p.shipment.carrier for p in report.shipments}
    for alternative in decision.alternatives:
        names = sorted({carrier_name(c) for c in carriers.values()})
        carrier_values = {**values, "carrier": ", ".join(names)}
        say(dispatcher, f"utter_alternative_{alternative}", carrier_values)
    if decision.unshipped_allowed or any(p.allowed for p in decision.parcels):
        say(dispatcher, "utter_step_hand_off", values)


class ActionDropRequest(Action):
    """The shopper said no: nothing is changed, and the request is forgotten."""

    def name(self) -> str:
        return "action_drop_request"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "utter_request_dropped")
        return REQUEST_RESET


def possible_responses() -> set[str]:
    """Every name this module builds, for the checks of the domain's responses."""
    names = {f"utter_claim_opened_{o}" for o in Offer}
    refusals = [r for r in ChangeReason if r is not ChangeReason.NOT_SHIPPED]
    names |= {f"utter_{k}_refused_{r}" for k in ("cancel", "address") for r in refusals}
    return names | {f"utter_alternative_{a}" for a in Alternative}
