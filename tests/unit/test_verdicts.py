"""Parcel and order verdicts at the edges of each rule: a minute before, a minute after."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from bot.domain.orders import (
    Address,
    Customer,
    DeliveryWindow,
    Item,
    Order,
    OrderStatus,
    Shipment,
    ShipmentItem,
)
from bot.domain.readings import order_verdicts, parcel_verdict
from bot.domain.shipments import Location, ShipmentStatus, StatusDetail, Tracking, TrackingEvent
from bot.domain.store_policy import DEFAULT_POLICY, ClaimType, StorePolicy
from bot.domain.verdicts import (
    Check,
    DeliveryPlace,
    EstimateFact,
    EstimateSource,
    Rule,
    RuleFact,
    ScanFact,
    Situation,
    Step,
    Verdict,
    ship_by,
)

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EST)  # a Friday
MINUTE = timedelta(minutes=1)
P = DEFAULT_POLICY
PARCEL = Shipment("ups", "1Z1", NOW - timedelta(days=3), items=(ShipmentItem("TENT", 1),))


def order(**changes: object) -> Order:
    base = Order(
        "WM-1",
        NOW - timedelta(days=4),
        OrderStatus.FULFILLED,
        Customer("Jane Doe", "jane@example.com"),
        Address("1 Main St", "Springfield", "12345", "US"),
        items=(Item("TENT", "Tent", 1, Decimal("189.00"), "USD"),),
        shipments=(PARCEL,),
        promised_delivery=DeliveryWindow(date(2026, 11, 19), date(2026, 11, 21)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def tracked(
    status: ShipmentStatus,
    last_scan: datetime,
    detail: StatusDetail | None = None,
    eta: date | None = None,
    carrier: str = "ups",
) -> Tracking:
    event = TrackingEvent(last_scan, status, detail, "scan", Location("Memphis", "TN"))
    return Tracking(carrier, "1Z1", status, detail, eta, (event,))


def read(
    tracking: Tracking | None,
    now: datetime,
    policy: StorePolicy = P,
    reported: ClaimType | None = None,
    **order_changes: object,
) -> Verdict:
    shipment = replace(PARCEL, carrier=tracking.carrier) if tracking else PARCEL
    return parcel_verdict(policy, order(**order_changes), shipment, tracking, now, reported)


def in_transit(quiet: timedelta, carrier: str = "ups", **order_changes: object) -> Situation:
    scan = NOW - quiet
    return read(
        tracked(ShipmentStatus.IN_TRANSIT, scan, carrier=carrier),
        NOW,
        **order_changes,  # type: ignore[arg-type]
    ).situation


# --- shipping window -------------------------------------------------------------------


def test_ship_by_is_the_end_of_the_second_business_day_before_the_cutoff() -> None:
    monday_morning = datetime(2026, 11, 16, 13, 59, tzinfo=EST)
    assert ship_by(P, monday_morning) == datetime(2026, 11, 19, 0, 0, tzinfo=P.zone)


def test_an_order_after_the_cutoff_counts_from_the_next_business_day() -> None:
    monday_afternoon = datetime(2026, 11, 16, 14, 1, tzinfo=EST)
    assert ship_by(P, monday_afternoon) == datetime(2026, 11, 20, 0, 0, tzinfo=P.zone)


def test_weekends_and_holidays_are_not_business_days() -> None:
    tuesday_before_thanksgiving = datetime(2026, 11, 24, 10, 0, tzinfo=EST)
    # Wed 25 is day 1, Thu 26 is Thanksgiving, Fri 27 is day 2.
    assert ship_by(P, tuesday_before_thanksgiving) == datetime(2026, 11, 28, 0, 0, tzinfo=P.zone)
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=EST)
    assert ship_by(P, saturday) == datetime(2026, 11, 26, 0, 0, tzinfo=P.zone)  # day 0 Mon, 2 Wed


def test_processing_is_within_the_window_until_a_minute_before_it_ends() -> None:
    placed = datetime(2026, 11, 16, 10, 0, tzinfo=EST)
    unshipped = order(status=OrderStatus.PROCESSING, shipments=(), placed_at=placed)
    deadline = ship_by(P, placed)
    (before,) = order_verdicts(P, unshipped, (), deadline - MINUTE)
    (after,) = order_verdicts(P, unshipped, (), deadline + MINUTE)
    assert before.situation is Situation.PROCESSING
    assert after.situation is Situation.PROCESSING_LATE
    assert after.fact(EstimateFact) == EstimateFact(date(2026, 11, 18), EstimateSource.SHIP_WINDOW)


def test_on_hold_backordered_and_cancelled_orders_say_so() -> None:
    held = order(status=OrderStatus.ON_HOLD, shipments=())
    back = order(status=OrderStatus.BACKORDERED, shipments=(), backorder_until=date(2026, 12, 1))
    gone = order(status=OrderStatus.CANCELLED)
    assert order_verdicts(P, held, (), NOW)[0].situation is Situation.ON_HOLD
    (backordered,) = order_verdicts(P, back, (), NOW)
    assert backordered.situation is Situation.BACKORDERED
    assert backordered.fact(EstimateFact) == EstimateFact(
        date(2026, 12, 1), EstimateSource.BACKORDER
    )
    assert [v.situation for v in order_verdicts(P, gone, (), NOW)] == [Situation.CANCELLED]


def test_a_split_order_has_a_verdict_per_parcel_and_one_for_the_rest() -> None:
    two_items = (
        Item("TENT", "Tent", 1, Decimal("189.00"), "USD"),
        Item("STOVE", "Stove", 1, Decimal("49.00"), "USD"),
    )
    split = order(status=OrderStatus.PARTIALLY_FULFILLED, items=two_items)
    moving = tracked(ShipmentStatus.IN_TRANSIT, NOW - timedelta(hours=3), eta=date(2026, 11, 21))
    situations = [v.situation for v in order_verdicts(P, split, (moving,), NOW)]
    assert situations == [Situation.IN_TRANSIT, Situation.PROCESSING_LATE]


# --- forgotten label ---------------------------------------------------------------------


def test_a_label_is_forgotten_a_minute_after_three_days_without_a_carrier_scan() -> None:
    label = NOW - timedelta(days=3)
    before = read(
        tracked(ShipmentStatus.PRE_TRANSIT, label, StatusDetail.LABEL_CREATED),
        label + timedelta(days=3) - MINUTE,
    )
    after = read(
        tracked(ShipmentStatus.PRE_TRANSIT, label, StatusDetail.LABEL_CREATED),
        label + timedelta(days=3) + MINUTE,
    )
    assert before.situation is Situation.LABEL_CREATED
    assert after.situation is Situation.FORGOTTEN_LABEL
    assert after.fact(RuleFact) == RuleFact(Rule.FORGOTTEN_LABEL, timedelta(days=3), label)


def test_no_tracking_yet_means_check_back() -> None:
    fresh = replace(PARCEL, shipped_at=NOW - timedelta(hours=2))
    verdict = parcel_verdict(P, order(), fresh, None, NOW)
    assert verdict.situation is Situation.NO_TRACKING
    assert verdict.steps == (Step.CHECK_BACK,)


# --- stalled, likely lost ------------------------------------------------------------------


def test_a_domestic_parcel_stalls_after_four_days_without_a_scan() -> None:
    assert in_transit(timedelta(days=4) - MINUTE) is Situation.IN_TRANSIT
    assert in_transit(timedelta(days=4) + MINUTE) is Situation.STALLED


def test_an_international_parcel_stalls_after_seven_days() -> None:
    abroad = Address("1 Rue", "Paris", "75001", "FR")
    assert (
        in_transit(timedelta(days=7) - MINUTE, shipping_address=abroad, promised_delivery=None)
        is Situation.IN_TRANSIT
    )
    assert (
        in_transit(timedelta(days=7) + MINUTE, shipping_address=abroad, promised_delivery=None)
        is Situation.STALLED
    )


def test_a_carriers_own_international_threshold_applies() -> None:
    abroad = Address("1 Str", "Berlin", "10115", "DE")
    days = timedelta(days=10)
    assert (
        in_transit(days - MINUTE, "dhl", shipping_address=abroad, promised_delivery=None)
        is Situation.IN_TRANSIT
    )
    verdict = read(
        tracked(ShipmentStatus.IN_TRANSIT, NOW - days - MINUTE, carrier="dhl"),
        NOW,
        shipping_address=abroad,
        promised_delivery=None,
    )
    assert verdict.situation is Situation.STALLED
    assert verdict.fact(RuleFact) == RuleFact(
        Rule.STALLED_INTERNATIONAL, days, NOW - days - MINUTE, "dhl"
    )


def test_a_parcel_is_likely_lost_after_ten_days_without_a_scan() -> None:
    assert in_transit(timedelta(days=10) - MINUTE) is Situation.STALLED
    assert in_transit(timedelta(days=10) + MINUTE) is Situation.LIKELY_LOST


def test_a_carriers_own_wait_before_lost_applies() -> None:
    assert in_transit(timedelta(days=15) - MINUTE, "usps") is Situation.STALLED
    assert in_transit(timedelta(days=15) + MINUTE, "usps") is Situation.LIKELY_LOST


def test_a_parcel_48_hours_past_its_estimated_day_is_stalled() -> None:
    eta = date(2026, 11, 18)
    day_ends = datetime(2026, 11, 19, 0, 0, tzinfo=P.zone)
    scan = day_ends + timedelta(hours=47)  # recent enough not to trip the no-scan rule
    moving = tracked(ShipmentStatus.IN_TRANSIT, scan, eta=eta)
    window = DeliveryWindow(date(2026, 11, 25), date(2026, 11, 30))
    before = read(moving, day_ends + timedelta(hours=48) - MINUTE, promised_delivery=window)
    after = read(moving, day_ends + timedelta(hours=48) + MINUTE, promised_delivery=window)
    assert before.situation is Situation.LATE  # past the carrier's date, not yet for 48 hours
    assert after.situation is Situation.STALLED
    assert after.fact(RuleFact) == RuleFact(Rule.PAST_ESTIMATE, timedelta(hours=48), day_ends)


def test_a_parcel_is_late_from_the_first_minute_after_the_carriers_estimated_day() -> None:
    eta = date(2026, 11, 18)
    day_ends = datetime(2026, 11, 19, 0, 0, tzinfo=P.zone)
    moving = tracked(ShipmentStatus.IN_TRANSIT, day_ends - timedelta(hours=5), eta=eta)
    window = DeliveryWindow(date(2026, 11, 25), date(2026, 11, 30))  # the promise still holds
    before = read(moving, day_ends - MINUTE, promised_delivery=window)
    after = read(moving, day_ends + MINUTE, promised_delivery=window)
    assert before.situation is Situation.IN_TRANSIT
    assert after.situation is Situation.LATE
    assert after.fact(RuleFact) == RuleFact(Rule.CARRIER_ESTIMATE, timedelta(0), day_ends)


# --- late, trending late ----------------------------------------------------------------


def test_a_parcel_is_late_from_the_first_minute_after_the_window() -> None:
    window_ends = datetime(2026, 11, 22, 0, 0, tzinfo=P.zone)
    moving = tracked(
        ShipmentStatus.IN_TRANSIT, window_ends - timedelta(hours=2), eta=date(2026, 11, 21)
    )
    assert read(moving, window_ends - MINUTE).situation is Situation.IN_TRANSIT
    assert read(moving, window_ends + MINUTE).situation is Situation.LATE


def test_grace_days_push_lateness_back() -> None:
    lenient = replace(P, grace=timedelta(days=1))
    grace_ends = datetime(2026, 11, 23, 0, 0, tzinfo=P.zone)
    moving = tracked(
        ShipmentStatus.IN_TRANSIT, grace_ends - timedelta(hours=2), eta=date(2026, 11, 21)
    )
    assert read(moving, grace_ends - MINUTE, lenient).situation is Situation.IN_TRANSIT
    assert read(moving, grace_ends + MINUTE, lenient).situation is Situation.LATE


def test_a_late_parcel_gives_its_delay_cause_and_revised_date() -> None:
    window_ends = datetime(2026, 11, 22, 0, 0, tzinfo=P.zone)
    moving = tracked(
        ShipmentStatus.IN_TRANSIT,
        window_ends - timedelta(hours=1),
        StatusDetail.WEATHER_DELAY,
        eta=date(2026, 11, 24),
    )
    verdict = read(moving, window_ends + MINUTE)
    assert verdict.situation is Situation.LATE
    assert (verdict.cause, verdict.revised_date) == (StatusDetail.WEATHER_DELAY, date(2026, 11, 24))
    assert verdict.steps == (Step.WAIT_LATE,)


def test_an_estimate_moved_past_the_window_is_trending_late() -> None:
    on_time = tracked(ShipmentStatus.IN_TRANSIT, NOW - timedelta(hours=1), eta=date(2026, 11, 21))
    slipped = tracked(
        ShipmentStatus.IN_TRANSIT,
        NOW - timedelta(hours=1),
        StatusDetail.CUSTOMS_DELAY,
        eta=date(2026, 11, 22),
    )
    assert read(on_time, NOW).situation is Situation.IN_TRANSIT
    verdict = read(slipped, NOW)
    assert verdict.situation is Situation.TRENDING_LATE
    assert (verdict.cause, verdict.revised_date) == (StatusDetail.CUSTOMS_DELAY, date(2026, 11, 22))


def test_a_verdict_rests_on_the_status_last_scan_and_estimate() -> None:
    scan = NOW - timedelta(hours=1)
    verdict = read(tracked(ShipmentStatus.IN_TRANSIT, scan, eta=date(2026, 11, 21)), NOW)
    assert verdict.fact(ScanFact) == ScanFact(scan, "Memphis, TN", "scan")
    assert verdict.fact(EstimateFact) == EstimateFact(date(2026, 11, 21), EstimateSource.CARRIER)
    no_eta = read(tracked(ShipmentStatus.IN_TRANSIT, scan), NOW)
    assert no_eta.fact(EstimateFact) == EstimateFact(
        date(2026, 11, 21), EstimateSource.PROMISED_WINDOW
    )


# --- the last mile ----------------------------------------------------------------------


def test_each_last_mile_status_has_its_situation() -> None:
    recent = NOW - timedelta(hours=1)
    expected = {
        (ShipmentStatus.OUT_FOR_DELIVERY, None): Situation.OUT_FOR_DELIVERY,
        (
            ShipmentStatus.ATTEMPT_FAILED,
            StatusDetail.RECIPIENT_UNAVAILABLE,
        ): Situation.ATTEMPT_FAILED,
        (ShipmentStatus.ATTEMPT_FAILED, StatusDetail.ADDRESS_ISSUE): Situation.ADDRESS_PROBLEM,
        (ShipmentStatus.EXCEPTION, StatusDetail.ADDRESS_ISSUE): Situation.ADDRESS_PROBLEM,
        (ShipmentStatus.AVAILABLE_FOR_PICKUP, None): Situation.READY_FOR_PICKUP,
        (ShipmentStatus.RETURN_TO_SENDER, StatusDetail.RETURNED): Situation.RETURNED_TO_SENDER,
        (ShipmentStatus.EXCEPTION, StatusDetail.REFUSED): Situation.RETURNED_TO_SENDER,
        (ShipmentStatus.EXCEPTION, StatusDetail.LOST): Situation.LIKELY_LOST,
        (ShipmentStatus.EXCEPTION, StatusDetail.HELD_AT_FACILITY): Situation.CARRIER_EXCEPTION,
        (ShipmentStatus.EXCEPTION, StatusDetail.WEATHER_DELAY): Situation.IN_TRANSIT,
    }
    for (status, detail), situation in expected.items():
        got = read(tracked(status, recent, detail, eta=date(2026, 11, 21)), NOW).situation
        assert got is situation, (status, detail)


def test_a_delivered_parcel_says_where_it_was_left() -> None:
    places = {
        StatusDetail.DELIVERED_TO_DOOR: DeliveryPlace.DOOR,
        StatusDetail.DELIVERED_TO_SAFE_PLACE: DeliveryPlace.SAFE_PLACE,
        StatusDetail.DELIVERED_TO_NEIGHBOR: DeliveryPlace.NEIGHBOUR,
        StatusDetail.DELIVERED_TO_MAILROOM: DeliveryPlace.MAILROOM,
        StatusDetail.SIGNED_FOR: DeliveryPlace.SIGNED_FOR,
        None: DeliveryPlace.UNSPECIFIED,
    }
    for detail, place in places.items():
        verdict = read(tracked(ShipmentStatus.DELIVERED, NOW - timedelta(hours=1), detail), NOW)
        assert (verdict.situation, verdict.place) == (Situation.DELIVERED, place)


# --- delivered but not received, damaged -----------------------------------------------


def not_received(
    after: timedelta, carrier: str = "ups", detail: StatusDetail | None = None
) -> Verdict:
    delivered = NOW - timedelta(days=40)
    scan = tracked(ShipmentStatus.DELIVERED, delivered, detail, carrier=carrier)
    return read(scan, delivered + after, reported=ClaimType.NOT_RECEIVED)


def test_not_received_within_36_hours_means_look_around_and_check_back() -> None:
    verdict = not_received(
        timedelta(hours=35, minutes=59), detail=StatusDetail.DELIVERED_TO_NEIGHBOR
    )
    assert verdict.situation is Situation.NOT_RECEIVED_WAIT
    assert verdict.check_back_at == NOW - timedelta(days=40) + timedelta(hours=36)
    assert verdict.checklist[0] is Check.ASK_NEIGHBOURS
    assert verdict.steps == (Step.CHECK_AROUND, Step.CHECK_BACK)


def test_not_received_after_36_hours_is_a_claim() -> None:
    verdict = not_received(timedelta(hours=36, minutes=1))
    assert verdict.situation is Situation.NOT_RECEIVED_CLAIM
    assert verdict.claim_until == NOW - timedelta(days=40) + timedelta(days=30)
    assert verdict.steps == (Step.OPEN_CLAIM,)


def test_a_carriers_own_wait_applies_to_not_received() -> None:
    assert (
        not_received(timedelta(hours=47, minutes=59), "usps").situation
        is Situation.NOT_RECEIVED_WAIT
    )
    verdict = not_received(timedelta(hours=48, minutes=1), "usps")
    assert verdict.situation is Situation.NOT_RECEIVED_CLAIM


def test_the_not_received_claim_closes_after_30_days() -> None:
    assert not_received(timedelta(days=30) - MINUTE).situation is Situation.NOT_RECEIVED_CLAIM
    assert (
        not_received(timedelta(days=30) + MINUTE).situation is Situation.NOT_RECEIVED_CLAIM_CLOSED
    )


def test_damaged_may_be_claimed_for_14_days_with_photos() -> None:
    delivered = NOW - timedelta(days=20)
    scan = tracked(ShipmentStatus.DELIVERED, delivered, StatusDetail.DELIVERED_TO_DOOR)
    within = read(scan, delivered + timedelta(days=14) - MINUTE, reported=ClaimType.DAMAGED)
    after = read(scan, delivered + timedelta(days=14) + MINUTE, reported=ClaimType.DAMAGED)
    assert within.situation is Situation.DAMAGED
    assert within.photos_required and within.steps == (Step.SEND_PHOTOS, Step.OPEN_CLAIM)
    assert after.situation is Situation.DAMAGED_CLAIM_CLOSED


def test_a_carrier_reported_damage_is_a_claim_without_the_shopper_saying_so() -> None:
    verdict = read(
        tracked(ShipmentStatus.EXCEPTION, NOW - timedelta(days=1), StatusDetail.DAMAGED), NOW
    )
    assert verdict.situation is Situation.DAMAGED
