"""The support team's hours, the queue's wait, and the hand-off service over fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.access import Client, Level
from bot.domain.clock import Clock
from bot.domain.tickets import TicketState, Trigger, parse_hours, wait_minutes
from bot.services.wismo import Wismo
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
from tests.unit.fake_tickets import NEW_YORK, THANKSGIVING, FakeTickets, make_handoff, team_hours

PARCEL = "1Z999AA10123456784"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def test_the_team_is_open_on_a_weekday_afternoon_and_closed_after_six() -> None:
    hours = team_hours()
    assert hours.is_open(at("2026-11-20T15:00"))  # Friday
    assert not hours.is_open(at("2026-11-20T18:00"))
    assert not hours.is_open(at("2026-11-21T11:00"))  # Saturday


def test_after_friday_closing_the_team_is_back_monday_at_nine() -> None:
    assert team_hours().next_opening(at("2026-11-20T18:30")) == at("2026-11-23T09:00")


def test_the_team_is_closed_on_a_holiday_and_back_the_next_working_day() -> None:
    hours = team_hours(THANKSGIVING)
    assert not hours.is_open(at("2026-11-26T10:00"))
    assert hours.next_opening(at("2026-11-25T19:00")) == at("2026-11-27T09:00")


def test_opening_hours_follow_the_wall_clock_across_a_dst_change() -> None:
    hours = team_hours()
    # Daylight saving ends on Sunday, November 1, 2026: 9 am Monday is 14:00 UTC, not 13:00.
    monday = hours.next_opening(datetime(2026, 10, 31, 12, 0, tzinfo=UTC))
    assert monday is not None and monday.astimezone(UTC) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert not hours.is_open(datetime(2026, 11, 2, 13, 30, tzinfo=UTC))
    assert hours.is_open(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


def test_support_hours_are_read_from_a_short_weekly_schedule() -> None:
    shifts = parse_hours("mon-fri 09:00-18:00; sat 10:00-14:00")
    assert len(shifts) == 6 and shifts[-1].weekday == 5
    for bad in ("", "mon-fri 9-18", "fri-mon 09:00-18:00", "mon 18:00-09:00", "xyz 09:00-10:00"):
        with pytest.raises(ValueError):
            parse_hours(bad)


def test_the_wait_is_the_tickets_ahead_times_the_minutes_each_takes() -> None:
    assert wait_minutes(0, 10) == 0
    assert wait_minutes(3, 10) == 30
    assert wait_minutes(2, 7.5) == 15


def handoff_for(tickets: FakeTickets, level: Level | None = Level.STATUS):  # type: ignore[no-untyped-def]
    orders = FakeOrders([order()])
    access = make_access(orders)
    if level is not None:
        grant(access, "WM-104233", level)
    wismo = Wismo(
        orders, FakeCarrier({PARCEL: tracking()}), Clock(NOW), timedelta(0), access=access
    )
    return make_handoff(access, wismo, tickets)


def test_asking_twice_in_one_conversation_makes_one_ticket() -> None:
    tickets = FakeTickets()
    handoff = handoff_for(tickets)
    first = handoff.hand_off(CLIENT, Trigger.ASKED, "WM-104233", ["Hi!"], NOW)
    again = handoff.hand_off(CLIENT, Trigger.FRUSTRATED, "WM-104233", ["Hi!"], NOW)
    assert again.ticket.reference == first.ticket.reference
    assert len(tickets.kept) == 1 and tickets.kept[0].trigger is Trigger.ASKED


def test_a_conversation_whose_ticket_was_closed_gets_a_new_one() -> None:
    tickets = FakeTickets()
    handoff = handoff_for(tickets)
    first = handoff.hand_off(CLIENT, Trigger.ASKED, None, [], NOW).ticket
    tickets.kept[0] = first.__class__(**{**first.__dict__, "state": TicketState.CLOSED})
    assert (
        handoff.hand_off(CLIENT, Trigger.ASKED, None, [], NOW).ticket.reference != first.reference
    )


def test_the_place_and_wait_come_from_the_open_tickets_ahead() -> None:
    tickets = FakeTickets()
    handoff = handoff_for(tickets)
    for n in range(2):
        other = Client("rest", f"other-{n}", f"s-{n}")
        handoff.hand_off(other, Trigger.ASKED, None, [], NOW - timedelta(minutes=5 - n))
    result = handoff.hand_off(CLIENT, Trigger.ASKED, None, [], NOW)
    assert (result.open_now, result.place, result.wait_minutes) == (True, 3, 20)


def test_outside_hours_the_result_says_when_the_team_is_back() -> None:
    friday_evening = at("2026-11-20T19:00")
    result = handoff_for(FakeTickets()).hand_off(CLIENT, Trigger.ASKED, None, [], friday_evening)
    assert not result.open_now and result.wait_minutes is None
    assert result.opens_at == at("2026-11-23T09:00")


def test_the_packet_has_the_orders_status_and_verification_level_but_no_personal_data() -> None:
    told = [
        "We'll send it to jane.doe@example.com",
        "Or call you at +1 415 555 0134",
        "It goes to 12 Elm Street, Springfield",
    ]
    result = handoff_for(FakeTickets(), Level.CHANGE).hand_off(
        CLIENT, Trigger.ASKED, "WM-104233", told, NOW
    )
    ticket = result.ticket
    assert (ticket.verified, ticket.how, ticket.order_number) == (True, "change", "WM-104233")
    parcel = ticket.packet["shipments"][0]
    assert parcel["status"] == "in_transit" and parcel["carrier"] == "UPS"
    text = str(ticket.packet)
    for secret in ("jane.doe@example.com", "415 555 0134", "12 Elm Street"):
        assert secret not in text
    assert "<email>" in text and "<phone>" in text and "<street>" in text


def test_an_order_the_shopper_did_not_prove_stays_out_of_the_packet() -> None:
    ticket = (
        handoff_for(FakeTickets(), level=None)
        .hand_off(CLIENT, Trigger.LOCKED_OUT, "WM-104233", [], NOW)
        .ticket
    )
    assert (ticket.verified, ticket.how, ticket.order_number) == (False, "none", None)
    assert "shipments" not in ticket.packet
