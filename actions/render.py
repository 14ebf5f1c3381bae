"""Turn an order report and the policy's verdicts into the domain's responses (pure).

Only names and data come out of here: every word the shopper reads is in
domain.yml's responses. Each parcel gets three kinds of sentence:

- what the carrier says: `utter_parcel_<status>`, plus `_at_place` when its last
  scan has a place and `_numbered` when the order came in several parcels
  ("Parcel 2 of 3 (the tent)");
- what the policy reads from it, with the facts and the rule it rests on:
  `utter_verdict_<situation>` (and the delay's cause, the delivery place, the
  look-around checklist);
- what happens next: `utter_step_<step>`.

What has not shipped yet is read the same way: `utter_pending_<situation>` for a
whole order, `utter_rest_<situation>` for the part of a split order still here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from bot.domain.orders import Order, OrderStatus
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, StatusDetail, carrier_name
from bot.domain.verdicts import (
    DeliveryPlace,
    EstimateFact,
    EstimateSource,
    Rule,
    RuleFact,
    Situation,
    Step,
    Verdict,
)
from bot.domain.wording import ago, day_label, day_phrase, moment, moment_ahead
from bot.services.wismo import OrderReport, ShipmentReport

# A parcel stopped at customs: held, not "a problem", and not moving until it clears.
HELD = "held"
CUSTOMS = frozenset({StatusDetail.CUSTOMS_DELAY, StatusDetail.CUSTOMS_CLEARANCE})
# The statuses whose sentence says where the last scan was, when the carrier said.
PLACED_STATUSES = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.RETURN_TO_SENDER,
        HELD,
    }
)
# A parcel whose carrier has no scan for it yet (its status alone says nothing).
NO_SCAN = "no_scan"
# The situations whose own sentence already says all there is (the status sentence does).
QUIET_SITUATIONS = frozenset(
    {
        Situation.OUT_FOR_DELIVERY,
        Situation.ATTEMPT_FAILED,
        Situation.RETURNED_TO_SENDER,
        Situation.NO_TRACKING,
        Situation.DELIVERED,
        Situation.CARRIER_EXCEPTION,
    }
)
# Steps told by another sentence: the checklist, or the offer that follows the answer.
UNSAID_STEPS = frozenset({Step.CHECK_AROUND, Step.OPEN_CLAIM})
# The variants of a situation's sentence, by what is known (see `verdict_response`).
ESTIMATE_VARIANTS = {
    EstimateSource.CARRIER: "",
    EstimateSource.PROMISED_WINDOW: "_promised",
}
# Damage the carrier scanned on the way has no delivery place; the shopper's report has one.
DAMAGE = (Situation.DAMAGED, Situation.DAMAGED_CLAIM_CLOSED)
PROMISED_CHECK_BACK = "utter_check_back_promised"
WAITING = (
    Situation.PROCESSING,
    Situation.PROCESSING_LATE,
    Situation.ON_HOLD,
    Situation.BACKORDERED,
)


@dataclass(frozen=True)
class Reply:
    """One response of the domain, with the values of its variables."""

    response: str
    values: dict[str, str] = field(default_factory=dict)


def _clean(text: str) -> str:
    """Carrier text is shown as plain text: no markup gets through."""
    return text.replace("<", "").replace(">", "").strip()


def order_values(order: Order, local: tzinfo) -> dict[str, str]:
    """Variables about the order itself; never the street line."""
    address = order.shipping_address
    destination = ", ".join(p for p in (address.city, address.region) if p)
    window = order.promised_delivery
    return {
        "order_number": order.order_number,
        "placed": day_label(order.placed_at.astimezone(local).date()),
        "destination": destination or address.country,
        "promised": day_label(window.latest) if window else "",
        "promised_from": day_label(window.earliest) if window else "",
        "items": contents(order, ()),
    }


def contents(order: Order, parts: tuple[tuple[str, int], ...]) -> str:
    """What a parcel carries ("Trail Tent 2P, 2 x Headlamp"); every item when `parts` is empty."""
    names = {item.sku: item.name for item in order.items}
    pairs = parts or tuple((item.sku, item.quantity) for item in order.items)
    return ", ".join(
        names.get(sku, sku) if quantity == 1 else f"{quantity} x {names.get(sku, sku)}"
        for sku, quantity in pairs
    )


def render_order(report: OrderReport, topic: str | None, local: tzinfo) -> list[Reply]:
    """Everything the shopper is told about one order."""
    order, now = report.order, report.now.astimezone(local)
    values = order_values(order, local)
    if order.status is OrderStatus.CANCELLED:
        return [Reply("utter_order_cancelled", values)]
    if not report.shipments:
        return render_pending(report.pending, values, now, whole=True) if report.pending else []
    count = len(report.shipments)
    overview = "utter_order_single" if count == 1 else "utter_order_overview"
    replies = [Reply(overview, {**values, "count": str(count)})]
    for index, parcel in enumerate(report.shipments, start=1):
        numbering = {"parcel_number": str(index), "parcel_count": str(count)} if count > 1 else {}
        replies += render_parcel(order, parcel, numbering, topic, now)
    if report.unshipped:
        items = ", ".join(f"{item.quantity} x {item.name}" for item in report.unshipped)
        replies.append(Reply("utter_unshipped_items", {"items": items}))
        if report.pending is not None:
            replies += render_pending(report.pending, values, now, whole=False)
    return replies


def render_pending(
    verdict: Verdict, values: dict[str, str], now: datetime, *, whole: bool
) -> list[Reply]:
    """What has not shipped: why, until when, and what the shopper can do."""
    values = {**values, **verdict_values(verdict, now)}
    name = f"utter_{'pending' if whole else 'rest'}_{verdict.situation}"
    if verdict.situation is Situation.PROCESSING and whole and values["promised"]:
        name += "_promised"
    if verdict.situation is Situation.BACKORDERED and not values["eta"]:
        name += "_undated"
    replies = [Reply(name, values)]
    told = UNSAID_STEPS | {Step.WAIT}  # the sentence itself says until when
    replies += [Reply(step_response(s), values) for s in verdict.steps if s not in told]
    return replies


def parcel_values(
    order: Order, parcel: ShipmentReport, numbering: dict[str, str], now: datetime
) -> dict[str, str]:
    """Variables about one parcel; those of a scan are empty when there is none."""
    shipment, tracking = parcel.shipment, parcel.tracking
    window = order.promised_delivery
    parts = tuple((p.sku, p.quantity) for p in shipment.items)
    values = {
        **numbering,
        "carrier": carrier_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "contents": contents(order, parts) if numbering else "",
        "last_scan": "",
        "place": "",
        "ago": "",
        "last_time": "",
        "delivered_on": "",
        "promised": day_label(window.latest) if window else "",
    }
    last = tracking.last_event if tracking else None
    if last is not None:
        values.update(
            last_scan=_clean(last.description) or last.status.value.replace("_", " "),
            place=last.location.label() if last.location else "",
            ago=ago(last.time, now),
            last_time=moment(last.time, now),
            delivered_on=day_phrase(last.time.astimezone(now.tzinfo).date(), now.date()),
        )
    return values


def verdict_values(verdict: Verdict, now: datetime) -> dict[str, str]:
    """The facts a verdict rests on, as the variables of its sentences."""
    estimate = verdict.fact(EstimateFact)
    rule = verdict.fact(RuleFact)
    values = {
        "eta": day_phrase(estimate.day, now.date()) if estimate else "",
        "revised": day_phrase(verdict.revised_date, now.date()) if verdict.revised_date else "",
        "threshold_days": "",
        "threshold_hours": "",
        "since": "",
        "deadline": "",
        "check_back": moment_ahead(verdict.check_back_at, now),
        "claim_until": day_label(verdict.claim_until.astimezone(now.tzinfo).date())
        if verdict.claim_until
        else "",
    }
    if rule is not None:
        values.update(
            threshold_days=str(round(rule.threshold / timedelta(days=1))),
            threshold_hours=str(round(rule.threshold / timedelta(hours=1))),
            since=moment(rule.since, now),
            deadline=day_phrase(rule.deadline.astimezone(now.tzinfo).date(), now.date()),
        )
    return values


def parcel_response(status: ShipmentStatus | str, values: dict[str, str]) -> str:
    """The name of the sentence about one parcel that fits what is known of it."""
    placed = status in PLACED_STATUSES and bool(values.get("place"))
    numbered = "parcel_number" in values
    return (
        f"utter_parcel_{status}"
        + ("_at_place" if placed else "")
        + ("_numbered" if numbered else "")
    )


def verdict_response(verdict: Verdict, topic: str | None, values: dict[str, str]) -> str | None:
    """The name of the sentence that says what the policy read, or None when the status says it."""
    situation = verdict.situation
    if situation in QUIET_SITUATIONS:
        return None
    name = f"utter_verdict_{situation}"
    if situation is Situation.IN_TRANSIT:
        estimate = verdict.fact(EstimateFact)
        if topic == "delivery_late" and values["promised"]:
            return name + "_not_late"
        if estimate is None:
            return name + "_undated"
        return name + ESTIMATE_VARIANTS.get(estimate.source, "")
    if situation is Situation.LATE:
        rule = verdict.fact(RuleFact)
        if rule is not None and rule.rule is Rule.CARRIER_ESTIMATE:
            return name + "_past_estimate"
        return name if values["revised"] else name + "_undated"
    if situation is Situation.STALLED and verdict.fact(RuleFact) is not None:
        rule = verdict.fact(RuleFact)
        assert rule is not None
        return name + ("_past_estimate" if rule.rule is Rule.PAST_ESTIMATE else "")
    if situation is Situation.LIKELY_LOST and verdict.fact(RuleFact) is None:
        return name + "_reported"
    if situation in DAMAGE and verdict.place is None:
        return name + "_in_transit"
    return name


def cause_response(verdict: Verdict) -> str | None:
    """The sentence that says why a late parcel is late, when the carrier said."""
    late = verdict.situation in (Situation.LATE, Situation.TRENDING_LATE, Situation.STALLED)
    if late and verdict.cause in DELAY_DETAILS:
        return f"utter_cause_{verdict.cause}"
    return None


def place_response(verdict: Verdict) -> str | None:
    """Where the carrier left a delivered parcel, when it said."""
    if verdict.place is None or verdict.place is DeliveryPlace.UNSPECIFIED:
        return None
    return f"utter_delivered_{verdict.place}"


def step_response(step: Step) -> str:
    """The sentence of one next step."""
    return f"utter_step_{step}"


def render_parcel(
    order: Order,
    parcel: ShipmentReport,
    numbering: dict[str, str],
    topic: str | None,
    now: datetime,
) -> list[Reply]:
    """Status, the policy's reading with its facts, and the next steps of one parcel."""
    values = parcel_values(order, parcel, numbering, now)
    tracking, verdict = parcel.tracking, parcel.verdict
    if tracking is None:
        name = "utter_carrier_no_data" + ("_numbered" if numbering else "")
        return [Reply(name, values)]
    values.update(verdict_values(verdict, now))
    replies: list[Reply] = []
    if parcel.stale_since is not None:
        as_of = moment(parcel.stale_since, now)
        replies.append(Reply("utter_carrier_stale", {**values, "as_of": as_of}))
    scanned = tracking.last_event is not None or tracking.status is ShipmentStatus.UNKNOWN
    status = tracking.status if scanned else NO_SCAN
    if status is ShipmentStatus.EXCEPTION and tracking.detail in CUSTOMS:
        status = HELD
    replies.append(Reply(parcel_response(status, values), values))
    replies += [Reply(name, values) for name in _verdict_names(verdict, topic, values)]
    return replies


def _verdict_names(verdict: Verdict, topic: str | None, values: dict[str, str]) -> Iterator[str]:
    for name in (
        place_response(verdict),
        verdict_response(verdict, topic, values),
        cause_response(verdict),
    ):
        if name is not None:
            yield name
    if verdict.checklist:
        yield f"utter_checklist_{verdict.place or DeliveryPlace.UNSPECIFIED}"
    claim_follows = Step.OPEN_CLAIM in verdict.steps  # the offer that follows says what now
    for step in verdict.steps:
        if step is Step.INVESTIGATE and claim_follows:
            continue
        if step is Step.CHECK_BACK and verdict.check_back_at is not None:
            yield PROMISED_CHECK_BACK  # the action has stored it before this is said
        elif step is Step.WAIT_LATE and verdict.cause in CUSTOMS:
            yield step_response(step) + "_" + HELD  # not moving until it clears
        elif step not in UNSAID_STEPS:
            yield step_response(step)


def possible_responses() -> set[str]:
    """Every name the functions above can build, for the checks of the domain's responses."""
    names = {f"utter_cause_{d}" for d in DELAY_DETAILS}
    names |= {f"utter_delivered_{p}" for p in DeliveryPlace if p is not DeliveryPlace.UNSPECIFIED}
    names |= {f"utter_checklist_{p}" for p in DeliveryPlace}
    names |= {step_response(s) for s in Step if s not in UNSAID_STEPS}
    for situation in Situation:
        if situation not in QUIET_SITUATIONS and situation not in (*WAITING, Situation.CANCELLED):
            names.add(f"utter_verdict_{situation}")
    names |= {
        "utter_verdict_in_transit_not_late",
        "utter_verdict_in_transit_undated",
        "utter_verdict_in_transit_promised",
        "utter_verdict_late_undated",
        "utter_verdict_late_past_estimate",
        "utter_verdict_stalled_past_estimate",
        "utter_verdict_likely_lost_reported",
    }
    names |= {f"utter_verdict_{situation}_in_transit" for situation in DAMAGE}
    for situation in WAITING:
        names |= {f"utter_pending_{situation}", f"utter_rest_{situation}"}
    names |= {"utter_pending_processing_promised", "utter_pending_backordered_undated"}
    names |= {"utter_rest_backordered_undated"}
    names.add(step_response(Step.WAIT_LATE) + "_" + HELD)
    for status in [*ShipmentStatus, NO_SCAN, HELD]:
        for place in ("", "x"):
            for numbered in ({}, {"parcel_number": "1"}):
                names.add(parcel_response(status, {"place": place, **numbered}))
    return names | {"utter_carrier_no_data", "utter_carrier_no_data_numbered", PROMISED_CHECK_BACK}
