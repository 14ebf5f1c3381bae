"""The access service: what a check proves, how long, and what failed checks cost."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.access import Client, Level
from bot.domain.errors import NotOrderOwner
from bot.domain.identity import Factor, FactorKind, OrderRef, RefKind
from tests.unit.builders import (
    CLIENT,
    NOW,
    FakeOrders,
    TickingClock,
    make_access,
    order,
)

JANE = Factor(FactorKind.EMAIL, "jane.doe@example.com")
ZIP = Factor(FactorKind.POSTAL_CODE, "94107")
NUMBER = OrderRef(RefKind.ORDER_NUMBER, "WM-104233")
TRACKING = OrderRef(RefKind.TRACKING_NUMBER, "1Z999AA10123456784")


def jane_orders() -> FakeOrders:
    older = order("WM-100001", placed_at=NOW - timedelta(days=30))
    return FakeOrders([order(), older, order("WM-200002", email="other@example.com")])


def wrong(n: int = 0) -> Factor:
    return Factor(FactorKind.POSTAL_CODE, f"{10000 + n}")


def test_order_number_and_email_grant_the_change_level_and_the_siblings_status() -> None:
    access = make_access(jane_orders())
    assert access.verify(CLIENT, NUMBER, JANE).proven == ("WM-104233", "WM-100001")
    grants = access.grants(CLIENT)
    assert grants["WM-104233"].level is Level.CHANGE
    assert grants["WM-100001"].level is Level.STATUS
    assert "WM-200002" not in grants


def test_a_tracking_number_and_postal_code_grant_only_that_parcel() -> None:
    access = make_access(jane_orders())
    assert access.verify(CLIENT, TRACKING, ZIP).proven == ("WM-104233",)
    grant = access.grants(CLIENT)["WM-104233"]
    assert grant.level is Level.PARCEL and grant.tracking_number == TRACKING.value
    assert access.granted_orders(CLIENT) == []  # no contents, no history
    with pytest.raises(NotOrderOwner):
        access.grant_for(CLIENT, "WM-104233", Level.STATUS)


def test_a_grant_belongs_to_its_client_and_conversation_only() -> None:
    access = make_access(jane_orders())
    access.verify(CLIENT, NUMBER, ZIP)
    for other in (
        replace(CLIENT, subject="session-2"),  # the same sender id from another session
        replace(CLIENT, conversation="shopper-2"),
        replace(CLIENT, channel="twilio"),
    ):
        with pytest.raises(NotOrderOwner):
            access.grant_for(other, "WM-104233", Level.PARCEL)
    assert access.grant_for(CLIENT, "WM-104233", Level.STATUS).order_number == "WM-104233"


def test_a_grant_expires_after_its_idle_time_and_use_keeps_it_alive() -> None:
    clock = TickingClock()
    access = make_access(jane_orders(), clock, idle=timedelta(minutes=15))
    access.verify(CLIENT, NUMBER, ZIP)
    clock.at += timedelta(minutes=14)
    assert "WM-104233" in access.grants(CLIENT)  # used: idle time starts again
    clock.at += timedelta(minutes=14, seconds=59)
    assert "WM-104233" in access.grants(CLIENT)
    clock.at += timedelta(minutes=15, seconds=1)
    assert access.grants(CLIENT) == {}


def test_a_wrong_factor_and_an_unknown_order_look_the_same() -> None:
    access = make_access(jane_orders())
    bad = access.verify(CLIENT, NUMBER, Factor(FactorKind.EMAIL, "mallory@example.com"))
    unknown = access.verify(
        replace(CLIENT, subject="s2", conversation="c2"),
        OrderRef(RefKind.ORDER_NUMBER, "WM-999999"),
        JANE,
    )
    assert bad == unknown and bad.proven == () and not bad.locked


def test_the_conversation_is_locked_after_its_failures_and_new_ids_do_not_reset_the_order() -> None:
    access = make_access(jane_orders(), per_conversation=3, per_client=3, per_reference=5)
    results = [access.verify(CLIENT, NUMBER, wrong(n)) for n in range(3)]
    assert [r.locked for r in results] == [False, False, True]
    assert access.verify(CLIENT, NUMBER, ZIP).locked  # even the right factor: nothing revealed
    # A fresh sender id and session (what /restart or a new client gives) still hits the order's
    # own count: two more failures lock the order number for everyone.
    fresh = [replace(CLIENT, conversation=f"c{n}", subject=f"s{n}") for n in range(3)]
    assert not access.verify(fresh[0], NUMBER, wrong(7)).locked
    assert access.verify(fresh[1], NUMBER, wrong(8)).locked
    assert access.verify(fresh[2], NUMBER, ZIP) == access.verify(fresh[2], NUMBER, wrong(9))


def test_a_sweep_of_order_numbers_from_one_address_is_cut_off() -> None:
    orders = jane_orders()
    orders.orders.append(order("WM-200600"))  # ships to 94107: what the sweep is after
    access = make_access(orders, per_address=20)
    proven = []
    for n in range(1000):
        client = Client("rest", f"sweep-{n}", f"s-{n}", "203.0.113.9")
        ref = OrderRef(RefKind.ORDER_NUMBER, f"WM-{200100 + n:06d}")
        result = access.verify(client, ref, ZIP)
        proven += result.proven
        if result.locked:
            break
    assert n < 25 and proven == []
    assert access.verify(Client("rest", "x", "y", "203.0.113.9"), NUMBER, ZIP).locked


def test_failures_are_forgotten_after_the_window() -> None:
    clock = TickingClock()
    access = make_access(jane_orders(), clock, per_conversation=3, per_client=3)
    for n in range(3):
        access.verify(CLIENT, NUMBER, wrong(n))
    assert access.is_locked(CLIENT)
    clock.at += timedelta(minutes=15, seconds=1)
    assert not access.is_locked(CLIENT)
    assert access.verify(CLIENT, NUMBER, ZIP).proven == ("WM-104233",)


def test_an_email_given_as_the_factor_is_counted_across_orders() -> None:
    access = make_access(
        jane_orders(),
        per_email=5,
        per_reference=99,
        per_client=99,
        per_conversation=99,
        per_address=99,
    )
    guess = Factor(FactorKind.EMAIL, "victim@example.com")
    results = [
        access.verify(CLIENT, OrderRef(RefKind.ORDER_NUMBER, f"WM-{300000 + n}"), guess)
        for n in range(5)
    ]
    assert results[-1].locked and not results[-2].locked


def test_a_client_the_channel_did_not_vouch_for_never_matches_a_grant() -> None:
    access = make_access(jane_orders())
    access.verify(CLIENT, NUMBER, ZIP)
    assert access.already_proven(CLIENT, TRACKING) == "WM-104233"
    assert access.already_proven(replace(CLIENT, subject="forged"), NUMBER) is None


def test_a_one_time_code_grants_the_change_level_once() -> None:
    orders = jane_orders()
    access = make_access(orders)
    access.send_code(CLIENT, NUMBER)
    assert access.mailer is not None
    to, subject, body = access.mailer.sent[-1]  # type: ignore[attr-defined]
    assert to == "jane.doe@example.com" and "WM-104233" in subject
    code = next(word.rstrip(".") for word in body.split() if word.rstrip(".").isdigit())
    assert access.confirm_code(CLIENT, NUMBER, code).proven == ("WM-104233",)
    assert access.grants(CLIENT)["WM-104233"].level is Level.CHANGE
    other = replace(CLIENT, conversation="c2")
    assert access.confirm_code(other, NUMBER, code).proven == ()  # bound to the conversation
    assert access.confirm_code(CLIENT, NUMBER, code).proven == ()  # used up


def test_a_code_expires_and_a_wrong_code_counts_as_a_failure() -> None:
    clock = TickingClock()
    access = make_access(jane_orders(), clock, per_conversation=3, per_client=3)
    access.send_code(CLIENT, NUMBER)
    body = access.mailer.sent[-1][2]  # type: ignore[union-attr, attr-defined]
    code = next(word.rstrip(".") for word in body.split() if word.rstrip(".").isdigit())
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    assert access.confirm_code(CLIENT, NUMBER, wrong_code).proven == ()
    clock.at += timedelta(minutes=10, seconds=1)
    assert access.confirm_code(CLIENT, NUMBER, code).proven == ()  # expired
    assert access.confirm_code(CLIENT, NUMBER, wrong_code).locked  # third failure


def test_codes_are_sent_only_for_real_orders_and_a_few_per_window() -> None:
    access = make_access(jane_orders(), codes_per_order=3)
    unknown = access.send_code(CLIENT, OrderRef(RefKind.ORDER_NUMBER, "WM-999999"))
    known = access.send_code(CLIENT, NUMBER)
    assert unknown == known  # the shopper hears the same either way
    for _ in range(5):
        access.send_code(CLIENT, NUMBER)
    assert len(access.mailer.sent) == 3  # type: ignore[union-attr, attr-defined]


def test_every_check_lasts_at_least_the_floor() -> None:
    access = make_access(jane_orders())
    access.floor_seconds = 0.03
    started = time.monotonic()
    access.verify(CLIENT, OrderRef(RefKind.ORDER_NUMBER, "WM-999999"), ZIP)
    assert time.monotonic() - started >= 0.03
