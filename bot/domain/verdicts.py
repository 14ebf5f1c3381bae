"""What the policy says of an order or a parcel: a situation, the facts it rests on, next steps.

The rules that produce verdicts are in `bot.domain.readings`; this module holds their vocabulary
and the store's calendar (business days, cut-off, the end of a store day).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from bot.domain.orders import OrderStatus
from bot.domain.shipments import ShipmentStatus, StatusDetail
from bot.domain.store_policy import StorePolicy


class Situation(enum.StrEnum):
    """Where an order or a parcel stands, as the policy reads it."""

    PROCESSING = "processing"  # not shipped yet, within the ship window
    PROCESSING_LATE = "processing_late"  # not shipped yet, past the ship window
    ON_HOLD = "on_hold"
    BACKORDERED = "backordered"
    CANCELLED = "cancelled"
    NO_TRACKING = "no_tracking"  # the carrier knows nothing of the parcel yet
    LABEL_CREATED = "label_created"
    FORGOTTEN_LABEL = "forgotten_label"  # a label, and no carrier scan for too long
    IN_TRANSIT = "in_transit"  # moving and on time
    LATE = "late"  # past the promised window (plus grace)
    TRENDING_LATE = "trending_late"  # the estimate moved past the promised window
    STALLED = "stalled"
    LIKELY_LOST = "likely_lost"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ATTEMPT_FAILED = "attempt_failed"
    READY_FOR_PICKUP = "ready_for_pickup"
    RETURNED_TO_SENDER = "returned_to_sender"
    ADDRESS_PROBLEM = "address_problem"
    CARRIER_EXCEPTION = "carrier_exception"
    DELIVERED = "delivered"
    NOT_RECEIVED_WAIT = "not_received_wait"  # delivered scan, not found, inside the wait window
    NOT_RECEIVED_CLAIM = "not_received_claim"  # after the wait window, a claim may be made
    NOT_RECEIVED_CLAIM_CLOSED = "not_received_claim_closed"
    DAMAGED = "damaged"  # a claim may be made
    DAMAGED_CLAIM_CLOSED = "damaged_claim_closed"


class Step(enum.StrEnum):
    """What happens next, from the shopper's side."""

    WAIT = "wait"
    WAIT_LATE = "wait_late"
    WATCH_TODAY = "watch_today"
    PICK_UP = "pick_up"
    REDELIVERY = "redelivery"
    FIX_ADDRESS = "fix_address"
    CHECK_AROUND = "check_around"
    CHECK_BACK = "check_back"
    INVESTIGATE = "investigate"  # the store asks the carrier or the warehouse
    OPEN_CLAIM = "open_claim"
    SEND_PHOTOS = "send_photos"
    MAY_CANCEL = "may_cancel"
    RETURNING = "returning"
    HAND_OFF = "hand_off"  # a person decides


class DeliveryPlace(enum.StrEnum):
    """Where the carrier says it left the parcel."""

    DOOR = "door"
    SAFE_PLACE = "safe_place"
    NEIGHBOUR = "neighbour"
    MAILROOM = "mailroom"
    SIGNED_FOR = "signed_for"
    UNSPECIFIED = "unspecified"


class Check(enum.StrEnum):
    """One item of the look-around checklist for a parcel delivered but not found."""

    LOOK_AROUND_DOOR = "look_around_door"
    CHECK_SAFE_PLACES = "check_safe_places"
    ASK_NEIGHBOURS = "ask_neighbours"
    CHECK_MAILROOM = "check_mailroom"
    ASK_WHO_SIGNED = "ask_who_signed"
    ASK_HOUSEHOLD = "ask_household"
    CHECK_ADDRESS = "check_address"


class EstimateSource(enum.StrEnum):
    """Where an expected date comes from."""

    CARRIER = "carrier"
    PROMISED_WINDOW = "promised_window"
    SHIP_WINDOW = "ship_window"
    BACKORDER = "backorder"


class Rule(enum.StrEnum):
    """A rule of the policy that a verdict rests on."""

    SHIP_WINDOW = "ship_window"
    GRACE = "lateness_grace"
    STALLED_DOMESTIC = "stalled_domestic"
    STALLED_INTERNATIONAL = "stalled_international"
    CARRIER_ESTIMATE = "carrier_estimate"  # the carrier's estimated day has passed
    PAST_ESTIMATE = "past_estimate"
    LIKELY_LOST = "likely_lost"
    FORGOTTEN_LABEL = "forgotten_label"
    PICKUP_HOLD = "pickup_hold"
    DELIVERED_WAIT = "delivered_wait"
    NOT_RECEIVED_CLAIM = "not_received_claim"
    DAMAGED_CLAIM = "damaged_claim"


@dataclass(frozen=True)
class StatusFact:
    """The status the verdict read (the parcel's, or the order's when nothing shipped)."""

    status: ShipmentStatus | OrderStatus
    detail: StatusDetail | str | None = None


@dataclass(frozen=True)
class ScanFact:
    """The latest scan: when and where."""

    at: datetime
    place: str
    description: str = ""


@dataclass(frozen=True)
class EstimateFact:
    """The expected day, and whether the carrier or the store's promise says so."""

    day: date
    source: EstimateSource


@dataclass(frozen=True)
class RuleFact:
    """A rule that applied: its threshold, counted from `since`, reached at `deadline`."""

    rule: Rule
    threshold: timedelta
    since: datetime
    carrier: str | None = None  # the carrier whose own threshold applied; None: the store's

    @property
    def deadline(self) -> datetime:
        """When the threshold is (or was) reached."""
        return self.since + self.threshold


Fact = StatusFact | ScanFact | EstimateFact | RuleFact
F = TypeVar("F", StatusFact, ScanFact, EstimateFact, RuleFact)


@dataclass(frozen=True)
class Verdict:
    """The policy's reading of one parcel (or of an order's unshipped part)."""

    situation: Situation
    facts: tuple[Fact, ...]
    steps: tuple[Step, ...]
    tracking_number: str | None = None
    cause: StatusDetail | None = None  # the latest delay the carrier reported
    revised_date: date | None = None
    place: DeliveryPlace | None = None
    checklist: tuple[Check, ...] = ()
    check_back_at: datetime | None = None
    claim_until: datetime | None = None
    photos_required: bool = False

    def fact(self, kind: type[F]) -> F | None:
        """The first fact of a kind, if the verdict rests on one."""
        return next((f for f in self.facts if isinstance(f, kind)), None)


def end_of_day(policy: StorePolicy, day: date) -> datetime:
    """The instant a store day ends (midnight, store time)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=policy.zone)


def store_day(policy: StorePolicy, moment: datetime) -> date:
    """The store's calendar day at an instant."""
    return moment.astimezone(policy.zone).date()


def is_business_day(policy: StorePolicy, day: date) -> bool:
    """Monday to Friday, not a holiday of the policy."""
    return day.weekday() < 5 and day not in policy.ship_window.holidays


def ship_by(policy: StorePolicy, placed_at: datetime) -> datetime:
    """When an order must have shipped: the end of the Nth business day after its order day."""
    local = placed_at.astimezone(policy.zone)
    day = local.date()
    if not is_business_day(policy, day) or local.time() >= policy.ship_window.cutoff:
        day = _next_business_day(policy, day)
    for _ in range(policy.ship_window.business_days):
        day = _next_business_day(policy, day)
    return end_of_day(policy, day)


def _next_business_day(policy: StorePolicy, day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(policy, day):
        day += timedelta(days=1)
    return day
