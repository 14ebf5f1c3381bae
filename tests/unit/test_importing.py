"""Reading the import format: domain objects from valid documents, every problem of bad ones."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.domain.errors import ImportInvalid
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
from bot.domain.shipments import (
    Location,
    ShipmentStatus,
    StatusDetail,
    Tracking,
    TrackingEvent,
)
from bot.services import import_fields
from bot.services.importing import ImportSummary, import_file, load_file, parse_document
from tests.unit.builders import FakeOrders

FIXTURES = Path(__file__).parents[1] / "fixtures"
EST = timezone(timedelta(hours=-5))
ORDER_STATUSES = "processing, on_hold, backordered, partially_fulfilled, fulfilled, cancelled"
EVENT_STATUSES = (
    "pre_transit, in_transit, out_for_delivery, available_for_pickup, delivered, "
    "attempt_failed, exception, return_to_sender, unknown"
)

# The example of docs/import-format.md.
CONTRACT_EXAMPLE: dict[str, Any] = {
    "orders": [
        {
            "order_number": "WM-104233",
            "placed_at": "2026-11-16T14:03:00-05:00",
            "status": "fulfilled",
            "customer": {
                "name": "Jane Doe",
                "email": "jane.doe@example.com",
                "phone": "+14155550134",
            },
            "shipping_address": {
                "line1": "500 Terry Francois St",
                "line2": None,
                "city": "San Francisco",
                "region": "CA",
                "postal_code": "94107",
                "country": "US",
            },
            "items": [
                {
                    "sku": "TENT-2P",
                    "name": "Two-person tent",
                    "quantity": 1,
                    "unit_price": "189.00",
                    "currency": "USD",
                }
            ],
            "promised_delivery": {"earliest": "2026-11-19", "latest": "2026-11-21"},
            "backorder_until": None,
            "shipments": [
                {
                    "carrier": "ups",
                    "tracking_number": "1Z999AA10123456784",
                    "service": "Ground",
                    "shipped_at": "2026-11-17T10:00:00-05:00",
                    "items": [{"sku": "TENT-2P", "quantity": 1}],
                }
            ],
        }
    ],
    "tracking": [
        {
            "carrier": "ups",
            "tracking_number": "1Z999AA10123456784",
            "estimated_delivery": "2026-11-21",
            "events": [
                {
                    "time": "2026-11-17T10:05:00-05:00",
                    "status": "pre_transit",
                    "detail": "label_created",
                    "description": "Shipping label created",
                    "location": None,
                },
                {
                    "time": "2026-11-17T21:40:00-05:00",
                    "status": "in_transit",
                    "detail": "departure_scan",
                    "description": "Departed from facility",
                    "location": {
                        "city": "Memphis",
                        "region": "TN",
                        "postal_code": None,
                        "country": "US",
                    },
                },
            ],
        }
    ],
}

EXPECTED_ORDER = Order(
    order_number="WM-104233",
    placed_at=datetime(2026, 11, 16, 14, 3, tzinfo=EST),
    status=OrderStatus.FULFILLED,
    customer=Customer("Jane Doe", "jane.doe@example.com", "+14155550134"),
    shipping_address=Address("500 Terry Francois St", "San Francisco", "94107", "US", None, "CA"),
    items=(Item("TENT-2P", "Two-person tent", 1, Decimal("189.00"), "USD"),),
    shipments=(
        Shipment(
            "ups",
            "1Z999AA10123456784",
            datetime(2026, 11, 17, 10, 0, tzinfo=EST),
            "Ground",
            (ShipmentItem("TENT-2P", 1),),
        ),
    ),
    promised_delivery=DeliveryWindow(date(2026, 11, 19), date(2026, 11, 21)),
    backorder_until=None,
)

EXPECTED_TRACKING = Tracking(
    carrier="ups",
    tracking_number="1Z999AA10123456784",
    status=ShipmentStatus.IN_TRANSIT,
    detail=StatusDetail.DEPARTURE_SCAN,
    estimated_delivery=date(2026, 11, 21),
    events=(
        TrackingEvent(
            datetime(2026, 11, 17, 10, 5, tzinfo=EST),
            ShipmentStatus.PRE_TRANSIT,
            StatusDetail.LABEL_CREATED,
            "Shipping label created",
            None,
        ),
        TrackingEvent(
            datetime(2026, 11, 17, 21, 40, tzinfo=EST),
            ShipmentStatus.IN_TRANSIT,
            StatusDetail.DEPARTURE_SCAN,
            "Departed from facility",
            Location("Memphis", "TN", None, "US"),
        ),
    ),
)


def document() -> dict[str, Any]:
    """A fresh copy of the contract's example, safe to break."""
    return copy.deepcopy(CONTRACT_EXAMPLE)


def problems_of(doc: object) -> list[str]:
    with pytest.raises(ImportInvalid) as caught:
        parse_document(doc)
    return [str(problem) for problem in caught.value.problems]


def test_the_contract_example_becomes_domain_objects() -> None:
    batch = parse_document(document())
    assert batch.orders == (EXPECTED_ORDER,)
    assert batch.trackings == (EXPECTED_TRACKING,)


def test_order_numbers_are_trimmed_and_upper_cased_and_emails_lower_cased() -> None:
    doc = document()
    doc["orders"][0]["order_number"] = "  wm-104233 "
    doc["orders"][0]["customer"]["email"] = "Jane.Doe@Example.COM"
    order = parse_document(doc).orders[0]
    assert order.order_number == "WM-104233"
    assert order.customer.email == "jane.doe@example.com"


def test_optional_fields_may_be_left_out() -> None:
    doc = document()
    for key in ("promised_delivery", "backorder_until", "shipments", "items"):
        del doc["orders"][0][key]
    del doc["orders"][0]["customer"]["phone"]
    del doc["tracking"]
    batch = parse_document(doc)
    order = batch.orders[0]
    assert (order.items, order.shipments, order.promised_delivery) == ((), (), None)
    assert order.customer.phone is None
    assert batch.trackings == ()


def test_an_unknown_event_detail_is_kept_as_its_text() -> None:
    doc = document()
    doc["tracking"][0]["events"][1]["detail"] = "sorted_by_robot"
    tracking = parse_document(doc).trackings[0]
    assert tracking.events[1].detail == "sorted_by_robot"
    assert tracking.detail == "sorted_by_robot"


def test_a_tracking_without_events_is_unknown() -> None:
    doc = document()
    doc["tracking"][0]["events"] = []
    tracking = parse_document(doc).trackings[0]
    assert (tracking.status, tracking.detail, tracking.events) == (ShipmentStatus.UNKNOWN, None, ())


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change of the document at a dotted path (`orders.0.customer.email`)."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
ORDER = "orders.0"
SHIPPED = "orders.0.shipments.0.items.0"

INVALID_RECORDS = [
    (_set(f"{ORDER}.customer.email", "jane.doe"), "orders[0].customer.email: not an email address"),
    (
        _set(f"{ORDER}.placed_at", "2026-11-16T14:03:00"),
        "orders[0].placed_at: not an ISO 8601 time with an offset",
    ),
    (
        _set(f"{ORDER}.placed_at", "last monday"),
        "orders[0].placed_at: not an ISO 8601 time with an offset",
    ),
    (_set(f"{ORDER}.status", "shipped"), f"orders[0].status: must be one of {ORDER_STATUSES}"),
    (
        _set(f"{ORDER}.customer.phone", "415-555-0134"),
        "orders[0].customer.phone: not an E.164 phone number",
    ),
    (
        _set(f"{ORDER}.items.0.unit_price", 189.0),
        "orders[0].items[0].unit_price: not a decimal string",
    ),
    (
        _set(f"{ORDER}.items.0.unit_price", 189),
        "orders[0].items[0].unit_price: not a decimal string",
    ),
    (
        _set(f"{ORDER}.items.0.unit_price", "1e2"),
        "orders[0].items[0].unit_price: not a decimal string",
    ),
    (
        _set(f"{ORDER}.items.0.unit_price", "-1.00"),
        "orders[0].items[0].unit_price: must not be negative",
    ),
    (
        _set(f"{ORDER}.items.0.unit_price", "1.005"),
        "orders[0].items[0].unit_price: has more than 2 decimal places",
    ),
    (
        _set(f"{ORDER}.items.0.quantity", 0),
        "orders[0].items[0].quantity: must be a positive integer",
    ),
    (
        _set(f"{ORDER}.items.0.quantity", True),
        "orders[0].items[0].quantity: must be a positive integer",
    ),
    (
        _set(f"{ORDER}.items.0.currency", "usd"),
        "orders[0].items[0].currency: not an ISO 4217 currency code",
    ),
    (_set(f"{ORDER}.order_number", _DELETE), "orders[0].order_number: is required"),
    (_set(f"{ORDER}.order_number", "  "), "orders[0].order_number: must not be blank"),
    (_set(f"{ORDER}.order_number", 104233), "orders[0].order_number: must be a string"),
    (_set(f"{ORDER}.customer", _DELETE), "orders[0].customer: is required"),
    (_set(f"{ORDER}.customer", "Jane"), "orders[0].customer: must be an object"),
    (_set(f"{ORDER}.items", "TENT-2P"), "orders[0].items: must be a list"),
    (
        _set(f"{ORDER}.shipping_address.country", "USA"),
        "orders[0].shipping_address.country: not an ISO 3166 two-letter country code",
    ),
    (
        _set(f"{ORDER}.promised_delivery.latest", "2026-11-18"),
        "orders[0].promised_delivery.latest: is before earliest",
    ),
    (
        _set(f"{ORDER}.promised_delivery.earliest", "Nov 19"),
        "orders[0].promised_delivery.earliest: not an ISO 8601 date",
    ),
    (
        _set(f"{SHIPPED}.sku", "STOVE-1"),
        "orders[0].shipments[0].items[0].sku: not an item of this order",
    ),
    (
        _set(f"{SHIPPED}.quantity", 2),
        "orders[0].shipments[0].items[0].quantity: ships more than the 1 ordered",
    ),
    (
        _set(f"{ORDER}.shipments.0.carrier", "UPS"),
        "orders[0].shipments[0].carrier: not a lower-case carrier code",
    ),
    (
        _set(f"{ORDER}.shipments.0.shipped_at", "2026-11-17"),
        "orders[0].shipments[0].shipped_at: not an ISO 8601 time with an offset",
    ),
    (
        _set("tracking.0.events.1.status", "teleported"),
        f"tracking[0].events[1].status: must be one of {EVENT_STATUSES}",
    ),
    (
        _set("tracking.0.events.1.time", "2026-11-17T09:00:00-05:00"),
        "tracking[0].events[1].time: events are not in time order",
    ),
    (
        _set("tracking.0.events.1.location", "Memphis"),
        "tracking[0].events[1].location: must be an object",
    ),
    (_set("tracking.0.events", _DELETE), "tracking[0].events: is required"),
    (
        _set("tracking.0.estimated_delivery", "soon"),
        "tracking[0].estimated_delivery: not an ISO 8601 date",
    ),
    (_set("tracking", {}), "tracking: must be a list"),
    (_set("orders", _DELETE), "orders: is required"),
    (_set("orders.0", "WM-104233"), "orders[0]: must be an object"),
]


@pytest.mark.parametrize(("change", "problem"), INVALID_RECORDS)
def test_each_kind_of_invalid_record_is_reported_with_its_path_and_reason(
    change: Callable[[dict[str, Any]], None], problem: str
) -> None:
    doc = document()
    change(doc)
    assert problems_of(doc) == [problem]


def test_a_duplicate_order_number_points_at_the_first_one() -> None:
    doc = document()
    twin = copy.deepcopy(doc["orders"][0])
    twin["order_number"] = " wm-104233"
    doc["orders"].append(twin)
    assert problems_of(doc) == ["orders[1].order_number: duplicate of orders[0]"]


def test_a_sku_ordered_twice_is_refused() -> None:
    doc = document()
    doc["orders"][0]["items"].append(copy.deepcopy(doc["orders"][0]["items"][0]))
    assert problems_of(doc) == ["orders[0].items[1].sku: appears twice in this order"]


def test_a_duplicate_tracking_points_at_the_first_one() -> None:
    doc = document()
    doc["tracking"].append(copy.deepcopy(doc["tracking"][0]))
    assert problems_of(doc) == ["tracking[1].tracking_number: duplicate of tracking[0]"]


def test_every_problem_of_a_document_is_reported_at_once() -> None:
    with pytest.raises(ImportInvalid) as caught:
        load_file(FIXTURES / "orders_invalid.json")
    assert [str(problem) for problem in caught.value.problems] == [
        "orders[0].placed_at: not an ISO 8601 time with an offset",
        "orders[0].customer.email: not an email address",
        f"orders[1].status: must be one of {ORDER_STATUSES}",
        "orders[1].customer.phone: not an E.164 phone number",
        "orders[1].items[0].unit_price: not a decimal string",
        "orders[2].shipments[0].items[0].sku: not an item of this order",
        "orders[3].order_number: is required",
        "orders[3].shipping_address: is required",
        "orders[4]: must be an object",
        "tracking[1].carrier: not a lower-case carrier code",
        f"tracking[1].events[2].status: must be one of {EVENT_STATUSES}",
        "tracking[1].events[1].time: events are not in time order",
        "orders[2].order_number: duplicate of orders[0]",
        "tracking[2].tracking_number: duplicate of tracking[0]",
    ]


def test_a_document_that_is_not_an_object_is_one_problem_at_the_root() -> None:
    assert problems_of([]) == ["$: must be a JSON object"]


def test_invalid_json_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "orders": [\n    {"order_number": "WM-1",}\n  ]\n}\n')
    with pytest.raises(ImportInvalid) as caught:
        load_file(path)
    [problem] = caught.value.problems
    assert problem.path == "$"
    assert problem.reason.startswith("invalid JSON at line 3, column 29")


def test_an_unreadable_file_is_a_problem_at_the_root(tmp_path: Path) -> None:
    with pytest.raises(ImportInvalid) as caught:
        load_file(tmp_path / "missing.json")
    assert [problem.path for problem in caught.value.problems] == ["$"]
    assert "cannot read" in caught.value.problems[0].reason


def test_a_file_that_is_not_utf8_is_a_problem_at_the_root(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"orders": [], "note": "café"}'.encode("latin-1"))
    with pytest.raises(ImportInvalid) as caught:
        load_file(path)
    assert str(caught.value.problems[0]).startswith("$: not UTF-8 text")


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE), encoding="utf-8-sig")
    assert load_file(path).orders == (EXPECTED_ORDER,)


def test_import_file_hands_the_whole_batch_to_the_repository(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE))
    repository = FakeOrders()
    assert import_file(path, repository) == ImportSummary(orders=1, trackings=1)
    assert repository.orders == [EXPECTED_ORDER]


def test_import_file_writes_nothing_when_the_file_has_problems() -> None:
    repository = FakeOrders()
    with pytest.raises(ImportInvalid):
        import_file(FIXTURES / "orders_invalid.json", repository)
    assert repository.orders == []


# Files are streamed in pieces; what is read must not depend on where the pieces end.


@pytest.mark.parametrize("piece", [1, 2, 7, 64])
def test_a_file_reads_the_same_whatever_size_its_pieces(
    piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = load_file(FIXTURES / "orders_small.json")
    monkeypatch.setattr(import_fields, "_CHUNK_BYTES", piece)
    assert load_file(FIXTURES / "orders_small.json") == whole


@pytest.mark.parametrize("piece", [1, 3, 16])
def test_bad_json_is_placed_the_same_whatever_size_the_pieces(
    piece: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "orders": [\n    {"order_number": "WM-1",}\n  ]\n}\n')
    monkeypatch.setattr(import_fields, "_CHUNK_BYTES", piece)
    with pytest.raises(ImportInvalid) as caught:
        load_file(path)
    assert str(caught.value.problems[0]).startswith("$: invalid JSON at line 3, column 29")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"orders": []} []', "$: invalid JSON at line 1, column 16: Extra data"),
        ('{"orders": [1.5e3 2]}', "$: invalid JSON at line 1, column 19: Expecting ',' delimiter"),
        ('{"orders": [], "orders": []}', "orders: appears twice in the document"),
        ("[]", "$: must be a JSON object"),
        ("", "$: invalid JSON at line 1, column 1: Expecting value"),
    ],
)
def test_a_file_with_a_broken_shape_is_one_problem(
    content: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content)
    monkeypatch.setattr(import_fields, "_CHUNK_BYTES", 4)
    with pytest.raises(ImportInvalid) as caught:
        load_file(path)
    assert [str(found) for found in caught.value.problems] == [problem]


def test_text_split_inside_a_character_or_a_number_reads_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document()
    doc["orders"][0]["customer"]["name"] = "Zoë Ångström 中文"
    path = tmp_path / "utf8.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(import_fields, "_CHUNK_BYTES", 1)
    assert load_file(path).orders[0].customer.name == "Zoë Ångström 中文"


def test_a_bad_byte_is_reported_at_its_place_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"orders": [], "note": "caf\xe9"}')
    monkeypatch.setattr(import_fields, "_CHUNK_BYTES", 5)
    with pytest.raises(ImportInvalid) as caught:
        load_file(path)
    assert str(caught.value.problems[0]) == "$: not UTF-8 text (byte 27)"


class ChangingTheFile(FakeOrders):
    """A store during whose import someone rewrites the file (the second read sees it)."""

    def __init__(self, path: Path, content: str) -> None:
        super().__init__()
        self.path, self.content = path, content

    def import_batch(self, orders: Any, trackings: Any) -> None:
        self.path.write_text(self.content)
        super().import_batch(orders, trackings)


def test_a_file_broken_between_the_check_and_the_write_fails_inside_the_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE))
    broken = document()
    broken["orders"][0]["status"] = "lost"
    store = ChangingTheFile(path, json.dumps(broken))
    with pytest.raises(ImportInvalid) as caught:
        import_file(path, store)
    assert [str(found) for found in caught.value.problems] == [
        f"orders[0].status: must be one of {ORDER_STATUSES}"
    ]


# Files written to break the reader: each is refused with its problems, never a crash.


def _with(change: Callable[[dict[str, Any]], None]) -> str:
    doc = document()
    change(doc)
    return json.dumps(doc)


def _raw_quantity(raw: str) -> str:
    return json.dumps(CONTRACT_EXAMPLE).replace('"quantity": 1,', f'"quantity": {raw},', 1)


HOSTILE_FILES = [
    (
        '{"orders": [' + "[" * 100_000 + "]}",
        "$: invalid JSON at line 1, column 13: nested too deeply",
    ),
    ("[" * 100_000, "$: invalid JSON at line 1, column 1: nested too deeply"),
    (
        _raw_quantity("9" * 5000),
        "orders[0].items[0].quantity: a number of 5000 digits is too long",
    ),
    ('{"orders": [], "note": ' + "1" * 5000 + "}", "note: a number of 5000 digits is too long"),
    (_raw_quantity("NaN"), "orders[0].items[0].quantity: not a finite number"),
    ('{"orders": [], "note": [1e999]}', "note[0]: not a finite number"),
    (
        _with(_set(f"{ORDER}.items.0.quantity", 2**70)),
        "orders[0].items[0].quantity: must be at most 100000",
    ),
    (
        _with(_set(f"{ORDER}.customer.name", "\ud800")),
        "orders[0].customer.name: contains a lone surrogate",
    ),
    (
        _with(_set(f"{ORDER}.customer.name", "Jane\x00Doe")),
        "orders[0].customer.name: contains a NUL character",
    ),
    ('{"orders": [], "\\u0000": 1}', '$["\\u0000"]: the key contains a NUL character'),
    (
        _with(_set("tracking.0.events.0.time", "0001-01-01T00:00:00+01:00")),
        "tracking[0].events[0].time: must be in the years 2000 to 2100",
    ),
    (
        json.dumps(CONTRACT_EXAMPLE).replace(
            '"city": "Memphis",', '"city": "Memphis", "city": "X",'
        ),
        "tracking[0].events[1].location.city: appears twice in this object",
    ),
    ('{"orders": [], "x": {"a b": 1, "a b": 2}}', 'x["a b"]: appears twice in this object'),
    ('{"orders": [], "x": 1, "x": 2}', "x: appears twice in the document"),
    (
        _with(_set(f"{ORDER}.customer.name", "x" * 10_000_000)),
        "orders[0].customer.name: is longer than 500 characters",
    ),
]


@pytest.mark.parametrize(("content", "problem"), HOSTILE_FILES)
def test_a_hostile_file_is_refused_with_one_problem(
    content: str, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    repository = FakeOrders()
    with pytest.raises(ImportInvalid) as caught:
        import_file(path, repository)
    assert [str(found) for found in caught.value.problems] == [problem]
    assert repository.orders == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            _set(f"{ORDER}.items.0.quantity", 100_001),
            "orders[0].items[0].quantity: must be at most 100000",
        ),
        (
            _set(f"{ORDER}.items.0.unit_price", "10000000000.00"),
            "orders[0].items[0].unit_price: is too large",
        ),
        (
            _set(f"{ORDER}.items.0.unit_price", "1" * 5000),
            "orders[0].items[0].unit_price: is too large",
        ),
        (
            _set(f"{ORDER}.items.0.unit_price", "NaN"),
            "orders[0].items[0].unit_price: not a decimal string",
        ),
        (
            _set(f"{ORDER}.placed_at", "2101-01-01T00:00:00+00:00"),
            "orders[0].placed_at: must be in the years 2000 to 2100",
        ),
        (
            _set(f"{ORDER}.placed_at", "2026-11-16T14:03:00+05:00:30"),
            "orders[0].placed_at: has an offset that is not whole minutes",
        ),
        (
            _set(f"{ORDER}.promised_delivery.earliest", "1999-12-31"),
            "orders[0].promised_delivery.earliest: must be in the years 2000 to 2100",
        ),
        (
            _set(f"{ORDER}.customer.email", "a" * 250 + "@b.co"),
            "orders[0].customer.email: is longer than 254 characters",
        ),
        (
            _set("tracking.0.events.0.description", "x" * 2001),
            "tracking[0].events[0].description: is longer than 2000 characters",
        ),
        (
            _set(f"{ORDER}.shipping_address.line1", float("inf")),
            "orders[0].shipping_address.line1: not a finite number",
        ),
        (
            _set(f"{ORDER}.customer.name", "\ud83d"),
            "orders[0].customer.name: contains a lone surrogate",
        ),
        (_set("note", {"a": {"b": "\x00"}}), "note.a.b: contains a NUL character"),
    ],
)
def test_a_value_out_of_bounds_is_refused(
    change: Callable[[dict[str, Any]], None], problem: str
) -> None:
    doc = document()
    change(doc)
    assert problems_of(doc) == [problem]


def test_a_surrogate_pair_is_one_character_and_read(tmp_path: Path) -> None:
    content = json.dumps(CONTRACT_EXAMPLE).replace("Jane Doe", "Jane \\ud83d\\ude00")
    path = tmp_path / "pair.json"
    path.write_text(content)
    assert load_file(path).orders[0].customer.name == "Jane \U0001f600"


def test_the_boundary_values_are_accepted() -> None:
    doc = document()
    doc["orders"][0]["items"][0]["quantity"] = 100_000
    doc["orders"][0]["items"][0]["unit_price"] = "9999999999.99"
    doc["orders"][0]["placed_at"] = "2000-01-01T00:00:00+14:00"
    doc["orders"][0]["customer"]["name"] = "x" * 500
    item = parse_document(doc).orders[0].items[0]
    assert (item.quantity, item.unit_price) == (100_000, Decimal("9999999999.99"))
