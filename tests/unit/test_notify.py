"""Proactive updates over in-memory ports: consent, one notice per change, sending."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.access import Level
from bot.domain.claims import CheckBack, CheckBackKind, Conversation
from bot.domain.errors import NotOrderOwner
from bot.domain.notices import MAX_ATTEMPTS, NoticeKind, NoticeState
from bot.domain.notices import Subscription as Sub
from bot.domain.shipments import ShipmentStatus
from bot.services.notify import Notifier, Updates
from tests.unit.builders import (
    CLIENT,
    NOW,
    FakeCarrier,
    FakeOrders,
    grant,
    make_access,
    order,
    tracking,
)
from tests.unit.fake_updates import FakeNotices, FakeSubscriptions, FakeTokens, FakeTrigger

PARCEL = "1Z999AA10123456784"
SMS = ("twilio", "sms:+14155550134")
WA = ("whatsapp_cloud", "wa:+14155550199")


@dataclass
class World:
    orders: FakeOrders
    carrier: FakeCarrier
    notices: FakeNotices
    subs: FakeSubscriptions
    trigger: FakeTrigger
    notifier: Notifier


@pytest.fixture
def world() -> World:
    orders = FakeOrders([order()])
    carrier = FakeCarrier({PARCEL: tracking(ShipmentStatus.OUT_FOR_DELIVERY, hours_ago=1)})
    notices, subs, trigger = FakeNotices(), FakeSubscriptions(), FakeTrigger()
    notifier = Notifier(orders, carrier, notices, subs, trigger)
    return World(orders, carrier, notices, subs, trigger, notifier)


def subscribe(world: World, channel_recipient: tuple[str, str], hours_ago: float = 24) -> None:
    world.subs.subscribe(Sub("WM-104233", *channel_recipient, NOW - timedelta(hours=hours_ago)))


def test_a_status_change_makes_one_notice_per_subscription(world: World) -> None:
    subscribe(world, SMS)
    subscribe(world, WA)
    change = tracking(ShipmentStatus.OUT_FOR_DELIVERY, hours_ago=1)
    assert world.notifier.record_change(PARCEL, change, NOW) == 2
    assert world.notifier.record_change(PARCEL, change, NOW, via="poll") == 0
    assert {(n.channel, n.recipient) for n in world.notices.kept} == {SMS, WA}
    assert world.notices.kept[0].facts["status"] == "out_for_delivery"


def test_the_same_change_after_a_restart_makes_no_second_notice(world: World) -> None:
    subscribe(world, SMS)
    change = tracking(ShipmentStatus.DELIVERED, hours_ago=1)
    world.notifier.record_change(PARCEL, change, NOW)
    world.notices.seen.clear()  # as if the process died before remembering the state
    world.notifier.record_change(PARCEL, change, NOW)
    assert len(world.notices.kept) == 1


def test_an_opted_out_shopper_gets_nothing(world: World) -> None:
    subscribe(world, SMS)
    world.subs.opt_out(*SMS, NOW)
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.DELIVERED, hours_ago=1), NOW)
    world.notifier.send_due(NOW)
    assert world.notices.kept == [] and world.trigger.calls == []


def test_stop_after_a_notice_was_queued_stops_it(world: World) -> None:
    subscribe(world, SMS)
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.DELIVERED, hours_ago=1), NOW)
    world.subs.opt_out(*SMS, NOW)
    world.notifier.send_due(NOW)
    assert world.trigger.calls == []
    assert world.notices.kept[0].state is NoticeState.FAILED


def test_changes_before_the_consent_are_not_told(world: World) -> None:
    subscribe(world, SMS, hours_ago=0.5)
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.IN_TRANSIT, hours_ago=3), NOW)
    assert world.notices.kept == []


def test_a_change_learnt_late_is_news_against_what_the_shopper_was_told(world: World) -> None:
    # The status answer saw the parcel in transit; the shopper subscribed half an hour
    # ago; the carrier now reports a scan from an hour ago: out for delivery. News.
    world.orders.save_snapshot(tracking(ShipmentStatus.IN_TRANSIT, hours_ago=3))
    subscribe(world, SMS, hours_ago=0.5)
    moved = tracking(ShipmentStatus.OUT_FOR_DELIVERY, hours_ago=1)
    assert world.notifier.record_change(PARCEL, moved, NOW) == 1
    # What the shopper was told already is no news.
    world.notices.kept.clear()
    world.notices.seen.clear()
    assert world.notifier.record_change(PARCEL, moved, NOW) == 0


def test_poll_finds_a_change_where_no_webhook_told(world: World) -> None:
    subscribe(world, SMS)
    assert world.notifier.poll(NOW) == 1
    assert world.notifier.poll(NOW + timedelta(minutes=1)) == 0  # polled lately: not again
    assert world.carrier.calls == 1


def test_a_due_notice_is_handed_to_rasa_once(world: World) -> None:
    subscribe(world, SMS)
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.DELIVERED, hours_ago=1), NOW)
    assert world.notifier.send_due(NOW) == 1
    assert world.notifier.send_due(NOW + timedelta(minutes=1)) == 0
    assert len(world.trigger.calls) == 1


def test_at_night_in_the_shoppers_zone_the_notice_waits_for_morning(world: World) -> None:
    subscribe(world, SMS)
    la = ZoneInfo("America/Los_Angeles")  # the order ships to San Francisco
    night = datetime(2026, 11, 20, 23, 0, tzinfo=la)
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.DELIVERED, hours_ago=1), NOW)
    world.notifier.send_due(night)
    assert world.trigger.calls == []
    assert world.notices.kept[0].state is NoticeState.DEFERRED
    assert world.notices.kept[0].next_attempt_at == datetime(2026, 11, 21, 8, 0, tzinfo=la)
    world.notifier.send_due(datetime(2026, 11, 21, 8, 0, tzinfo=la))
    assert len(world.trigger.calls) == 1


def test_a_failing_send_is_retried_with_backoff_then_failed(world: World) -> None:
    subscribe(world, SMS)
    world.trigger.failing = True
    world.notifier.record_change(PARCEL, tracking(ShipmentStatus.DELIVERED, hours_ago=1), NOW)
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        world.notifier.send_due(at)
        at = world.notices.kept[0].next_attempt_at
    notice = world.notices.kept[0]
    assert len(world.trigger.calls) == MAX_ATTEMPTS
    assert notice.state is NoticeState.FAILED and notice.last_error == "Rasa answered 500"
    world.notifier.send_due(at + timedelta(days=1))
    assert len(world.trigger.calls) == MAX_ATTEMPTS


def test_a_stalled_parcel_is_announced_once(world: World) -> None:
    subscribe(world, SMS)
    world.orders.save_snapshot(tracking(hours_ago=24 * 6))  # no scan for 6 days
    assert world.notifier.check_at_risk(NOW) == 1
    assert world.notifier.check_at_risk(NOW + timedelta(hours=1)) == 0
    notice = world.notices.kept[0]
    assert notice.kind is NoticeKind.AT_RISK and notice.facts["risk"] == "stalled"


def test_a_parcel_on_time_is_not_at_risk(world: World) -> None:
    subscribe(world, SMS)
    world.orders.save_snapshot(tracking(hours_ago=3))
    assert world.notifier.check_at_risk(NOW) == 0


def check_back(world: World, recipient: str | None) -> None:
    conversation = Conversation("twilio", "0" * 64)
    back = CheckBack("WM-104233", CheckBackKind.CLAIM_FOLLOW_UP, NOW, conversation, NOW)
    world.notices.check_backs.schedule(replace(back, recipient=recipient))


def test_a_due_check_back_is_queued_once_and_sent(world: World) -> None:
    check_back(world, SMS[1])
    assert world.notifier.queue_check_backs(NOW) == 1
    assert world.notifier.queue_check_backs(NOW) == 0
    world.notifier.send_due(NOW)
    assert [n.recipient for n in world.trigger.calls] == [SMS[1]]


def test_a_check_back_without_a_recipient_is_recorded_failed(world: World) -> None:
    check_back(world, None)
    world.notifier.queue_check_backs(NOW)
    world.notifier.send_due(NOW)
    assert world.trigger.calls == []
    assert world.notices.kept[0].state is NoticeState.FAILED
    assert "no recipient" in (world.notices.kept[0].last_error or "")


def updates(world: World) -> Updates:
    access = make_access(world.orders)
    return Updates(access, world.subs, world.notices, world.notices.check_backs, FakeTokens())


def test_subscribing_needs_a_status_grant_on_the_order(world: World) -> None:
    service = updates(world)
    with pytest.raises(NotOrderOwner):
        service.subscribe(CLIENT, "WM-104233", *SMS)
    grant(service.access, "WM-104233", Level.PARCEL)
    with pytest.raises(NotOrderOwner):
        service.subscribe(CLIENT, "WM-104233", *SMS)
    grant(service.access, "WM-104233", Level.STATUS)
    assert service.subscribe(CLIENT, "WM-104233", *SMS).active
    assert [s.order_number for s in service.subscribed(*SMS)] == ["WM-104233"]
    assert service.unsubscribe(*SMS, None) == 1
    assert service.subscribed(*SMS) == []


def test_a_notice_is_opened_only_by_its_recipient_and_claimed_once(world: World) -> None:
    check_back(world, SMS[1])
    world.notifier.queue_check_backs(NOW)
    service = updates(world)
    assert service.open_notice("t1", WA[1]) is None
    assert service.open_notice("forged", SMS[1]) is None
    assert service.open_notice("t1", SMS[1]) is not None
    assert service.claim(1) is True
    assert service.claim(1) is False
    assert service.open_notice("t1", SMS[1]) is None
    assert world.notices.check_backs.kept[0].sent_at is not None


def test_every_subscribed_order_is_polled_however_many_there_are(world: World) -> None:
    # 250 subscribed orders, 100 a round: in three rounds each is looked at.
    for n in range(250):
        number = f"WM-{200000 + n}"
        world.orders.orders.append(order(number))
        world.subs.subscribe(Sub(number, "twilio", f"sms:+1415555{n:04d}", NOW))
    seen: set[str] = set()
    for _ in range(3):
        seen |= {o.order_number for o in world.notifier._watched("poll")}
    assert len(seen) == 250
