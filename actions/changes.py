"""The change or the claim the shopper agreed to, made by the core, and what changed.

`request_form` (actions/request_form.py) has gathered what the request needs;
the core checks the grant and the policy again (nothing a slot says is trusted
for that), makes the change or files the claim, and this says what was done,
or why it no longer can be.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import client_of
from actions.handoff import hand_off, locked_out
from actions.render import contents
from actions.replies import say
from actions.request_form import too_many
from actions.requests import (
    REFUNDS,
    REQUEST_RESET,
    Kind,
    Request,
    address_line,
    claim_context,
    claim_since,
    decode_address,
    offer_values,
    say_refusal,
)
from actions.runtime import call, call_store, guarded, services
from actions.updates import reachable
from bot.domain.access import Client
from bot.domain.claim_rules import ClaimReason
from bot.domain.claims import Remedy
from bot.domain.store_policy import Offer, RefundBasis
from bot.domain.tickets import Trigger
from bot.domain.wording import day_label, money
from bot.services.changes import RemedyNotOffered
from bot.services.wismo import ShipmentReport

# A claim the policy leaves to a person: why, as the shopper hears it.
REVIEWS = {
    ClaimReason.OVER_VALUE: "utter_claim_review_over_value",
    ClaimReason.REPEAT_CLAIM: "utter_claim_review_repeat",
}


class ActionMakeRequest(Action):
    """Makes the change or files the claim the shopper agreed to, and says what changed."""

    def name(self) -> str:
        return "action_make_request"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = Request.decode(tracker.get_slot("request"))
        offer: list[EventType] = []
        if tracker.get_slot("locked_out"):
            offer = await locked_out(dispatcher, tracker)
        elif request is None or too_many(tracker):
            say(dispatcher, "utter_offer_choices")
        else:
            offer = await self._make(dispatcher, tracker, request)
        return [*REQUEST_RESET, SlotSet("locked_out", False), *offer]

    async def _make(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: Request
    ) -> list[EventType]:
        client, wired = client_of(tracker), services()
        number = str(tracker.get_slot("last_order"))
        by = wired.changes.conversation(client)
        if request.kind is Kind.CLAIM:
            return await self._claim(dispatcher, tracker, client, number, request)
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
                return []
            outcome = await call_store(
                wired.changes.change_address, client, number, address, by, trackings
            )
            values["new_address"] = address_line(address)
            done = "utter_address_done"
        if outcome.decision.allowed:
            say(dispatcher, done, values)
        else:  # it shipped while we talked: nothing was changed
            say_refusal(dispatcher, outcome.decision.change, outcome.decision, report)
        return []

    async def _claim(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        client: Client,
        number: str,
        request: Request,
    ) -> list[EventType]:
        """File the claim; one a person must decide is handed to the team (a ticket)."""
        report, parcel, decision = await claim_context(client, number, request)
        offer = Offer(str(tracker.get_slot("remedy")))
        remedy = Remedy.RESHIP
        if offer is Offer.REFUND:
            basis = decision.refund.basis if decision.refund else RefundBasis.ORDER
            remedy = REFUNDS[basis]
        assert request.claim_type is not None
        try:
            claim = await call_store(
                _open_claim, client, number, request, remedy, claim_since(parcel), parcel
            )
        except RemedyNotOffered:
            say(dispatcher, "utter_claim_not_possible_now")
            return []
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
        handed: list[EventType] = []
        review = REVIEWS.get(decision.reason) if decision.reason else None
        if review is not None:
            say(dispatcher, review, values)
            note = f"Claim {claim.reference} waits for a person ({decision.reason.value})."
            handed = await hand_off(dispatcher, tracker, Trigger.POLICY, note)
        say(dispatcher, "utter_claim_follow_up", values)
        return handed


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
        recipient=reachable(client),
    )


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
