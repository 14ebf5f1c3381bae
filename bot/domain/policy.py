"""The store's rules about a parcel: is it late, is it stuck, what happens next.

`assess` is the short reading the replies use today, under the store's written policy
(`bot.domain.store_policy`); the full reading, `Verdict`s, is in `bot.domain.readings`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.domain.orders import Order
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, StatusDetail, Tracking
from bot.domain.store_policy import DEFAULT_POLICY, StorePolicy
from bot.domain.verdicts import store_day


class NextStep(enum.StrEnum):
    """What happens now, from the shopper's side; each has a response in domain.yml."""

    WAIT = "wait"
    WAIT_LATE = "wait_late"
    WATCH_TODAY = "watch_today"
    PICK_UP = "pick_up"
    REDELIVERY = "redelivery"
    CHECK_AROUND = "check_around"
    INVESTIGATE = "investigate"
    RETURNING = "returning"
    CHECK_BACK = "check_back"


_DONE_OR_STOPPED = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURN_TO_SENDER, ShipmentStatus.EXCEPTION}
)


@dataclass(frozen=True)
class Assessment:
    """The policy's reading of one parcel."""

    late: bool
    stuck: bool
    delay_reason: StatusDetail | None
    next_step: NextStep


def is_international(policy: StorePolicy, order: Order) -> bool:
    """Whether the order ships to another country than the store's."""
    return order.shipping_address.country.upper() != policy.country


def is_late(
    order: Order, tracking: Tracking, now: datetime, policy: StorePolicy = DEFAULT_POLICY
) -> bool:
    """Past the promised window and grace (or expected after it) and not yet delivered."""
    window = order.promised_delivery
    if window is None or tracking.status in _DONE_OR_STOPPED:
        return False
    last_day = window.latest + policy.grace
    if store_day(policy, now) > last_day:
        return True
    eta = tracking.estimated_delivery
    return eta is not None and eta > last_day


def is_stuck(
    tracking: Tracking,
    now: datetime,
    policy: StorePolicy = DEFAULT_POLICY,
    international: bool = False,
) -> bool:
    """No scan for too long while the parcel should be moving."""
    last = tracking.last_event
    if last is None:
        return False
    quiet = now - last.time
    if tracking.status is ShipmentStatus.IN_TRANSIT:
        return quiet > policy.stalled_after(tracking.carrier, international)
    if tracking.status is ShipmentStatus.PRE_TRANSIT:
        return quiet > policy.forgotten_label
    return False


def delay_reason(tracking: Tracking) -> StatusDetail | None:
    """The latest delay the carrier reported, if any."""
    for event in reversed(tracking.events):
        if event.detail in DELAY_DETAILS:
            return StatusDetail(event.detail)
    return None


def next_step(tracking: Tracking, late: bool, stuck: bool) -> NextStep:
    """What the shopper can expect or do now."""
    status = tracking.status
    if status is ShipmentStatus.DELIVERED:
        return NextStep.CHECK_AROUND
    if status is ShipmentStatus.OUT_FOR_DELIVERY:
        return NextStep.WATCH_TODAY
    if status is ShipmentStatus.AVAILABLE_FOR_PICKUP:
        return NextStep.PICK_UP
    if status is ShipmentStatus.ATTEMPT_FAILED:
        return NextStep.REDELIVERY
    if status is ShipmentStatus.RETURN_TO_SENDER:
        return NextStep.RETURNING
    if status is ShipmentStatus.EXCEPTION or stuck:
        return NextStep.INVESTIGATE
    if status is ShipmentStatus.UNKNOWN:
        return NextStep.CHECK_BACK
    return NextStep.WAIT_LATE if late else NextStep.WAIT


def assess(
    order: Order, tracking: Tracking, now: datetime, policy: StorePolicy = DEFAULT_POLICY
) -> Assessment:
    """Read one parcel's tracking under the store's rules."""
    late = is_late(order, tracking, now, policy)
    stuck = is_stuck(tracking, now, policy, is_international(policy, order))
    return Assessment(late, stuck, delay_reason(tracking), next_step(tracking, late, stuck))
