"""The rules of proactive messages: keys, quiet hours, time zones, retries."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.notices import (
    MAX_ATTEMPTS,
    NoticeKind,
    QuietHours,
    Zones,
    backoff,
    notice_key,
    status_change,
    status_facts,
)
from bot.domain.orders import Address
from bot.domain.shipments import Location, ShipmentStatus, StatusDetail, Tracking, TrackingEvent

LA = ZoneInfo("America/Los_Angeles")
T0 = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def scan(hours: float, status: ShipmentStatus, detail: str | None = None) -> TrackingEvent:
    return TrackingEvent(T0 + timedelta(hours=hours), status, detail, "scan", Location("Reno"))


def parcel(*events: TrackingEvent) -> Tracking:
    last = events[-1]
    return Tracking("ups", "1Z1", last.status, last.detail, None, events)


def test_the_same_change_has_one_key_however_it_is_learnt() -> None:
    moving = parcel(scan(0, ShipmentStatus.PRE_TRANSIT), scan(1, ShipmentStatus.IN_TRANSIT))
    later = parcel(*moving.events, scan(5, ShipmentStatus.IN_TRANSIT, "arrival_scan"))
    assert status_change(moving).key == status_change(later).key


def test_a_new_status_or_a_delay_is_a_new_change() -> None:
    moving = parcel(scan(0, ShipmentStatus.IN_TRANSIT))
    delayed = parcel(*moving.events, scan(2, ShipmentStatus.IN_TRANSIT, "weather_delay"))
    out = parcel(*delayed.events, scan(4, ShipmentStatus.OUT_FOR_DELIVERY))
    keys = {status_change(t).key for t in (moving, delayed, out)}
    assert len(keys) == 3
    assert status_change(delayed).detail is StatusDetail.WEATHER_DELAY


def test_notice_keys_differ_per_recipient_and_hide_the_phone() -> None:
    one = notice_key(NoticeKind.STATUS_CHANGE, "1Z1|delivered", "twilio", "sms:+15551234567")
    two = notice_key(NoticeKind.STATUS_CHANGE, "1Z1|delivered", "twilio", "sms:+15557654321")
    assert one != two
    assert "5551234567" not in one


def test_facts_are_words_ready_and_carry_no_address_line() -> None:
    facts = status_facts(parcel(scan(0, ShipmentStatus.OUT_FOR_DELIVERY)), "UPS")
    assert facts == {"status": "out_for_delivery", "carrier": "UPS", "city": "Reno"}


def test_a_message_at_23_00_in_los_angeles_waits_until_08_00_there() -> None:
    eleven_pm = datetime(2026, 12, 3, 23, 0, tzinfo=LA)
    allowed = QuietHours().next_allowed(eleven_pm, LA)
    assert allowed == datetime(2026, 12, 4, 8, 0, tzinfo=LA)


def test_after_midnight_it_waits_until_08_00_the_same_day() -> None:
    early = datetime(2026, 12, 4, 2, 30, tzinfo=LA)
    assert QuietHours().next_allowed(early, LA) == datetime(2026, 12, 4, 8, 0, tzinfo=LA)


def test_in_the_day_a_message_goes_at_once() -> None:
    noon = datetime(2026, 12, 4, 12, 0, tzinfo=LA)
    assert QuietHours().next_allowed(noon, LA) == noon
    assert QuietHours(time(0, 0), time(0, 0)).quiet_at(time(3, 0)) is False


def test_the_shoppers_zone_comes_from_the_shipping_address() -> None:
    zones = Zones("America/New_York")
    california = Address("1 Main St", "Oakland", "94607", "US", region="CA")
    alberta = Address("1 Main St", "Calgary", "T2P 1J9", "CA", region="AB")
    assert zones.of(california) == LA
    assert zones.of(alberta) == ZoneInfo("America/Edmonton")
    assert zones.of(Address("1 High St", "Leeds", "LS1", "GB")) == ZoneInfo("Europe/London")
    assert zones.of(Address("x", "y", "z", "ZZ")) == ZoneInfo("America/New_York")
    assert zones.of(None) == ZoneInfo("America/New_York")


def test_failed_sends_back_off_then_give_up() -> None:
    waits = [backoff(n, T0) for n in range(1, MAX_ATTEMPTS + 1)]
    assert [w - T0 for w in waits[:-1] if w] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
    ]
    assert waits[-1] is None
