"""One conversation per WISMO situation, over the REST channel with the trained model.

Each test asks about the demo order of one situation (README's "Tour of the demo",
bot/demo/scenarios.py) and checks the whole answer line by line: the facts and the
next step, as domain.yml's responses worded with the order's values (`said`), so a
reply that drops a fact, adds a wrong one or ends without a next step fails. Where a
change is made (a cancellation, a new address, a claim, a promised check-back), the
stack's order store is read to see it; where none may be made, to see nothing changed.

Proof comes two ways: the order's ZIP (the status level: a one-time code is mailed
before any change, and read from the development mailbox's log) or the order's email
(the change level at once: no code is asked).

Tests share one stack. A test that changes an order uses an order no other test reads
in a way that would break (cancel: "cancellable", address: "address_change"); claim
tests each use their own order and remove the claims they filed when they end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import Engine, create_engine, delete, select
from sqlalchemy.orm import Session

from bot.adapters.db.models import CheckBackRow, ClaimRow, OrderChangeRow, OrderRow, TicketRow
from bot.demo import SCENARIOS
from tests.conversations.test_journeys import ORDERS
from tests.support.chat import Chat
from tests.support.stack import ROOT, Stack

pytestmark = pytest.mark.conversation

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
STORE_TIME = ZoneInfo("America/New_York")
CLAIM_REFERENCE = re.compile(r"\bclaim (CL-[0-9A-Z]{6}) on order\b")
TALK_TO_A_PERSON = "Talk to a person"
T = TypeVar("T")


# What the bot says ------------------------------------------------------------------------


def said(response: str, **values: str) -> str:
    """A response of domain.yml as the REST channel sends it, filled with `values`.

    Every variable of the response must be given: a value the test does not know is a
    fact it does not check.
    """
    texts = [variation["text"] for variation in RESPONSES[response] if "channel" not in variation]
    assert len(texts) == 1, f"{response}: {len(texts)} variations for the REST channel"
    missing = set(re.findall(r"{(\w+)}", texts[0])) - set(values)
    assert not missing, f"{response} needs {sorted(missing)}"
    return str(texts[0]).format(**values)


def button_titles(chat: Chat) -> list[str]:
    return [str(button["title"]) for button in chat.buttons()]


def number_of(scenario: str) -> str:
    return SCENARIOS[scenario]


def email(number: str) -> str:
    return str(ORDERS[number]["customer"]["email"])


def postal_code(number: str) -> str:
    return str(ORDERS[number]["shipping_address"]["postal_code"])


def tracking_number(number: str, parcel: int = 0) -> str:
    return str(ORDERS[number]["shipments"][parcel]["tracking_number"])


def day(when: date) -> str:
    """A date as the bot writes it: "Monday, November 16"."""
    return f"{when:%A, %B} {when.day}"


def headline(number: str, count: int = 1) -> str:
    """The answer's first line about a shipped order: number, day placed, destination."""
    order = ORDERS[number]
    placed = datetime.fromisoformat(order["placed_at"]).astimezone(STORE_TIME).date()
    address = order["shipping_address"]
    destination = ", ".join(p for p in (address["city"], address["region"]) if p)
    values = {"order_number": number, "placed": day(placed), "destination": destination}
    if count == 1:
        return said("utter_order_single", **values)
    return said("utter_order_overview", **values, count=str(count))


ANYTHING_ELSE = said("utter_anything_else")
INVESTIGATE = said("utter_step_investigate")
HAND_OFF = said("utter_step_hand_off")
WAIT = said("utter_step_wait")
WAIT_LATE = said("utter_step_wait_late")


def look_up(chat: Chat, opener: str, number: str, proof: str) -> str:
    """Ask, give the order number when asked, then the proof when asked; the answer."""
    assert chat.say(opener) == said("utter_ask_order_ref")
    assert chat.say(number) == said("utter_ask_proof_for_order")
    return chat.say(proof)


def by_zip(chat: Chat, opener: str, number: str) -> str:
    """A lookup proven with the ZIP: the status level, so a change needs a one-time code."""
    return look_up(chat, opener, number, postal_code(number))


def by_email(chat: Chat, opener: str, number: str) -> str:
    """A lookup proven with the order's email: the change level at once."""
    return look_up(chat, opener, number, email(number))


def claim_in(text: str) -> str:
    found = CLAIM_REFERENCE.search(text)
    assert found, f"no claim reference in {text!r}"
    return found.group(1)


# The order store -------------------------------------------------------------------------


@pytest.fixture
def store(stack: Stack) -> Iterator[Engine]:
    """The stack's order store."""
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        yield engine
    finally:
        engine.dispose()


def read(store: Engine, query: Callable[[Session], T]) -> T:
    with Session(store) as session:
        return query(session)


def assert_handed_to_the_team(store: Engine, line: str, number: str) -> None:
    """The line tells a ticket's reference and place, and the ticket is the policy's."""
    found = re.search(r"HD-[A-Z0-9]{6}", line)
    assert found and "queue" in line, line
    query = select(TicketRow).where(TicketRow.reference == found[0])
    ticket = read(store, lambda s: s.scalars(query).one())
    assert (ticket.trigger, ticket.order_number) == ("policy", number)


def order_row(store: Engine, number: str) -> OrderRow:
    return read(store, lambda s: s.scalars(select(OrderRow).filter_by(order_number=number)).one())


def claims(store: Engine, number: str) -> list[ClaimRow]:
    return read(store, lambda s: list(s.scalars(select(ClaimRow).filter_by(order_number=number))))


def changes(store: Engine, number: str) -> list[OrderChangeRow]:
    return read(
        store, lambda s: list(s.scalars(select(OrderChangeRow).filter_by(order_number=number)))
    )


def check_backs(store: Engine, number: str) -> list[CheckBackRow]:
    return read(
        store, lambda s: list(s.scalars(select(CheckBackRow).filter_by(order_number=number)))
    )


def remove_claims(store: Engine, number: str) -> None:
    """The order's claims and the check-backs promised for them, gone."""
    with Session(store) as session, session.begin():
        filed = select(ClaimRow.reference).filter_by(order_number=number)
        session.execute(delete(CheckBackRow).where(CheckBackRow.claim_reference.in_(filed)))
        session.execute(delete(ClaimRow).filter_by(order_number=number))


@pytest.fixture
def claim_order(store: Engine) -> Iterator[Callable[[str], str]]:
    """Marks an order as this test's to file claims on: no claim on it before or after."""
    used: list[str] = []

    def claim_on(number: str) -> str:
        remove_claims(store, number)
        used.append(number)
        return number

    yield claim_on
    for number in used:
        remove_claims(store, number)


# Not shipped yet ------------------------------------------------------------------------


def test_processing_inside_the_ship_window_gives_the_ship_by_day_and_the_promise(
    chat: Chat,
) -> None:
    number = number_of("processing")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        said(
            "utter_pending_processing_promised",
            order_number=number,
            placed="Friday, November 20",
            eta="Tuesday, November 24",
            promised_from="Tuesday, November 24",
            promised="Friday, November 27",
        ),
        ANYTHING_ELSE,
    ]


def test_processing_past_the_ship_window_apologises_and_offers_a_person(chat: Chat) -> None:
    number = number_of("processing_late")
    answer = by_email(chat, "why hasn't it shipped?", number)
    assert answer.splitlines() == [
        said(
            "utter_pending_processing_late",
            order_number=number,
            placed="Friday, November 13",
            eta="Tuesday, November 17",
        ),
        INVESTIGATE,
        ANYTHING_ELSE,
    ]
    assert TALK_TO_A_PERSON in button_titles(chat)


def test_on_hold_says_what_it_means_and_offers_a_person(chat: Chat) -> None:
    number = number_of("on_hold")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        said("utter_pending_on_hold", order_number=number),
        HAND_OFF,
        ANYTHING_ELSE,
    ]
    assert TALK_TO_A_PERSON in button_titles(chat)


def test_backordered_gives_the_stock_date_and_the_choice_to_wait_or_cancel(chat: Chat) -> None:
    number = number_of("backordered")
    answer = by_zip(chat, "when will it ship?", number)
    assert answer.splitlines() == [
        said(
            "utter_pending_backordered",
            order_number=number,
            items="22 L daypack",
            eta="Sunday, November 29",
        ),
        said("utter_step_may_cancel"),
        ANYTHING_ELSE,
    ]
    assert {"title": "Cancel the order", "payload": "/cancel_order"} in chat.buttons()


def test_a_cancelled_order_says_it_wont_ship(chat: Chat) -> None:
    number = number_of("cancelled")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        said("utter_order_cancelled", order_number=number),
        ANYTHING_ELSE,
    ]


# A label, but no scan ------------------------------------------------------------------


def test_a_fresh_label_is_on_track(chat: Chat) -> None:
    number = number_of("pre_transit")
    answer = by_zip(chat, "has it shipped?", number)
    assert answer.splitlines() == [
        headline(number),
        said("utter_parcel_pre_transit", carrier="UPS", ago="3 hours ago"),
        said("utter_verdict_label_created", carrier="UPS"),
        WAIT,
        ANYTHING_ELSE,
    ]


def test_a_label_never_scanned_for_4_days_is_a_forgotten_label_for_a_person(chat: Chat) -> None:
    number = number_of("forgotten_label")
    answer = by_email(chat, "has it shipped?", number)
    assert answer.splitlines() == [
        headline(number),
        said("utter_parcel_pre_transit", carrier="USPS", ago="4 days ago"),
        said(
            "utter_verdict_forgotten_label",
            since="Monday, November 16 at 9:00 am (4 days ago)",
            carrier="USPS",
            threshold_days="3",
        ),
        INVESTIGATE,
        ANYTHING_ELSE,
    ]


# On its way -----------------------------------------------------------------------------

IN_TRANSIT_SCAN = said(
    "utter_parcel_in_transit_at_place",
    carrier="UPS",
    last_scan="Arrived at facility",
    place="Oakland, CA",
    ago="2 hours ago",
)


def test_in_transit_on_time_gives_the_carriers_date(chat: Chat) -> None:
    number = number_of("in_transit")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        IN_TRANSIT_SCAN,
        said("utter_verdict_in_transit", eta="Saturday, November 21 (tomorrow)", carrier="UPS"),
        WAIT,
        ANYTHING_ELSE,
    ]


def test_its_late_about_a_parcel_that_is_not_late_kindly_gives_the_promised_date(
    chat: Chat,
) -> None:
    number = number_of("in_transit")
    answer = by_email(chat, "my order is late", number)
    assert answer.splitlines() == [
        headline(number),
        IN_TRANSIT_SCAN,
        said("utter_verdict_in_transit_not_late", promised="Saturday, November 21"),
        WAIT,
        ANYTHING_ELSE,
    ]
    assert "sorry" not in answer.lower()


CAUSES = {
    "weather": (
        "late_weather",
        "UPS",
        "Wednesday, November 18",
        "Saturday, November 21 (tomorrow)",
    ),
    "carrier": ("late_carrier_delay", "FedEx", "Thursday, November 19", "Sunday, November 22"),
    "customs": ("late_customs", "DHL", "Thursday, November 19", "Sunday, November 22"),
}
CAUSE_SCANS = {
    "late_weather": said(
        "utter_parcel_in_transit_at_place",
        carrier="UPS",
        last_scan="Delayed by severe weather; delivery rescheduled",
        place="Maple Grove, MN",
        ago="9 hours ago",
    ),
    "late_carrier_delay": said(
        "utter_parcel_in_transit_at_place",
        carrier="FedEx",
        last_scan="Running late: operational delay at the carrier",
        place="Atlanta, GA",
        ago="1 day ago",
    ),
    "late_customs": said(
        "utter_parcel_held_at_place",
        carrier="DHL",
        last_scan="Held by customs, awaiting clearance",
        place="Mississauga, ON",
        ago="1 day ago",
    ),
}
CAUSE_RESPONSES = {
    "weather": "utter_cause_weather_delay",
    "carrier": "utter_cause_carrier_delay",
    "customs": "utter_cause_customs_delay",
}


@pytest.mark.parametrize("cause", list(CAUSES))
def test_late_with_a_cause_says_why_and_the_new_date(chat: Chat, cause: str) -> None:
    scenario, carrier, promised, revised = CAUSES[cause]
    number = number_of(scenario)
    answer = by_zip(chat, "my order is late", number)
    assert answer.splitlines() == [
        headline(number),
        CAUSE_SCANS[scenario],
        said("utter_verdict_late", promised=promised, carrier=carrier, revised=revised),
        said(CAUSE_RESPONSES[cause], carrier=carrier),
        said("utter_step_wait_late_held") if cause == "customs" else WAIT_LATE,
        ANYTHING_ELSE,
    ]


def test_late_with_no_reason_gives_the_carriers_revised_date(chat: Chat) -> None:
    number = number_of("late_revised_date")
    answer = by_zip(chat, "my order is late", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="FedEx",
            last_scan="Arrived at facility",
            place="Oak Creek, WI",
            ago="10 hours ago",
        ),
        said(
            "utter_verdict_late",
            promised="Wednesday, November 18",
            carrier="FedEx",
            revised="Saturday, November 21 (tomorrow)",
        ),
        WAIT_LATE,
        ANYTHING_ELSE,
    ]


def test_trending_late_says_the_carriers_date_is_after_the_promise(chat: Chat) -> None:
    number = number_of("trending_late")
    answer = by_zip(chat, "will it arrive on time?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="UPS",
            last_scan="Arrived at facility",
            place="Dallas, TX",
            ago="5 hours ago",
        ),
        said(
            "utter_verdict_trending_late",
            carrier="UPS",
            revised="Monday, November 23",
            promised="Saturday, November 21",
        ),
        WAIT_LATE,
        ANYTHING_ELSE,
    ]


def test_stalled_names_the_last_scan_and_the_rules_threshold(chat: Chat) -> None:
    number = number_of("stuck")
    answer = by_zip(chat, "it hasn't moved in days", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="USPS",
            last_scan="Arrived at facility",
            place="Salt Lake City, UT",
            ago="6 days ago",
        ),
        said(
            "utter_verdict_stalled",
            since="Saturday, November 14 at 1:45 pm (6 days ago)",
            threshold_days="4",
        ),
        INVESTIGATE,
        ANYTHING_ELSE,
    ]
    assert TALK_TO_A_PERSON in button_titles(chat)


def test_stalled_past_the_carriers_estimate_names_the_estimate_and_the_rule(chat: Chat) -> None:
    number = number_of("stalled_past_estimate")
    answer = by_zip(chat, "it was supposed to come days ago", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="UPS",
            last_scan="Arrived at facility",
            place="West Chester, OH",
            ago="2 days ago",
        ),
        said(
            "utter_verdict_stalled_past_estimate",
            carrier="UPS",
            eta="Monday, November 16",
            threshold_hours="48",
        ),
        INVESTIGATE,
        ANYTHING_ELSE,
    ]


def test_likely_lost_offers_a_claim_and_files_it_after_the_emailed_code(
    chat: Chat, stack: Stack, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("likely_lost_no_scans"))
    answer = by_zip(chat, "still not here after two weeks", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="UPS",
            last_scan="Arrived at facility",
            place="Columbus, OH",
            ago="12 days ago",
        ),
        said(
            "utter_verdict_likely_lost",
            carrier="UPS",
            since="Sunday, November 8 at 12:00 pm (12 days ago)",
            threshold_days="10",
        ),
        # $308.00 is over the policy's reship_up_to ($300.00): a refund only.
        said("utter_offer_refund_only", refund="$308.00"),
    ]
    assert button_titles(chat) == ["Refund me"]
    codes_before = len(stack.one_time_codes(number))
    assert chat.say("Refund me") == said("utter_ask_code", order_number=number)
    done = chat.say(stack.last_code(number, newer_than=codes_before))
    reference = claim_in(done)
    lines = done.splitlines()
    assert lines[:2] == [
        said(
            "utter_claim_opened_refund", reference=reference, order_number=number, refund="$308.00"
        ),
        said("utter_claim_review_over_value", person_above="$150.00"),
    ]
    assert_handed_to_the_team(store, lines[2], number)
    assert lines[3:] == [
        said("utter_claim_follow_up", follow_up_on="Monday, November 23", reference=reference)
    ]
    [claim] = claims(store, number)
    assert (claim.reference, claim.tracking_number) == (reference, tracking_number(number))
    assert (claim.type, claim.remedy, claim.state) == ("lost", "refund_order", "needs_person")
    assert (claim.amount, claim.currency) == (Decimal("308.00"), "USD")
    assert claim.follow_up_on == date(2026, 11, 23)


def test_a_carrier_exception_the_policy_has_no_rule_for_goes_to_a_person(chat: Chat) -> None:
    number = number_of("carrier_exception")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_exception_at_place",
            carrier="FedEx",
            last_scan="Shipment exception: the label is unreadable; the carrier is checking the "
            "package",
            place="Tampa, FL",
            ago="20 hours ago",
        ),
        INVESTIGATE,
        ANYTHING_ELSE,
    ]


# The last mile --------------------------------------------------------------------------


def test_out_for_delivery_says_today(chat: Chat) -> None:
    number = number_of("out_for_delivery")
    answer = by_zip(chat, "when will it get here?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_out_for_delivery_at_place",
            carrier="USPS",
            last_scan="Out for delivery",
            place="Salt Lake City, UT",
            ago="6 hours ago",
        ),
        said("utter_step_watch_today"),
        ANYTHING_ELSE,
    ]


def test_a_failed_attempt_says_why_and_how_to_get_it_redelivered(chat: Chat) -> None:
    number = number_of("attempt_failed")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_attempt_failed",
            carrier="FedEx",
            ago="4 hours ago",
            last_scan="Delivery attempted: signature required, no one available to sign",
        ),
        said("utter_step_redelivery", carrier="FedEx"),
        ANYTHING_ELSE,
    ]


def test_ready_for_pickup_says_where_and_until_when(chat: Chat) -> None:
    number = number_of("available_for_pickup")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_available_for_pickup_at_place",
            place="Bozeman, MT",
            carrier="USPS",
            last_scan="Available for pickup at the Bozeman post office",
            ago="1 day ago",
        ),
        said("utter_verdict_ready_for_pickup", threshold_days="5", deadline="Monday, November 23"),
        said("utter_step_pick_up"),
        ANYTHING_ELSE,
    ]


def test_returned_to_sender_says_what_happens_once_it_is_back(chat: Chat) -> None:
    number = number_of("returned")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_return_to_sender_at_place",
            carrier="UPS",
            last_scan="Returning to sender",
            place="Harahan, LA",
            ago="2 days ago",
        ),
        said("utter_step_returning"),
        ANYTHING_ELSE,
    ]


def test_an_address_problem_says_how_to_fix_it(chat: Chat) -> None:
    number = number_of("address_issue")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_exception_at_place",
            carrier="UPS",
            last_scan="The address is incomplete or incorrect; delivery could not be completed",
            place="Asheville, NC",
            ago="1 day ago",
        ),
        said("utter_verdict_address_problem", carrier="UPS"),
        said("utter_step_fix_address", carrier="UPS", tracking_number=tracking_number(number)),
        ANYTHING_ELSE,
    ]
    assert TALK_TO_A_PERSON in button_titles(chat)


# Delivered ------------------------------------------------------------------------------

PLACES = {
    # place: order, carrier, day delivered, the carrier's words, where
    "door": ("WM-104194", "UPS", "Tuesday, November 17", "Delivered, left at front door",
             "Los Angeles, CA"),
    "safe_place": ("WM-104122", "UPS", "Wednesday, November 11",
                   "Delivered, left in a safe place", "San Diego, CA"),
    "neighbour": ("WM-104211", "FedEx", "Wednesday, November 18",
                  "Delivered, left with a neighbor", "Nashville, TN"),
    "mailroom": ("WM-104168", "USPS", "Sunday, November 15", "Delivered, front desk/mail room",
                 "Denver, CO"),
    "signed_for": ("WM-104231", "FedEx", "Thursday, November 19 (yesterday)",
                   "Delivered, signed for by P. RAMAN", "Cambridge, MA"),
}  # fmt: skip


@pytest.mark.parametrize("place", list(PLACES))
def test_delivered_says_where_it_was_left(chat: Chat, place: str) -> None:
    number, carrier, delivered_on, last_scan, where = PLACES[place]
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_delivered_at_place",
            carrier=carrier,
            delivered_on=delivered_on,
            last_scan=last_scan,
            place=where,
        ),
        said(f"utter_delivered_{place}", carrier=carrier),
        ANYTHING_ELSE,
    ]


WAITS = {
    # scenario: carrier, where, day delivered, hours to wait, the check-back said and stored
    "delivered_not_received_wait": (
        "UPS", "Spokane, WA", "Thursday, November 19 (yesterday)", "36",
        "on Saturday, November 21 (tomorrow) around 6:45 am",
        datetime(2026, 11, 21, 11, 45, tzinfo=UTC),
    ),
    "delivered_not_received_wait_usps": (
        "USPS", "Providence, RI", "Wednesday, November 18", "48",
        "on Friday, November 20 (today) around 11 pm",
        datetime(2026, 11, 21, 4, 0, tzinfo=UTC),
    ),
}  # fmt: skip


@pytest.mark.parametrize("scenario", list(WAITS))
def test_not_received_inside_the_wait_gets_the_checklist_and_a_stored_check_back(
    chat: Chat, store: Engine, scenario: str
) -> None:
    carrier, where, delivered_on, hours, check_back, due = WAITS[scenario]
    number = number_of(scenario)
    answer = by_zip(chat, "it says delivered but it's not here", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_delivered_at_place",
            carrier=carrier,
            delivered_on=delivered_on,
            last_scan="Delivered, left at front door",
            place=where,
        ),
        said("utter_delivered_door", carrier=carrier),
        said("utter_verdict_not_received_wait", delivered_on=delivered_on, threshold_hours=hours),
        said("utter_checklist_door"),
        said("utter_check_back_promised", check_back=check_back),
        ANYTHING_ELSE,
    ]
    [promise] = check_backs(store, number)
    assert (promise.kind, promise.due_at, promise.channel) == ("delivery_window_end", due, "rest")
    assert promise.claim_reference is None and promise.sent_at is None
    assert claims(store, number) == []


def test_not_received_after_the_wait_files_a_reship_claim_after_the_emailed_code(
    chat: Chat, stack: Stack, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("delivered_missing"))
    answer = by_zip(chat, "it says delivered but it's not here", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_delivered_at_place",
            carrier="UPS",
            delivered_on="Tuesday, November 10",
            last_scan="Delivered, left at back porch",
            place="Boulder, CO",
        ),
        said("utter_delivered_safe_place", carrier="UPS"),
        said(
            "utter_verdict_not_received_claim",
            delivered_on="Tuesday, November 10",
            claim_until="Thursday, December 10",
        ),
        said("utter_offer_reship_or_refund", refund="$227.00"),
    ]
    assert button_titles(chat) == ["Send a replacement", "Refund me"]
    codes_before = len(stack.one_time_codes(number))
    assert chat.say("Send a replacement") == said("utter_ask_code", order_number=number)
    done = chat.say(stack.last_code(number, newer_than=codes_before))
    reference = claim_in(done)
    lines = done.splitlines()
    assert lines[:2] == [
        said("utter_claim_opened_reship", reference=reference, order_number=number),
        said("utter_claim_review_over_value", person_above="$150.00"),
    ]
    assert_handed_to_the_team(store, lines[2], number)
    assert lines[3:] == [
        said("utter_claim_follow_up", follow_up_on="Monday, November 23", reference=reference)
    ]
    [claim] = claims(store, number)
    assert (claim.reference, claim.tracking_number) == (reference, tracking_number(number))
    assert (claim.type, claim.remedy, claim.state) == ("not_received", "reship", "needs_person")
    follow_ups = [c for c in check_backs(store, number) if c.claim_reference == reference]
    assert [(c.kind, c.due_at) for c in follow_ups] == [
        ("claim_follow_up", datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    ]


def test_not_received_after_the_claim_window_closed_goes_to_a_person(
    chat: Chat, store: Engine
) -> None:
    number = number_of("claim_window_closed")
    answer = by_zip(chat, "it says delivered but it's not here", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_delivered_at_place",
            carrier="UPS",
            delivered_on="Sunday, October 11",
            last_scan="Delivered, left at front door",
            place="Des Moines, IA",
        ),
        said("utter_delivered_door", carrier="UPS"),
        said(
            "utter_verdict_not_received_claim_closed",
            delivered_on="Sunday, October 11",
            threshold_days="30",
            deadline="Tuesday, November 10",
        ),
        HAND_OFF,
        ANYTHING_ELSE,
    ]
    assert claims(store, number) == []


def test_damaged_after_the_claim_window_closed_goes_to_a_person(chat: Chat, store: Engine) -> None:
    number = number_of("claim_window_closed")
    answer = by_zip(chat, "it arrived damaged", number)
    assert (
        said(
            "utter_verdict_damaged_claim_closed", threshold_days="14", deadline="Sunday, October 25"
        )
        in answer.splitlines()
    )
    assert answer.splitlines()[-2:] == [HAND_OFF, ANYTHING_ELSE]
    assert claims(store, number) == []


def test_damaged_asks_for_photos_and_files_a_refund_claim_at_once_when_proven_by_email(
    chat: Chat, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("damaged_on_arrival"))
    answer = by_email(chat, "it arrived damaged", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_delivered_at_place",
            carrier="FedEx",
            delivered_on="Tuesday, November 17",
            last_scan="Delivered, left at front door",
            place="Albuquerque, NM",
        ),
        said("utter_delivered_door", carrier="FedEx"),
        said("utter_verdict_damaged", claim_until="Tuesday, December 1", threshold_days="14"),
        said("utter_step_send_photos"),
        said("utter_offer_reship_or_refund", refund="$119.45"),
    ]
    done = chat.say("Refund me")  # proven by email: no code
    reference = claim_in(done)
    lines = done.splitlines()
    assert lines[:2] == [
        said(
            "utter_claim_opened_refund", reference=reference, order_number=number, refund="$119.45"
        ),
        said("utter_claim_follow_up", follow_up_on="Monday, November 23", reference=reference),
    ]
    [claim] = claims(store, number)
    assert (claim.reference, claim.type, claim.remedy, claim.state) == (
        reference,
        "damaged",
        "refund_item",
        "open",
    )
    assert claim.amount == Decimal("119.45")


def test_a_damaged_claim_worth_over_150_is_checked_by_a_person_first(
    chat: Chat, stack: Stack, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("damaged_high_value"))
    answer = by_zip(chat, "the box arrived crushed", number)
    assert answer.splitlines()[-3:] == [
        said("utter_verdict_damaged", claim_until="Tuesday, December 1", threshold_days="14"),
        said("utter_step_send_photos"),
        said("utter_offer_reship_or_refund", refund="$189.00"),
    ]
    codes_before = len(stack.one_time_codes(number))
    assert chat.say("Send a replacement") == said("utter_ask_code", order_number=number)
    done = chat.say(stack.last_code(number, newer_than=codes_before))
    reference = claim_in(done)
    lines = done.splitlines()
    assert lines[:2] == [
        said("utter_claim_opened_reship", reference=reference, order_number=number),
        said("utter_claim_review_over_value", person_above="$150.00"),
    ]
    assert_handed_to_the_team(store, lines[2], number)
    assert lines[3:] == [
        said("utter_claim_follow_up", follow_up_on="Monday, November 23", reference=reference)
    ]
    [claim] = claims(store, number)
    assert (claim.type, claim.remedy, claim.state) == ("damaged", "reship", "needs_person")


def test_damaged_in_transit_by_the_carriers_scan_offers_a_claim(
    chat: Chat, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("damaged"))
    answer = by_email(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_exception_at_place",
            carrier="FedEx",
            last_scan="Package damaged in transit; the shipper has been notified",
            place="Neville Island, PA",
            ago="2 days ago",
        ),
        said(
            "utter_verdict_damaged_in_transit",
            claim_until="Wednesday, December 2",
            threshold_days="14",
        ),
        said("utter_step_send_photos"),
        said("utter_offer_reship_or_refund", refund="$249.95"),
    ]
    done = chat.say("Send a replacement")  # proven by email: no code
    reference = claim_in(done)
    assert done.splitlines()[0] == said(
        "utter_claim_opened_reship", reference=reference, order_number=number
    )
    [claim] = claims(store, number)
    assert (claim.reference, claim.type, claim.remedy) == (reference, "damaged", "reship")


# Several parcels ------------------------------------------------------------------------


def test_a_split_order_names_the_items_of_each_parcel(chat: Chat) -> None:
    number = number_of("split_shipment")
    answer = by_zip(chat, "where is my order?", number)
    first = {"parcel_number": "1", "parcel_count": "2", "contents": "Two-person tent"}
    second = {
        "parcel_number": "2",
        "parcel_count": "2",
        "contents": "2 x Rechargeable headlamp, Squeeze water filter",
    }
    assert answer.splitlines() == [
        headline(number, count=2),
        said(
            "utter_parcel_delivered_at_place_numbered",
            **first,
            carrier="UPS",
            delivered_on="Thursday, November 19 (yesterday)",
            last_scan="Delivered, left at front door",
            place="Brooklyn, NY",
        ),
        said("utter_delivered_door", carrier="UPS"),
        said(
            "utter_parcel_in_transit_at_place_numbered",
            **second,
            carrier="USPS",
            last_scan="Arrived at facility",
            place="Maspeth, NY",
            ago="7 hours ago",
        ),
        said("utter_verdict_in_transit", eta="Saturday, November 21 (tomorrow)", carrier="USPS"),
        WAIT,
        ANYTHING_ELSE,
    ]


def test_an_order_partly_shipped_says_what_is_still_with_us(chat: Chat) -> None:
    number = number_of("partially_fulfilled")
    answer = by_zip(chat, "where is my order?", number)
    assert answer.splitlines() == [
        headline(number),
        said(
            "utter_parcel_in_transit_at_place",
            carrier="UPS",
            last_scan="Arrived at facility",
            place="Kansas City, MO",
            ago="5 hours ago",
        ),
        said("utter_verdict_in_transit", eta="Sunday, November 22", carrier="UPS"),
        WAIT,
        said("utter_unshipped_items", items="1 x Down sleeping bag, 20°F"),
        said("utter_rest_processing", eta="Friday, November 20 (today)"),
        ANYTHING_ELSE,
    ]


# Finding the order ----------------------------------------------------------------------

MARIAS_ORDERS = ["WM-104281", "WM-104245", "WM-104239", "WM-104205", "WM-103958"]


def test_no_order_number_finds_the_orders_by_email_and_zip_and_one_is_picked(chat: Chat) -> None:
    number = number_of("backordered")
    assert chat.say("I don't have my order number") == said("utter_ask_email_instead")
    assert chat.say(email(number)) == said("utter_ask_proof_for_email")
    assert chat.say(postal_code(number)) == said("utter_ask_selected_order", count="5")
    listed = {str(b["title"]).split(" ")[0]: str(b["payload"]) for b in chat.buttons()}
    assert list(listed) == MARIAS_ORDERS
    answer = chat.say(listed[number])
    assert answer.splitlines()[0] == said(
        "utter_pending_backordered",
        order_number=number,
        items="22 L daypack",
        eta="Sunday, November 29",
    )


def test_order_history_lists_every_order_of_the_customer(chat: Chat) -> None:
    number = number_of("processing")
    assert chat.say("show me my orders") == said("utter_ask_order_ref")
    assert chat.say(email(number)) == said("utter_ask_proof_for_email")
    assert chat.say(postal_code(number)) == said("utter_order_list", count="5")
    assert [str(b["title"]).split(" ")[0] for b in chat.buttons()] == MARIAS_ORDERS


def test_asking_about_an_item_by_its_name_starts_the_order_lookup(chat: Chat) -> None:
    number = number_of("late_weather")  # a down sleeping bag and a sleeping pad
    answer = by_zip(chat, "where's my sleeping bag?", number)
    assert answer.splitlines()[0] == headline(number)
    assert said("utter_out_of_scope/other") not in answer


def test_what_on_hold_means_for_my_order_is_answered_from_the_order(chat: Chat) -> None:
    number = number_of("on_hold")
    answer = by_zip(chat, "what does on hold mean for my order", number)
    assert answer.splitlines()[:2] == [said("utter_pending_on_hold", order_number=number), HAND_OFF]


# Changes --------------------------------------------------------------------------------


def test_cancel_before_shipping_cancels_in_the_store_after_yes_and_the_emailed_code(
    chat: Chat, stack: Stack, store: Engine
) -> None:
    number = number_of("cancellable")
    items = "Camping hammock, Rechargeable headlamp"
    answer = by_zip(chat, "cancel my order", number)
    assert answer.splitlines()[-1] == said(
        "utter_ask_confirm_cancel", order_number=number, items=items
    )
    assert button_titles(chat) == ["Yes", "No"]
    codes_before = len(stack.one_time_codes(number))
    assert chat.say("yes") == said("utter_ask_code", order_number=number)
    assert order_row(store, number).status == "processing"  # nothing before the code
    done = chat.say(stack.last_code(number, newer_than=codes_before))
    assert done == said("utter_cancel_done", order_number=number, items=items)
    assert order_row(store, number).status == "cancelled"
    [change] = changes(store, number)
    assert (change.kind, change.channel) == ("cancel", "rest")


def test_cancel_after_shipping_is_refused_with_the_alternatives_and_changes_nothing(
    chat: Chat, store: Engine
) -> None:
    number = number_of("not_cancellable")
    answer = by_zip(chat, "cancel my order", number)
    assert answer.splitlines()[-4:] == [
        said("utter_cancel_refused_shipped", order_number=number),
        said("utter_alternative_refuse_delivery", carrier="UPS"),
        said("utter_alternative_return"),
        ANYTHING_ELSE,
    ]
    assert order_row(store, number).status == "fulfilled"
    assert changes(store, number) == []


NEW_ADDRESS = "12 Oak Street, Apt 4, Portland, OR 97201"


def test_address_change_before_shipping_moves_the_order_in_the_store(
    chat: Chat, store: Engine
) -> None:
    number = number_of("address_change")
    answer = by_email(chat, "I need to change my address", number)
    assert answer.splitlines()[-1] == said("utter_ask_new_address")
    confirm = chat.say(NEW_ADDRESS)
    assert confirm == said(
        "utter_ask_confirm_address", order_number=number, new_address=NEW_ADDRESS
    )
    done = chat.say("yes")  # proven by email: no code
    assert done == said("utter_address_done", order_number=number, new_address=NEW_ADDRESS)
    order = order_row(store, number)
    assert (order.ship_line1, order.ship_line2, order.ship_city) == (
        "12 Oak Street",
        "Apt 4",
        "Portland",
    )
    assert (order.ship_region, order.ship_postal_code, order.ship_country) == ("OR", "97201", "US")
    [change] = changes(store, number)
    assert change.kind == "address"


def test_address_change_after_shipping_offers_the_carriers_redirect(
    chat: Chat, store: Engine
) -> None:
    number = number_of("not_cancellable")
    before = order_row(store, number)
    answer = by_email(chat, "I need to change my address", number)
    assert answer.splitlines()[-4:] == [
        said("utter_address_refused_shipped", order_number=number),
        said("utter_alternative_carrier_redirect_ups", carrier="UPS"),
        said("utter_alternative_refuse_delivery", carrier="UPS"),
        ANYTHING_ELSE,
    ]
    after = order_row(store, number)
    assert (after.ship_line1, after.ship_postal_code) == (
        before.ship_line1,
        before.ship_postal_code,
    )
    assert changes(store, number) == []


# A refund asked about an order: what is said, from the first line on (name, values).
REFUNDS: dict[str, tuple[str, list[tuple[str, dict[str, str]]]]] = {
    "not shipped: cancel it": (
        SCENARIOS["processing"],
        [
            ("utter_refund_by_cancelling", {}),
            ("utter_ask_confirm_cancel", {"items": "Four-person cabin tent"}),
        ],
    ),
    "delivered: return it": (PLACES["door"][0], [("utter_refund_after_delivery", {})]),
    "on its way: refuse or return it": (
        SCENARIOS["not_cancellable"],
        [
            ("utter_refund_on_its_way", {}),
            ("utter_alternative_refuse_delivery", {"carrier": "UPS"}),
            ("utter_alternative_return", {}),
        ],
    ),
}


@pytest.mark.parametrize("case", list(REFUNDS))
def test_a_refund_request_gets_the_way_that_fits_where_the_order_is(
    chat: Chat, store: Engine, case: str
) -> None:
    number, expected = REFUNDS[case]
    answer = by_zip(chat, "I want a refund", number)
    replies = [said(name, order_number=number, **values) for name, values in expected]
    lines = answer.splitlines()
    assert replies[0] in lines
    assert lines[lines.index(replies[0]) :][: len(replies)] == replies
    assert changes(store, number) == []


def test_no_at_the_confirmation_leaves_the_order_as_it_was(chat: Chat, store: Engine) -> None:
    number = number_of("processing")
    answer = by_zip(chat, "cancel my order", number)
    assert answer.splitlines()[-1] == said(
        "utter_ask_confirm_cancel", order_number=number, items="Four-person cabin tent"
    )
    assert chat.say("no") == said("utter_request_dropped")
    assert order_row(store, number).status == "processing"
    assert changes(store, number) == []


def test_a_wrong_one_time_code_is_refused_and_nothing_changes(
    chat: Chat, stack: Stack, store: Engine
) -> None:
    number = number_of("processing")
    by_zip(chat, "cancel my order", number)
    codes_before = len(stack.one_time_codes(number))
    assert chat.say("yes") == said("utter_ask_code", order_number=number)
    right = stack.last_code(number, newer_than=codes_before)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = chat.say(wrong)
    assert refused.splitlines()[0] == said("utter_code_wrong")
    assert said("utter_cancel_done", order_number=number, items="Four-person cabin tent") not in (
        refused
    )
    assert order_row(store, number).status == "processing"
    assert changes(store, number) == []


# Claims asked about again ----------------------------------------------------------------


def test_asking_twice_files_one_claim_and_the_second_ask_says_it_is_open(
    chat: Chat, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("lost"))
    answer = by_email(chat, "where is my order?", number)
    assert answer.splitlines()[-2:] == [
        said("utter_verdict_likely_lost_reported", carrier="UPS"),
        said("utter_offer_reship_or_refund", refund="$279.00"),
    ]
    reference = claim_in(chat.say("Refund me"))
    again = chat.say("my parcel is lost, where is it?")
    values = {"reference": reference, "order_number": number, "refund": "$279.00"}
    assert again.splitlines()[-5:] == [
        said("utter_claim_already_filed", reference=reference),
        said("utter_claim_found_lost", **values, opened="Friday, November 20"),
        said("utter_claim_remedy_refund_order", refund="$279.00"),
        said("utter_claim_state_needs_person", follow_up_on="Monday, November 23"),
        ANYTHING_ELSE,
    ]
    assert [c.reference for c in claims(store, number)] == [reference]


def test_a_new_question_while_a_claim_is_offered_leaves_the_offer_and_answers_it(
    chat: Chat, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order(number_of("lost"))
    first = by_email(chat, "where is my order?", number)
    assert first.splitlines()[-1] == said("utter_offer_reship_or_refund", refund="$279.00")
    again = chat.say("when will it get here?")
    assert again.splitlines()[0] == said("utter_request_dropped")
    assert again.splitlines()[1:] == first.splitlines()
    assert claims(store, number) == []


def test_a_claim_filed_in_one_conversation_is_found_in_another(
    stack: Stack, store: Engine, claim_order: Callable[[str], str]
) -> None:
    number = claim_order("WM-104089")  # delivered 12 days ago by USPS, $119.45
    first = Chat(stack.rest_url)
    answer = by_email(first, "my parcel never arrived", number)
    assert answer.splitlines()[-1] == said("utter_offer_reship_or_refund", refund="$119.45")
    reference = claim_in(first.say("Refund me"))
    for opener in (f"what happened to my claim {reference}?", reference):  # or the bare reference
        later = Chat(stack.rest_url)
        assert later.say(opener) == said("utter_ask_order_ref")
        assert later.say(number) == said("utter_ask_proof_for_order")
        found = later.say(postal_code(number))
        assert found.splitlines() == [
            said(
                "utter_claim_found_not_received",
                reference=reference,
                order_number=number,
                opened="Friday, November 20",
            ),
            said("utter_claim_remedy_refund_order", refund="$119.45"),
            said("utter_claim_state_open", follow_up_on="Monday, November 23"),
            ANYTHING_ELSE,
        ]
    [claim] = claims(store, number)
    assert claim.reference == reference


# Talk -----------------------------------------------------------------------------------


def test_two_messages_not_understood_in_a_row_hand_the_shopper_to_a_person(chat: Chat) -> None:
    # Gibberish is read as not understood or as out of scope; either counts as a miss.
    assert chat.say("asdkjh qwpoeiru") in (said("utter_default"), said("utter_out_of_scope/other"))
    handed = chat.say("zxcmnb vlkjhq")
    assert "I've passed you to our team" in handed and "(reference HD-" in handed


def test_faq_out_of_scope_bot_challenge_thanks_and_goodbye_still_work(chat: Chat) -> None:
    assert chat.say("how long does shipping take?") == said("utter_faq/shipping_times")
    assert chat.say("what's the weather like in paris?") == said("utter_out_of_scope/other")
    assert chat.say("are you a bot?") == said("utter_iamabot")
    assert chat.say("thanks!") == said("utter_thank")
    assert chat.say("bye") == said("utter_goodbye")
