"""The answer at the end of a lookup, what follows from it, and the hand-off to a person.

The answer says where each parcel is and what the store's policy reads from it.
What the shopper asked for comes next: a cancellation, a new address or a claim
the policy allows starts `request_form` (actions/request_form.py); one it does not
allow gets the reason and the alternatives, with nothing changed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards import shipment_cards
from actions.claims import tell, tell_claims
from actions.clients import client_of
from actions.handoff import OFFERED, hand_off, locked_out
from actions.lookup import order_buttons
from actions.render import Reply, render_order
from actions.replies import say, wording
from actions.requests import Kind, Request, claim_context, claimable, say_refusal
from actions.runtime import call, call_store, guarded, in_background, services
from actions.updates import reachable, subscribe
from bot.domain.access import Client, Level
from bot.domain.changes import Change, ChangeReason
from bot.domain.claims import CheckBackKind
from bot.domain.errors import NotOrderOwner
from bot.domain.orders import OrderStatus
from bot.domain.shipments import ShipmentStatus
from bot.domain.store_policy import ClaimType
from bot.domain.tickets import Trigger
from bot.services.wismo import OrderReport, ShipmentReport

# What a lookup leaves behind: nothing of it. What the shopper proved is kept by the core.
LOOKUP_RESET = [
    *(SlotSet(name, None) for name in ("order_ref", "proof", "selected_order", "topic")),
    SlotSet("locked_out", False),
]
# The website widget's channel (bot/channels/widget.py), which draws shipment cards.
WIDGET_CHANNEL = "socketio"
# What the shopper says went wrong, which the policy weighs.
REPORTED = {"package_missing": ClaimType.NOT_RECEIVED, "package_damaged": ClaimType.DAMAGED}
# The policy's steps whose words offer a person ("Talk to a person" hands off, trigger policy).
POLICY_OFFERS = frozenset({"utter_step_investigate", "utter_step_hand_off"})
CHANGES = {"cancel_order": Change.CANCEL, "change_address": Change.ADDRESS}
REQUESTS = {Change.CANCEL: Kind.CANCEL, Change.ADDRESS: Kind.ADDRESS}


class ActionOrderStatus(Action):
    """Tells where the chosen order is and what happens now, or lists the orders, or says why
    it can't; then starts what the shopper asked for, if the policy allows it."""

    def name(self) -> str:
        return "action_order_status"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("locked_out"):
            return [*LOOKUP_RESET, *await locked_out(dispatcher, tracker)]
        client, wired = client_of(tracker), services()
        topic = tracker.get_slot("topic")
        if topic == "order_history":
            orders = await call_store(wired.access.granted_orders, client)
            count = {"count": str(len(orders))}
            say(dispatcher, "utter_order_list", count, order_buttons(orders))
            return LOOKUP_RESET
        selected = str(tracker.get_slot("selected_order"))
        if topic == "claim_status":
            await tell_claims(dispatcher, client, selected, tracker.get_slot("claim_ref"))
            dispatcher.utter_message(response="utter_anything_else")
            return [*LOOKUP_RESET, SlotSet("claim_ref", None), SlotSet("last_order", selected)]
        try:
            if topic == "subscribe_updates":
                await subscribe(dispatcher, tracker, selected)
                return [*LOOKUP_RESET, SlotSet("last_order", selected)]
            report = await call(wired.wismo.report, client, selected, REPORTED.get(str(topic)))
        except NotOrderOwner:
            dispatcher.utter_message(response="utter_default")
            return LOOKUP_RESET
        await _keep_promises(client, report)
        local = ZoneInfo(wired.settings.store_timezone)
        replies = render_order(report, topic, local)
        for reply in replies:
            say(dispatcher, reply.response, reply.values)
        in_background(wired.wismo.record_told, tracker.sender_id, report)  # off the turn
        offers = [SlotSet(OFFERED, Trigger.POLICY.value)] if _offers_person(replies) else []
        channel = tracker.get_latest_input_channel()
        if channel == WIDGET_CHANNEL:
            for card in shipment_cards(report, local, wording(domain, channel)):
                dispatcher.utter_message(json_message=card)
        follow = await _follow_up(dispatcher, client, report, str(topic))
        if follow is None:
            dispatcher.utter_message(response="utter_anything_else")
            return [*LOOKUP_RESET, *offers, SlotSet("last_order", selected)]
        return [
            *LOOKUP_RESET,
            *offers,
            SlotSet("last_order", selected),
            SlotSet("request", follow.encode()),
            FollowupAction("request_form"),
        ]


def _offers_person(replies: list[Reply]) -> bool:
    """Whether the answer offers a person because the policy needs one to decide."""
    return any(reply.response in POLICY_OFFERS for reply in replies)


async def _keep_promises(client: Client, report: OrderReport) -> None:
    """Store every check-back the answer is about to promise, before it promises it."""
    changes = services().changes
    for parcel in report.shipments:
        due = parcel.verdict.check_back_at
        if due is not None:
            await call_store(
                changes.promise_check_back,
                client,
                report.order.order_number,
                CheckBackKind.DELIVERY_WINDOW_END,
                due,
                reachable(client),
            )


async def _follow_up(
    dispatcher: CollectingDispatcher, client: Client, report: OrderReport, topic: str
) -> Request | None:
    """The request to start after the answer, or None; says why when the policy refuses it."""
    order = report.order
    if order.status is OrderStatus.CANCELLED:
        return None
    claim = claimable(report)
    change = CHANGES.get(topic)
    if change is None and topic == "request_refund" and claim is None:
        return await _refund(dispatcher, client, report)
    if change is None:
        return await _claim(dispatcher, client, report, claim) if claim else None
    return await _change(dispatcher, client, report, change)


async def _claim(
    dispatcher: CollectingDispatcher,
    client: Client,
    report: OrderReport,
    claim: tuple[ClaimType, ShipmentReport],
) -> Request | None:
    """A claim the policy allows now; one parcel's grant (tracking number and ZIP) files none."""
    if report.level is Level.PARCEL:
        say(dispatcher, "utter_change_needs_order")
        return None
    claim_type, parcel = claim
    number, tracking_number = report.order.order_number, parcel.shipment.tracking_number
    for filed in await call_store(services().changes.claims_of, client, number):
        if filed.active and filed.type is claim_type and filed.tracking_number == tracking_number:
            say(dispatcher, "utter_claim_already_filed", {"reference": filed.reference})
            tell(dispatcher, filed)  # asking twice files nothing new: here is the one filed
            return None
    request = Request(Kind.CLAIM, claim_type, tracking_number)
    _, _, decision = await claim_context(client, number, request)
    return request if decision.allowed else None


async def _change(
    dispatcher: CollectingDispatcher, client: Client, report: OrderReport, change: Change
) -> Request | None:
    trackings = [p.tracking for p in report.shipments if p.tracking is not None]
    number = report.order.order_number
    try:
        decision = await call_store(services().changes.preview, client, number, change, trackings)
    except NotOrderOwner:  # one parcel's grant (tracking number and ZIP) changes nothing
        say(dispatcher, "utter_change_needs_order")
        return None
    if decision.allowed:
        return Request(REQUESTS[change])
    say_refusal(dispatcher, change, decision, report)
    return None


async def _refund(
    dispatcher: CollectingDispatcher, client: Client, report: OrderReport
) -> Request | None:
    """A refund with no claim to make: by cancelling what hasn't shipped, or by a return."""
    statuses = [p.tracking.status for p in report.shipments if p.tracking is not None]
    if statuses and all(s is ShipmentStatus.DELIVERED for s in statuses):
        say(dispatcher, "utter_refund_after_delivery")
        return None
    trackings = [p.tracking for p in report.shipments if p.tracking is not None]
    number = report.order.order_number
    try:
        decision = await call_store(
            services().changes.preview, client, number, Change.CANCEL, trackings
        )
    except NotOrderOwner:
        say(dispatcher, "utter_change_needs_order")
        return None
    if decision.allowed:
        say(dispatcher, "utter_refund_by_cancelling", {"order_number": number})
        return Request(Kind.CANCEL)
    on_its_way = decision.reason in (ChangeReason.SHIPPED, ChangeReason.PARTLY_SHIPPED)
    headline = "utter_refund_on_its_way" if on_its_way else None
    say_refusal(dispatcher, Change.CANCEL, decision, report, headline)
    return None


class ActionHandOff(Action):
    """The shopper asked for a person (or took the one offered): the ticket is stored, and
    they hear their place in the queue and the wait, or when the team is back."""

    def name(self) -> str:
        return "action_hand_off"

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        why = tracker.get_slot(OFFERED)
        trigger = Trigger(why) if why in set(Trigger) else Trigger.ASKED
        return [*LOOKUP_RESET, *await hand_off(dispatcher, tracker, trigger)]
