from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.domain.orders import Address, DeliveryWindow
from bot.domain.policy import NextStep, assess
from bot.domain.shipments import ShipmentStatus, StatusDetail, TrackingEvent
from bot.domain.store_policy import DEFAULT_POLICY
from tests.unit.builders import NOW, order, tracking


def test_a_parcel_inside_its_window_is_on_track() -> None:
    result = assess(order(), tracking(), NOW)
    assert not result.late and not result.stuck
    assert result.next_step is NextStep.WAIT


def test_a_parcel_past_its_promised_date_is_late() -> None:
    overdue = order(promised_delivery=DeliveryWindow(date(2026, 11, 16), date(2026, 11, 18)))
    result = assess(overdue, tracking(eta=None), NOW)
    assert result.late
    assert result.next_step is NextStep.WAIT_LATE


def test_an_estimate_after_the_window_is_late_already() -> None:
    assert assess(order(), tracking(eta=date(2026, 11, 24)), NOW).late


def test_a_delivered_parcel_is_never_late() -> None:
    overdue = order(promised_delivery=DeliveryWindow(date(2026, 11, 10), date(2026, 11, 12)))
    result = assess(overdue, tracking(ShipmentStatus.DELIVERED), NOW)
    assert not result.late
    assert result.next_step is NextStep.CHECK_AROUND


def test_the_latest_delay_reported_is_the_reason() -> None:
    base = tracking()
    weather = TrackingEvent(
        NOW - timedelta(days=1),
        ShipmentStatus.IN_TRANSIT,
        StatusDetail.WEATHER_DELAY,
        "Weather delay",
    )
    customs = TrackingEvent(
        NOW - timedelta(hours=1),
        ShipmentStatus.IN_TRANSIT,
        StatusDetail.CUSTOMS_DELAY,
        "Held in customs",
    )
    with_delays = replace(base, events=(weather, customs))
    assert assess(order(), with_delays, NOW).delay_reason is StatusDetail.CUSTOMS_DELAY


def test_no_scan_for_days_in_transit_means_stuck_and_a_person_looks() -> None:
    result = assess(order(), tracking(hours_ago=24 * 6), NOW)
    assert result.stuck
    assert result.next_step is NextStep.INVESTIGATE


def test_each_status_leads_to_its_next_step() -> None:
    expected = {
        ShipmentStatus.OUT_FOR_DELIVERY: NextStep.WATCH_TODAY,
        ShipmentStatus.AVAILABLE_FOR_PICKUP: NextStep.PICK_UP,
        ShipmentStatus.ATTEMPT_FAILED: NextStep.REDELIVERY,
        ShipmentStatus.EXCEPTION: NextStep.INVESTIGATE,
        ShipmentStatus.RETURN_TO_SENDER: NextStep.RETURNING,
        ShipmentStatus.UNKNOWN: NextStep.CHECK_BACK,
    }
    for status, step in expected.items():
        assert assess(order(), tracking(status), NOW).next_step is step, status


def test_assess_follows_the_policy_it_is_given() -> None:
    quiet = tracking(hours_ago=24 * 4 + 1)
    assert assess(order(), quiet, NOW).stuck
    patient = replace(
        DEFAULT_POLICY, stalled=replace(DEFAULT_POLICY.stalled, domestic=timedelta(days=5))
    )
    assert not assess(order(), quiet, NOW, patient).stuck


def test_an_international_parcel_is_stuck_only_after_the_international_threshold() -> None:
    abroad = order(shipping_address=Address("1 Rue", "Paris", "75001", "FR"))
    assert not assess(abroad, tracking(hours_ago=24 * 7 - 1), NOW).stuck
    assert assess(abroad, tracking(hours_ago=24 * 7 + 1), NOW).stuck


def test_grace_days_keep_a_parcel_on_time_a_day_longer() -> None:
    just_past = order(promised_delivery=DeliveryWindow(date(2026, 11, 17), date(2026, 11, 19)))
    lenient = replace(DEFAULT_POLICY, grace=timedelta(days=1))
    assert assess(just_past, tracking(eta=None), NOW).late
    assert not assess(just_past, tracking(eta=None), NOW, lenient).late
