"""Reading an order and its parcels under the store's written policy into `Verdict`s."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.orders import Order, OrderStatus, Shipment
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, StatusDetail, Tracking
from bot.domain.store_policy import ClaimType, StorePolicy
from bot.domain.verdicts import (
    Check,
    DeliveryPlace,
    EstimateFact,
    EstimateSource,
    Fact,
    Rule,
    RuleFact,
    ScanFact,
    Situation,
    StatusFact,
    Step,
    Verdict,
    end_of_day,
    ship_by,
    store_day,
)

_PLACES = {
    StatusDetail.DELIVERED_TO_DOOR: DeliveryPlace.DOOR,
    StatusDetail.DELIVERED_TO_SAFE_PLACE: DeliveryPlace.SAFE_PLACE,
    StatusDetail.DELIVERED_TO_NEIGHBOR: DeliveryPlace.NEIGHBOUR,
    StatusDetail.DELIVERED_TO_MAILROOM: DeliveryPlace.MAILROOM,
    StatusDetail.SIGNED_FOR: DeliveryPlace.SIGNED_FOR,
}
# Where to look first depends on where the carrier says it left the parcel.
_CHECKLISTS = {
    DeliveryPlace.DOOR: (Check.LOOK_AROUND_DOOR, Check.CHECK_SAFE_PLACES, Check.ASK_NEIGHBOURS),
    DeliveryPlace.SAFE_PLACE: (Check.CHECK_SAFE_PLACES, Check.LOOK_AROUND_DOOR),
    DeliveryPlace.NEIGHBOUR: (Check.ASK_NEIGHBOURS, Check.LOOK_AROUND_DOOR),
    DeliveryPlace.MAILROOM: (Check.CHECK_MAILROOM,),
    DeliveryPlace.SIGNED_FOR: (Check.ASK_WHO_SIGNED,),
    DeliveryPlace.UNSPECIFIED: (Check.LOOK_AROUND_DOOR, Check.CHECK_SAFE_PLACES),
}
_ALWAYS = (Check.ASK_HOUSEHOLD, Check.CHECK_ADDRESS)


def is_international(policy: StorePolicy, order: Order) -> bool:
    """Whether the order ships to another country than the store's."""
    return order.shipping_address.country.upper() != policy.country


def delay_reason(tracking: Tracking) -> StatusDetail | None:
    """The latest delay the carrier reported, if any."""
    for event in reversed(tracking.events):
        if event.detail in DELAY_DETAILS:
            return StatusDetail(event.detail)
    return None


def order_verdicts(
    policy: StorePolicy,
    order: Order,
    trackings: Iterable[Tracking],
    now: datetime,
    reported: ClaimType | None = None,
) -> tuple[Verdict, ...]:
    """One verdict per parcel, plus one for what has not shipped yet (or one: cancelled)."""
    if order.status is OrderStatus.CANCELLED:
        return (Verdict(Situation.CANCELLED, (StatusFact(order.status),), ()),)
    by_number = {t.tracking_number: t for t in trackings}
    verdicts = [
        parcel_verdict(policy, order, s, by_number.get(s.tracking_number), now, reported)
        for s in order.shipments
    ]
    if order.unshipped_items() or not order.shipments:
        verdicts.append(unshipped_verdict(policy, order, now))
    return tuple(verdicts)


def unshipped_verdict(policy: StorePolicy, order: Order, now: datetime) -> Verdict:
    """What the policy says of the items no parcel carries yet."""
    status = StatusFact(order.status)
    if order.status is OrderStatus.ON_HOLD:
        return Verdict(Situation.ON_HOLD, (status,), (Step.HAND_OFF,))
    if order.status is OrderStatus.BACKORDERED:
        facts: tuple[Fact, ...] = (status,)
        if order.backorder_until is not None:
            facts += (EstimateFact(order.backorder_until, EstimateSource.BACKORDER),)
        return Verdict(Situation.BACKORDERED, facts, (Step.WAIT, Step.MAY_CANCEL))
    deadline = ship_by(policy, order.placed_at)
    last_day = store_day(policy, deadline - timedelta(microseconds=1))
    facts = (
        status,
        EstimateFact(last_day, EstimateSource.SHIP_WINDOW),
        RuleFact(Rule.SHIP_WINDOW, deadline - order.placed_at, order.placed_at),
    )
    if now < deadline:
        return Verdict(Situation.PROCESSING, facts, (Step.WAIT,))
    return Verdict(Situation.PROCESSING_LATE, facts, (Step.INVESTIGATE,))


def parcel_verdict(
    policy: StorePolicy,
    order: Order,
    shipment: Shipment,
    tracking: Tracking | None,
    now: datetime,
    reported: ClaimType | None = None,
) -> Verdict:
    """What the policy says of one parcel, from its tracking (None: the carrier has none)."""
    number = shipment.tracking_number
    if tracking is None or not _scanned(tracking):
        return _label(policy, shipment, tracking, now)
    facts = _tracking_facts(order, tracking)
    status, detail = tracking.status, tracking.detail
    if status is ShipmentStatus.DELIVERED:
        return _delivered(policy, tracking, now, reported, facts)
    if detail is StatusDetail.DAMAGED:
        return _damaged(policy, tracking, claim_window_start(tracking) or now, now, facts)
    if detail is StatusDetail.ADDRESS_ISSUE:
        return Verdict(Situation.ADDRESS_PROBLEM, facts, (Step.FIX_ADDRESS,), number)
    if status is ShipmentStatus.AVAILABLE_FOR_PICKUP:
        since = _last_time(tracking, now)
        hold = RuleFact(Rule.PICKUP_HOLD, policy.pickup_hold, since)
        return Verdict(Situation.READY_FOR_PICKUP, (*facts, hold), (Step.PICK_UP,), number)
    simple = _SIMPLE.get(status)
    if simple is not None:
        return Verdict(simple[0], facts, simple[1], number)
    if status is ShipmentStatus.EXCEPTION:
        if detail is StatusDetail.LOST:
            return Verdict(Situation.LIKELY_LOST, facts, _LOST_STEPS, number)
        if detail in (StatusDetail.REFUSED, StatusDetail.RETURNED):
            return Verdict(Situation.RETURNED_TO_SENDER, facts, (Step.RETURNING,), number)
        if detail not in (
            StatusDetail.WEATHER_DELAY,
            StatusDetail.CARRIER_DELAY,
            StatusDetail.CUSTOMS_DELAY,
        ):
            return Verdict(Situation.CARRIER_EXCEPTION, facts, (Step.INVESTIGATE,), number)
    return _moving(policy, order, tracking, now, facts)


_LOST_STEPS = (Step.INVESTIGATE, Step.OPEN_CLAIM)
_SIMPLE = {
    ShipmentStatus.OUT_FOR_DELIVERY: (Situation.OUT_FOR_DELIVERY, (Step.WATCH_TODAY,)),
    ShipmentStatus.ATTEMPT_FAILED: (Situation.ATTEMPT_FAILED, (Step.REDELIVERY,)),
    ShipmentStatus.RETURN_TO_SENDER: (Situation.RETURNED_TO_SENDER, (Step.RETURNING,)),
}


_UNSCANNED = frozenset({ShipmentStatus.UNKNOWN, ShipmentStatus.PRE_TRANSIT})


def _scanned(tracking: Tracking) -> bool:
    """Whether a carrier scanned the parcel: a status past the label, now or before.

    A parcel whose latest status is unknown after real scans is still on its way.
    """
    if tracking.status is ShipmentStatus.PRE_TRANSIT:
        return False
    return tracking.status not in _UNSCANNED or any(
        e.status not in _UNSCANNED for e in tracking.events
    )


def _tracking_facts(order: Order, tracking: Tracking) -> tuple[Fact, ...]:
    """The status, the latest scan and the expected day with its source."""
    facts: list[Fact] = [StatusFact(tracking.status, tracking.detail)]
    last = tracking.last_event
    if last is not None:
        place = last.location.label() if last.location else ""
        facts.append(ScanFact(last.time, place, last.description))
    if tracking.estimated_delivery is not None:
        facts.append(EstimateFact(tracking.estimated_delivery, EstimateSource.CARRIER))
    elif order.promised_delivery is not None:
        facts.append(EstimateFact(order.promised_delivery.latest, EstimateSource.PROMISED_WINDOW))
    return tuple(facts)


def _label(
    policy: StorePolicy, shipment: Shipment, tracking: Tracking | None, now: datetime
) -> Verdict:
    """A parcel with a label and no carrier scan: waiting, or forgotten past the threshold."""
    number = shipment.tracking_number
    facts: tuple[Fact, ...] = (StatusFact(tracking.status, tracking.detail),) if tracking else ()
    events = tracking.events if tracking else ()
    since = events[0].time if events else shipment.shipped_at
    if since is not None:
        rule = RuleFact(Rule.FORGOTTEN_LABEL, policy.forgotten_label, since)
        if now > rule.deadline:
            return Verdict(Situation.FORGOTTEN_LABEL, (*facts, rule), (Step.INVESTIGATE,), number)
    if tracking is None or tracking.status is ShipmentStatus.UNKNOWN:
        return Verdict(Situation.NO_TRACKING, facts, (Step.CHECK_BACK,), number)
    return Verdict(Situation.LABEL_CREATED, facts, (Step.WAIT,), number)


def _moving(
    policy: StorePolicy, order: Order, tracking: Tracking, now: datetime, facts: tuple[Fact, ...]
) -> Verdict:
    """A parcel on its way: lost, stalled, late, trending late or on time."""
    number, cause, eta = (
        tracking.tracking_number,
        delay_reason(tracking),
        tracking.estimated_delivery,
    )
    quiet = _quiet_rule(policy, order, tracking, now)
    if quiet is not None:
        situation = Situation.LIKELY_LOST if quiet.rule is Rule.LIKELY_LOST else Situation.STALLED
        steps = _LOST_STEPS if situation is Situation.LIKELY_LOST else (Step.INVESTIGATE,)
        return Verdict(situation, (*facts, quiet), steps, number, cause)
    if eta is not None:
        overdue = RuleFact(
            Rule.PAST_ESTIMATE, policy.stalled.past_estimate, end_of_day(policy, eta)
        )
        if now > overdue.deadline:
            return Verdict(Situation.STALLED, (*facts, overdue), (Step.INVESTIGATE,), number, cause)
        # Past the carrier's own date (and the store's grace), not yet for too long.
        missed = RuleFact(Rule.CARRIER_ESTIMATE, policy.grace, end_of_day(policy, eta))
        if now >= missed.deadline:
            return Verdict(Situation.LATE, (*facts, missed), (Step.WAIT_LATE,), number, cause)
    window = order.promised_delivery
    if window is None:
        return Verdict(Situation.IN_TRANSIT, facts, (Step.WAIT,), number, cause)
    grace = RuleFact(Rule.GRACE, policy.grace, end_of_day(policy, window.latest))
    if now >= grace.deadline:
        revised = eta if eta is not None and eta >= store_day(policy, now) else None
        return Verdict(Situation.LATE, (*facts, grace), (Step.WAIT_LATE,), number, cause, revised)
    if eta is not None and eta > window.latest + policy.grace:
        return Verdict(
            Situation.TRENDING_LATE, (*facts, grace), (Step.WAIT_LATE,), number, cause, eta
        )
    return Verdict(Situation.IN_TRANSIT, facts, (Step.WAIT,), number, cause)


def _quiet_rule(
    policy: StorePolicy, order: Order, tracking: Tracking, now: datetime
) -> RuleFact | None:
    """The likely-lost or stalled rule when the parcel has gone without a scan too long."""
    last = tracking.last_event
    if last is None:
        return None
    carrier = tracking.carrier.lower()
    rules = policy.carrier(carrier)
    lost = RuleFact(
        Rule.LIKELY_LOST,
        policy.lost_after(carrier),
        last.time,
        carrier if rules.lost_after is not None else None,
    )
    if now > lost.deadline:
        return lost
    international = is_international(policy, order)
    own = rules.international if international else rules.domestic
    rule = Rule.STALLED_INTERNATIONAL if international else Rule.STALLED_DOMESTIC
    stalled = RuleFact(
        rule,
        policy.stalled_after(carrier, international),
        last.time,
        carrier if own is not None else None,
    )
    return stalled if now > stalled.deadline else None


def _delivered(
    policy: StorePolicy,
    tracking: Tracking,
    now: datetime,
    reported: ClaimType | None,
    facts: tuple[Fact, ...],
) -> Verdict:
    """Delivered: where; and, when the shopper says it is missing or damaged, what now."""
    number = tracking.tracking_number
    place = _place(tracking.detail)
    delivered_at = claim_window_start(tracking) or now
    if reported is ClaimType.DAMAGED:
        return _damaged(policy, tracking, delivered_at, now, facts, place)
    if reported not in (ClaimType.NOT_RECEIVED, ClaimType.LOST):
        return Verdict(Situation.DELIVERED, facts, (), number, place=place)
    carrier = tracking.carrier.lower()
    overridden = carrier if policy.carrier(carrier).wait is not None else None
    wait = RuleFact(Rule.DELIVERED_WAIT, policy.wait(carrier), delivered_at, overridden)
    window = policy.delivered_not_received.claim_within
    claim = RuleFact(Rule.NOT_RECEIVED_CLAIM, window, delivered_at)
    if now < wait.deadline:
        checklist = _CHECKLISTS[place] + _ALWAYS
        steps = (Step.CHECK_AROUND, Step.CHECK_BACK)
        return Verdict(
            Situation.NOT_RECEIVED_WAIT,
            (*facts, wait),
            steps,
            number,
            place=place,
            checklist=checklist,
            check_back_at=wait.deadline,
        )
    if now <= claim.deadline:
        return Verdict(
            Situation.NOT_RECEIVED_CLAIM,
            (*facts, claim),
            (Step.OPEN_CLAIM,),
            number,
            place=place,
            claim_until=claim.deadline,
        )
    return Verdict(
        Situation.NOT_RECEIVED_CLAIM_CLOSED, (*facts, claim), (Step.HAND_OFF,), number, place=place
    )


def _damaged(
    policy: StorePolicy,
    tracking: Tracking,
    since: datetime,
    now: datetime,
    facts: tuple[Fact, ...],
    place: DeliveryPlace | None = None,
) -> Verdict:
    """Damaged (by the shopper's word or the carrier's scan): a claim until the window closes."""
    number, photos = tracking.tracking_number, policy.damaged.photos_required
    claim = RuleFact(Rule.DAMAGED_CLAIM, policy.damaged.claim_within, since)
    if now > claim.deadline:
        return Verdict(
            Situation.DAMAGED_CLAIM_CLOSED, (*facts, claim), (Step.HAND_OFF,), number, place=place
        )
    steps = (Step.SEND_PHOTOS, Step.OPEN_CLAIM) if photos else (Step.OPEN_CLAIM,)
    return Verdict(
        Situation.DAMAGED,
        (*facts, claim),
        steps,
        number,
        place=place,
        claim_until=claim.deadline,
        photos_required=photos,
    )


def _place(detail: StatusDetail | str | None) -> DeliveryPlace:
    if isinstance(detail, StatusDetail):
        return _PLACES.get(detail, DeliveryPlace.UNSPECIFIED)
    return DeliveryPlace.UNSPECIFIED


def claim_window_start(tracking: Tracking | None) -> datetime | None:
    """When a claim's window starts: the (last) delivered scan, or the carrier's scan that
    reported the parcel damaged on the way; None when neither happened."""
    if tracking is None:
        return None
    last = tracking.last_event
    if tracking.status is ShipmentStatus.DELIVERED:
        delivered = (
            e.time for e in reversed(tracking.events) if e.status is ShipmentStatus.DELIVERED
        )
        return next(delivered, last.time if last else None)
    return last.time if tracking.detail is StatusDetail.DAMAGED and last else None


def _last_time(tracking: Tracking, now: datetime) -> datetime:
    last = tracking.last_event
    return last.time if last is not None else now
