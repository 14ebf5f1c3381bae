"""Every situation the store's policy tells apart has a showcase order in the demo.

The demo goes the way `make run` serves it: the document is imported
(`parse_document`), the sandbox carrier renders each parcel as an EasyPost
tracker as it stands at "now" (`render_tracker`), the EasyPost parser reads it
back (`parse_tracker`), and the policy of policy/store.yml reads the order
(`order_verdicts`, and for changes and claims `may_cancel`, `may_change_address`,
`claim_decision`). No I/O beyond reading the policy file and the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.carriers.easypost.parse import parse_tracker
from bot.adapters.carriers.sandbox.wire import render_tracker
from bot.adapters.policy_file import load_policy
from bot.config import DEFAULT_STORE_POLICY
from bot.demo import SCENARIOS, build_demo
from bot.demo.scenarios import POLICY_CASES, SHOWCASE
from bot.domain.changes import ChangeReason, may_cancel, may_change_address
from bot.domain.claim_rules import ClaimReason, claim_decision
from bot.domain.orders import Order
from bot.domain.readings import order_verdicts
from bot.domain.shipments import ShipmentStatus, StatusDetail, Tracking
from bot.domain.store_policy import Alternative, ClaimType
from bot.domain.verdicts import DeliveryPlace, Rule, RuleFact, Situation, Verdict
from bot.services.changes import order_value
from bot.services.importing import parse_document
from tests.support import chat

POLICY = load_policy(DEFAULT_STORE_POLICY)
NOW = datetime.fromisoformat(chat.NOW)  # the conversation tests' clock: a Friday, 3 pm
STORE = ZoneInfo("America/New_York")
README = Path(__file__).resolve().parents[2] / "README.md"

S = Situation
NOT_RECEIVED, DAMAGED = ClaimType.NOT_RECEIVED, ClaimType.DAMAGED

# Each showcase order: what the shopper reports (None: just "where is it?") and the
# situation of each verdict (one per parcel, then one for what has not shipped).
EXPECTED: dict[str, tuple[ClaimType | None, tuple[Situation, ...]]] = {
    "in_transit": (None, (S.IN_TRANSIT,)),
    "out_for_delivery": (None, (S.OUT_FOR_DELIVERY,)),
    "delivered_signed_for": (None, (S.DELIVERED,)),
    "delivered_missing": (NOT_RECEIVED, (S.NOT_RECEIVED_CLAIM,)),
    "late_weather": (None, (S.LATE,)),
    "late_carrier_delay": (None, (S.LATE,)),
    "late_customs": (None, (S.LATE,)),
    "stuck": (None, (S.STALLED,)),
    "not_tracked": (None, (S.NO_TRACKING,)),
    "no_estimate": (None, (S.IN_TRANSIT,)),
    "pre_transit": (None, (S.LABEL_CREATED,)),
    "processing": (None, (S.PROCESSING,)),
    "on_hold": (None, (S.ON_HOLD,)),
    "backordered": (None, (S.BACKORDERED,)),
    "partially_fulfilled": (None, (S.IN_TRANSIT, S.PROCESSING)),
    "cancelled": (None, (S.CANCELLED,)),
    "split_shipment": (None, (S.DELIVERED, S.IN_TRANSIT)),
    "split_shipment_half_delivered": (None, (S.DELIVERED, S.IN_TRANSIT)),
    "attempt_failed": (None, (S.ATTEMPT_FAILED,)),
    "available_for_pickup": (None, (S.READY_FOR_PICKUP,)),
    "address_issue": (None, (S.ADDRESS_PROBLEM,)),
    "damaged": (None, (S.DAMAGED,)),  # the carrier's own damage scan
    "lost": (None, (S.LIKELY_LOST,)),  # the carrier's own "lost" exception
    "returned": (None, (S.RETURNED_TO_SENDER,)),
    # Scanned on its way, then a status the carrier does not explain: still on its way.
    "unknown_status": (None, (S.IN_TRANSIT,)),
    "international_uk": (None, (S.IN_TRANSIT,)),
    "unknown_detail": (None, (S.IN_TRANSIT,)),
    "delivered_mailroom": (None, (S.DELIVERED,)),
    # bot/demo/scenarios.py POLICY_CASES
    "processing_late": (None, (S.PROCESSING_LATE,)),
    "forgotten_label": (None, (S.FORGOTTEN_LABEL,)),
    "trending_late": (None, (S.TRENDING_LATE,)),
    "late_revised_date": (None, (S.LATE,)),
    "stalled_past_estimate": (None, (S.STALLED,)),
    "likely_lost_no_scans": (None, (S.LIKELY_LOST,)),
    "carrier_exception": (None, (S.CARRIER_EXCEPTION,)),
    "delivered_not_received_wait": (NOT_RECEIVED, (S.NOT_RECEIVED_WAIT,)),
    "delivered_not_received_wait_usps": (NOT_RECEIVED, (S.NOT_RECEIVED_WAIT,)),
    "claim_window_closed": (NOT_RECEIVED, (S.NOT_RECEIVED_CLAIM_CLOSED,)),
    "damaged_on_arrival": (DAMAGED, (S.DAMAGED,)),
    "damaged_high_value": (DAMAGED, (S.DAMAGED,)),
    "cancellable": (None, (S.PROCESSING,)),
    "address_change": (None, (S.PROCESSING,)),
    "not_cancellable": (None, (S.IN_TRANSIT,)),
}
# Second readings of the same orders, for situations no other order shows.
ALSO: tuple[tuple[str, ClaimType | None, tuple[Situation, ...]], ...] = (
    ("claim_window_closed", DAMAGED, (S.DAMAGED_CLAIM_CLOSED,)),
    ("delivered_missing", DAMAGED, (S.DAMAGED,)),
    ("delivered_not_received_wait", None, (S.DELIVERED,)),
)
READINGS = tuple((name, *expected) for name, expected in EXPECTED.items()) + ALSO


@dataclass(frozen=True)
class Demo:
    """The demo as the assistant sees it at `now`: orders, and what the carrier answers."""

    now: datetime
    orders: dict[str, Order]
    carrier: dict[str, Tracking]  # by tracking number

    def order(self, name: str) -> Order:
        return self.orders[SCENARIOS[name]]

    def trackings(self, name: str) -> tuple[Tracking, ...]:
        return tuple(self.carrier[s.tracking_number] for s in self.order(name).shipments)

    def verdicts(self, name: str, reported: ClaimType | None = None) -> tuple[Verdict, ...]:
        order = self.order(name)
        return order_verdicts(POLICY, order, self.trackings(name), self.now, reported)

    def situations(self, name: str, reported: ClaimType | None = None) -> tuple[Situation, ...]:
        return tuple(v.situation for v in self.verdicts(name, reported))


@cache
def demo_at(now: datetime) -> Demo:
    batch = parse_document(build_demo(now))
    imported = {(t.carrier, t.tracking_number): t for t in batch.trackings}
    carrier = {
        s.tracking_number: parse_tracker(
            render_tracker(
                s.carrier, s.tracking_number, imported.get((s.carrier, s.tracking_number)), now
            ),
            fetched_at=now,
        )
        for order in batch.orders
        for s in order.shipments
    }
    return Demo(now, {o.order_number: o for o in batch.orders}, carrier)


def _only_verdict(name: str, reported: ClaimType | None = None) -> Verdict:
    (verdict,) = demo_at(NOW).verdicts(name, reported)
    return verdict


def _rule(verdict: Verdict) -> RuleFact:
    rule = verdict.fact(RuleFact)
    assert rule is not None
    return rule


def _delivered_at(tracking: Tracking) -> datetime:
    return next(e.time for e in tracking.events if e.status is ShipmentStatus.DELIVERED)


# --- coverage


def test_every_showcase_order_has_an_expected_situation() -> None:
    assert not set(SHOWCASE) & set(POLICY_CASES)
    assert set(EXPECTED) == set(SCENARIOS)


def test_every_situation_of_the_policy_has_a_showcase_order() -> None:
    shown = {situation for _, _, situations in READINGS for situation in situations}
    assert shown == set(Situation)


@pytest.mark.parametrize(("name", "reported", "situations"), READINGS)
def test_showcase_order_is_in_its_situation_at_the_conversation_tests_now(
    name: str, reported: ClaimType | None, situations: tuple[Situation, ...]
) -> None:
    assert demo_at(NOW).situations(name, reported) == situations


# Store-time instants where the calendar matters: just after and before midnight and either
# side of the 14:00 cut-off on each day of a week, the policy's holidays, both DST changes.
# (Every day of 2026 and 2027 at five such times passed when POLICY_CASES was written.)
def _store(day: str, at: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{at}").replace(tzinfo=STORE)


_WEEK = [f"2026-11-{d}" for d in range(16, 23)]  # Monday to Sunday around NOW
_HOLIDAYS = ["2026-11-25", "2026-11-26", "2026-12-24", "2026-12-31", "2027-01-01"]
OTHER_NOWS = [
    *(_store(day, at) for day in _WEEK for at in ("00:01", "13:59", "14:01", "23:59")),
    *(_store(day, at) for day in _HOLIDAYS for at in ("09:00", "14:01")),
    _store("2026-03-08", "03:30"),  # the clocks went forward at 2 am
    _store("2026-11-01", "01:30"),  # the hour that happens twice
    _store("2027-07-04", "12:00"),
]


@pytest.mark.parametrize(
    "now",
    [*OTHER_NOWS, datetime.now(UTC).replace(second=0, microsecond=0)],
    ids=[*(n.isoformat() for n in OTHER_NOWS), "the real clock"],
)
def test_every_showcase_order_is_in_its_situation_on_any_day(now: datetime) -> None:
    demo = demo_at(now)
    wrong = {
        (name, reported): demo.situations(name, reported)
        for name, reported, situations in READINGS
        if demo.situations(name, reported) != situations
    }
    assert not wrong


# --- what sets the new showcase orders apart from the older ones


def test_stuck_is_stalled_by_the_domestic_no_scan_rule() -> None:
    rule = _rule(_only_verdict("stuck"))
    assert (rule.rule, rule.threshold, rule.carrier) == (
        Rule.STALLED_DOMESTIC,
        timedelta(days=4),
        None,
    )
    assert timedelta(days=6) <= NOW - rule.since < timedelta(days=7)


def test_stalled_past_estimate_was_scanned_lately_but_its_estimated_day_is_long_gone() -> None:
    verdict = _only_verdict("stalled_past_estimate")
    assert _rule(verdict).rule is Rule.PAST_ESTIMATE
    (tracking,) = demo_at(NOW).trackings("stalled_past_estimate")
    assert tracking.last_event is not None
    assert NOW - tracking.last_event.time < POLICY.stalled.domestic


def test_likely_lost_no_scans_is_the_stores_silence_rule_not_a_carrier_exception() -> None:
    rule = _rule(_only_verdict("likely_lost_no_scans"))
    assert (rule.rule, rule.threshold, rule.carrier) == (
        Rule.LIKELY_LOST,
        timedelta(days=10),
        None,
    )
    (tracking,) = demo_at(NOW).trackings("likely_lost_no_scans")
    assert (tracking.carrier, tracking.status) == ("ups", ShipmentStatus.IN_TRANSIT)
    assert NOW - rule.since > timedelta(days=12)
    assert _only_verdict("lost").fact(RuleFact) is None  # the carrier said "lost" itself


def test_late_revised_date_has_no_cause_and_a_new_date_from_today() -> None:
    verdict = _only_verdict("late_revised_date")
    assert verdict.cause is None
    assert verdict.revised_date == NOW.date() + timedelta(days=1)
    assert _only_verdict("late_weather").cause is StatusDetail.WEATHER_DELAY


def test_trending_late_expects_a_day_after_the_promised_window() -> None:
    verdict = _only_verdict("trending_late")
    window = demo_at(NOW).order("trending_late").promised_delivery
    assert window is not None and window.latest >= NOW.date()
    assert verdict.revised_date is not None and verdict.revised_date > window.latest


def test_forgotten_label_has_only_a_label_older_than_three_days() -> None:
    verdict = _only_verdict("forgotten_label")
    (tracking,) = demo_at(NOW).trackings("forgotten_label")
    assert tracking.status is ShipmentStatus.PRE_TRANSIT and len(tracking.events) == 1
    assert _rule(verdict).rule is Rule.FORGOTTEN_LABEL


def test_delivered_not_received_waits_36_hours_at_the_door_and_48_with_usps() -> None:
    door = _only_verdict("delivered_not_received_wait", NOT_RECEIVED)
    assert door.place is DeliveryPlace.DOOR and door.checklist
    assert _rule(door).threshold == timedelta(hours=36) and _rule(door).carrier is None
    usps = _only_verdict("delivered_not_received_wait_usps", NOT_RECEIVED)
    wait = _rule(usps)
    assert (wait.threshold, wait.carrier) == (timedelta(hours=48), "usps")
    assert NOW - wait.since > timedelta(hours=36)  # UPS would take the claim already


# --- changes and claims (the policy's decisions beyond the situation)


def test_cancellable_and_address_change_have_nothing_shipped() -> None:
    demo = demo_at(NOW)
    cancel = may_cancel(POLICY, demo.order("cancellable"), NOW, demo.trackings("cancellable"))
    move = may_change_address(
        POLICY, demo.order("address_change"), NOW, demo.trackings("address_change")
    )
    assert cancel.allowed and cancel.reason is ChangeReason.NOT_SHIPPED
    assert move.allowed and move.reason is ChangeReason.NOT_SHIPPED


def test_not_cancellable_has_shipped_and_offers_the_alternatives() -> None:
    demo = demo_at(NOW)
    order, trackings = demo.order("not_cancellable"), demo.trackings("not_cancellable")
    cancel = may_cancel(POLICY, order, NOW, trackings)
    assert not cancel.allowed and cancel.reason is ChangeReason.SHIPPED
    assert cancel.alternatives == (Alternative.REFUSE_DELIVERY, Alternative.RETURN)
    move = may_change_address(POLICY, order, NOW, trackings)
    assert move.alternatives == (Alternative.CARRIER_REDIRECT, Alternative.REFUSE_DELIVERY)


@pytest.mark.parametrize(
    ("name", "claim", "reason", "person"),
    [
        ("damaged_on_arrival", DAMAGED, ClaimReason.IN_WINDOW, False),
        ("damaged_high_value", DAMAGED, ClaimReason.OVER_VALUE, True),
        ("delivered_not_received_wait", NOT_RECEIVED, ClaimReason.TOO_EARLY, False),
        ("delivered_not_received_wait_usps", NOT_RECEIVED, ClaimReason.TOO_EARLY, False),
        ("claim_window_closed", NOT_RECEIVED, ClaimReason.TOO_LATE, False),
        ("claim_window_closed", DAMAGED, ClaimReason.TOO_LATE, False),
    ],
)
def test_claims_on_delivered_showcase_orders(
    name: str, claim: ClaimType, reason: ClaimReason, person: bool
) -> None:
    demo = demo_at(NOW)
    order = demo.order(name)
    (tracking,) = demo.trackings(name)
    decision = claim_decision(
        POLICY,
        order,
        claim,
        NOW,
        _delivered_at(tracking),
        0,
        order_value(order),
        carrier=tracking.carrier,
    )
    assert (decision.reason, decision.needs_person) == (reason, person)


def test_damaged_claims_are_worth_less_and_more_than_a_person_threshold() -> None:
    demo = demo_at(NOW)
    small = order_value(demo.order("damaged_on_arrival"))
    large = order_value(demo.order("damaged_high_value"))
    assert small <= POLICY.refunds.person_above < large


def test_the_processing_shopper_has_several_orders_for_the_email_path() -> None:
    demo = demo_at(NOW)
    email = demo.order("processing").customer.email
    assert sum(o.customer.email == email for o in demo.orders.values()) >= 3


def test_policy_case_shoppers_have_one_order_each() -> None:
    demo = demo_at(NOW)
    emails = [o.customer.email for o in demo.orders.values()]
    for name in POLICY_CASES:
        assert emails.count(demo.order(name).customer.email) == 1, name


# --- the README's tour


_ROW = re.compile(r"\| [^|]+ \| (WM-\d{6}) \| ([^|]+) \| ([^|]+) \|")  # situation, order, ...


def test_the_readme_tour_gives_each_orders_own_email_and_zip() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    rows = [m.groups() for m in map(_ROW.match, lines) if m]
    assert len(rows) >= 30
    demo = demo_at(NOW)
    for number, email, postal_code in rows:
        order = demo.orders[number]
        assert number in SCENARIOS.values()
        assert (email, postal_code) == (order.customer.email, order.shipping_address.postal_code)
    assert {number for number, _, _ in rows} >= {SCENARIOS[name] for name in POLICY_CASES}
