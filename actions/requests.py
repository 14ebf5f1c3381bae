"""What the shopper asked to be done after an answer, as the request form carries it.

`actions/status.py` starts `request_form` when the policy allows what the shopper
asked (cancel, a new address, a claim); the slot `request` names it: `cancel`,
`address`, or `claim:<type>:<tracking number>`. This module reads that name, the
order and the claim's context back from the core, and words a refusal; the form
is in `actions/request_form.py`, the change itself in `actions/changes.py`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import say
from actions.runtime import call, call_store, services
from bot.domain.access import Client
from bot.domain.changes import Change, ChangeDecision, ChangeReason
from bot.domain.claim_rules import ClaimDecision
from bot.domain.claims import Remedy
from bot.domain.errors import NotOrderOwner
from bot.domain.orders import Address, Order
from bot.domain.readings import claim_window_start
from bot.domain.shipments import carrier_name
from bot.domain.store_policy import Alternative, ClaimType, Offer, RefundBasis
from bot.domain.verdicts import Situation
from bot.domain.wording import money
from bot.services.wismo import OrderReport, ShipmentReport

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


def claim_since(parcel: ShipmentReport | None) -> datetime | None:
    """When the claim window of a parcel starts (see `claim_window_start`)."""
    return claim_window_start(parcel.tracking if parcel else None)


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
        claim_since(parcel),
        carrier,
        request.tracking_number,
    )
    return report, parcel, decision


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


# Carriers whose redirect service has a sentence of its own
# (utter_alternative_carrier_redirect_<carrier>).
REDIRECT_SERVICES = ("ups", "fedex", "usps")


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
        # Only the carriers of the parcels this alternative is offered for.
        offered = {
            carriers[p.tracking_number]
            for p in decision.parcels
            if alternative in p.alternatives and p.tracking_number in carriers
        }
        if alternative is Alternative.CARRIER_REDIRECT:
            for carrier in sorted(offered):  # each carrier's own service
                service = carrier.lower() if carrier.lower() in REDIRECT_SERVICES else None
                name = f"utter_alternative_{alternative}" + (f"_{service}" if service else "")
                say(dispatcher, name, {**values, "carrier": carrier_name(carrier)})
            continue
        names = sorted({carrier_name(c) for c in offered})
        say(dispatcher, f"utter_alternative_{alternative}", {**values, "carrier": ", ".join(names)})
    if decision.unshipped_allowed or any(p.allowed for p in decision.parcels):
        say(dispatcher, "utter_step_hand_off", values)


def possible_responses() -> set[str]:
    """Every name this module builds, for the checks of the domain's responses."""
    names = {f"utter_claim_opened_{o}" for o in Offer}
    refusals = [r for r in ChangeReason if r is not ChangeReason.NOT_SHIPPED]
    names |= {f"utter_{k}_refused_{r}" for k in ("cancel", "address") for r in refusals}
    names |= {f"utter_alternative_{Alternative.CARRIER_REDIRECT}_{c}" for c in REDIRECT_SERVICES}
    return names | {f"utter_alternative_{a}" for a in Alternative}
