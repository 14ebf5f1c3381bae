"""Every reply's wording is in domain.yml, and every response the actions send fits it.

The names an action can send are read from the actions' source (literal
`utter_*` names) and from the name
patterns of actions/render.py, enumerated over the enums they come from.
Rasa's own validator only sees responses that rules use, so the converse is
checked here too: no response of the domain is used by neither.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.render import PLACED_STATUSES, Reply, possible_responses, render_order
from actions.status import REPORTED
from bot.domain.orders import DeliveryWindow, Item, Order, OrderStatus, Shipment
from bot.domain.shipments import DELAY_DETAILS, ShipmentStatus, StatusDetail, Tracking
from tests.support.responses import modules, render_names, sendable
from tests.unit.builders import (
    CLIENT,
    NOW,
    FakeCarrier,
    FakeOrders,
    granted_wismo,
    order,
    tracking,
)
from tests.unit.domain_responses import RULES, placeholders, responses

NY = ZoneInfo("America/New_York")
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
# Literals under actions/ that read like sentences but never reach a shopper.
NOT_REPLIES = {
    ("server.py", "a valid token is required"),  # the 403 body for callers other than Rasa
    ("server.py", "actions: cannot start:\n{}"),  # stderr, when the configuration is wrong
    ("changes.py", "Claim {} waits for a person ({})."),  # the team's ticket, not the shopper
}
WORD = re.compile(r"[A-Za-z]{2,}")


def test_every_response_the_actions_can_send_is_in_the_domain() -> None:
    names = sendable()
    assert "utter_parcel_in_transit_at_place_numbered" in names  # the enumeration works
    assert "utter_something_went_wrong" in names  # so does the scan of runtime.py
    assert sorted(names - set(responses())) == []


def test_every_response_of_the_domain_is_sent_by_a_rule_or_an_action() -> None:
    with RULES.open(encoding="utf-8") as file:
        rules = yaml.safe_load(file)["rules"]
    in_rules = {step["action"] for rule in rules for step in rule["steps"] if "action" in step}
    unused = {
        name
        for name in responses()
        if name.split("/")[0] not in in_rules and name not in sendable()
    }
    assert sorted(unused) == []


def test_every_response_has_a_default_for_channels_without_variants() -> None:
    for name, variations in responses().items():
        assert any("channel" not in v for v in variations), name


# The orders and parcels render_order is driven over: every status and delay, one
# parcel or two, a scan with and without a place (or none at all), with and without
# an ETA, fresh and stuck, on time and late, every topic, and a carrier outage.
LATE = DeliveryWindow(date(2026, 11, 16), date(2026, 11, 18))
ON_TIME = order().promised_delivery
ASKED = [
    (None, ON_TIME),
    ("delivery_late", ON_TIME),
    ("delivery_late", LATE),
    ("package_missing", LATE),
    ("package_damaged", None),
]
SECOND = Shipment("usps", "9400111899223344556677", NOW - timedelta(days=1))


DETAILS = [
    None,
    *DELAY_DETAILS,
    StatusDetail.DAMAGED,
    StatusDetail.LOST,
    StatusDetail.ADDRESS_ISSUE,
    StatusDetail.REFUSED,
    StatusDetail.DELIVERED_TO_NEIGHBOR,
]


def trackings() -> list[Tracking]:
    found = [replace(tracking(ShipmentStatus.PRE_TRANSIT), events=())]
    for status, detail, hours, eta, placed in itertools.product(
        ShipmentStatus, DETAILS, [3, 24 * 6, 24 * 12, 24 * 40], [date(2026, 11, 21), None], [1, 0]
    ):
        base = tracking(status, detail=detail, hours_ago=hours, eta=eta)
        event = base.events[0] if placed else replace(base.events[0], location=None)
        found.append(replace(base, events=(event,)))
    # Where a delivered parcel was left; an estimate past the window, or long past.
    for detail in (
        StatusDetail.DELIVERED_TO_DOOR,
        StatusDetail.DELIVERED_TO_SAFE_PLACE,
        StatusDetail.DELIVERED_TO_MAILROOM,
        StatusDetail.SIGNED_FOR,
    ):
        for hours in (3, 24 * 6, 24 * 40):
            found.append(tracking(ShipmentStatus.DELIVERED, detail=detail, hours_ago=hours))
    found.append(tracking(eta=date(2026, 11, 25)))
    found.append(tracking(eta=date(2026, 11, 15)))
    found.append(tracking(eta=date(2026, 11, 19)))
    return found


def render(the_order: Order, answers: dict[str, Tracking], topic: str | None) -> list[Reply]:
    wismo = granted_wismo(FakeOrders([the_order]), FakeCarrier(answers))
    report = wismo.report(CLIENT, the_order.order_number, REPORTED.get(str(topic)))
    assert report is not None
    return render_order(report, topic, NY)


def outage(the_order: Order, seen_before: bool) -> list[Reply]:
    carrier = FakeCarrier({s.tracking_number: tracking() for s in the_order.shipments})
    wismo = granted_wismo(FakeOrders([the_order]), carrier)
    if seen_before:
        wismo.report(CLIENT, the_order.order_number)
    carrier.down = True
    report = wismo.report(CLIENT, the_order.order_number)
    assert report is not None
    return render_order(report, None, NY)


def reports() -> list[tuple[str, list[Reply]]]:
    rendered = []
    stove = Item("STOVE", "Camp stove", 1, Decimal("40.00"), "USD")
    for status, placed, backorder in itertools.product(
        OrderStatus, [NOW - timedelta(days=4), NOW], [date(2026, 12, 3), None]
    ):
        waiting = order(status=status, shipments=(), backorder_until=backorder, placed_at=placed)
        rendered.append((f"{status} {placed} {backorder}", render(waiting, {}, None)))
        part = order(status=status, backorder_until=backorder, placed_at=placed)
        part = replace(part, items=(*part.items, stove))
        answers = {"1Z999AA10123456784": tracking()}
        rendered.append((f"part {status} {placed} {backorder}", render(part, answers, None)))
    unpromised = order(
        status=OrderStatus.PROCESSING, shipments=(), promised_delivery=None, placed_at=NOW
    )
    rendered.append(("processing, no promise", render(unpromised, {}, None)))
    for answer, (topic, window), split in itertools.product(trackings(), ASKED, [0, 1]):
        the_order = order(promised_delivery=window)
        if split:
            the_order = replace(the_order, shipments=(*the_order.shipments, SECOND))
        answers = {s.tracking_number: answer for s in the_order.shipments}
        case = f"{answer.status} {answer.detail} {topic} split={split}"
        rendered.append((case, render(the_order, answers, topic)))
    two = replace(order(), shipments=(*order().shipments, SECOND))
    for the_order, seen_before in itertools.product([order(), two], [True, False]):
        rendered.append((f"outage seen={seen_before}", outage(the_order, seen_before)))
    return rendered


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, list[Reply]]]:
    return reports()


def test_every_variable_of_every_variation_is_filled_by_the_action(
    rendered: list[tuple[str, list[Reply]]],
) -> None:
    seen = set()
    for case, replies in rendered:
        for reply in replies:
            seen.add(reply.response)
            filled = {k for k, v in reply.values.items() if v}
            for variation in responses()[reply.response]:
                missing = placeholders(variation) - filled
                assert not missing, f"{case}: {reply.response} lacks {sorted(missing)}"
    # The cases reach every sentence about a parcel, and the stale-status warning.
    parcel_names = {n for n in render_names() if n.startswith("utter_parcel_")}
    assert sorted(parcel_names - seen) == []
    # ... and every sentence of the policy's verdicts, their facts and next steps.
    assert sorted(possible_responses() - seen) == []


def test_placed_statuses_have_a_sentence_with_the_place() -> None:
    for status in PLACED_STATUSES:
        for variation in responses()[f"utter_parcel_{status}_at_place"]:
            assert "place" in placeholders(variation)


def sentences(name: str, module: ast.Module) -> list[str]:
    """String literals of `module` that read like words to a person."""
    skipped: set[int] = set()
    for node in ast.walk(module):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            skipped.add(id(first.value))  # a docstring
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in LOG_METHODS:
            skipped |= {id(n) for arg in node.args for n in ast.walk(arg)}
    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.JoinedStr):
            text = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
            skipped |= {id(p) for p in node.values}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if id(node) in skipped or (name, text) in NOT_REPLIES:
            continue
        if len(text.split()) >= 2 and WORD.search(text):
            found.append(text)
    return found


def test_no_reply_wording_is_written_in_python() -> None:
    found = {name: sentences(name, module) for name, module in modules().items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_scan_finds_wording_in_python() -> None:
    wording = ast.parse(
        'def f(i, n, where):\n    """A docstring is fine."""\n'
        '    log.info("a log message is fine too")\n'
        '    return ["Your parcel", f"Parcel {i} of {n}", f" in {where}", " · ", f"{i} x {n}"]\n'
    )
    assert sentences("x.py", wording) == ["Your parcel", "Parcel {} of {}", " in {}"]
