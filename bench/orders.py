"""Synthetic orders for the store benchmark, in the import format (orders-import.md).

Order `i` of a data set is a pure function of `(count, seed, i)`, so a file is the same bytes
for the same count and seed, and the benchmark can rebuild any order (and its keys) without
reading the file back. Orders are written one by one, never held together in memory.

    write_orders(Path("orders.json"), 1_000_000, seed=7)   # progress on stderr
    order_document(1_000_000, 7, 41)                       # the 42nd order of that file
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

from bot.demo.catalog import CURRENCY, PRODUCTS
from bot.demo.tracking_numbers import tracking_number

Json = dict[str, Any]
GENERATOR_VERSION = 1  # bump when a change makes other files from the same count and seed

# The contract's example "now": the data set reads the same on any day.
ANCHOR = datetime(2026, 11, 20, 15, 0, tzinfo=timezone(timedelta(hours=-5)))
HISTORY = timedelta(days=730)  # orders are spread over two years before ANCHOR
FIRST_NUMBER = 1_000_000  # order numbers WM-1000000 ... keep one width up to 9 million orders
ORDERS_PER_CUSTOMER = 3  # on average: an email lookup finds a few orders
SERIAL_SPACE = 10**7  # distinct serials per carrier scheme (bot.demo.tracking_numbers)

SKUS = sorted(PRODUCTS)
# Word lists read better packed than one word per line.
# fmt: off
FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack", "Kira",
    "Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
    "Wes", "Xena", "Yusuf", "Zoe", "Aisha", "Carlos", "Elena", "Kenji",
)
LAST_NAMES = (
    "Adams", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hassan", "Ito", "Jensen",
    "Khan", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quint", "Rossi", "Schmidt", "Tanaka",
    "Ueda", "Varga", "Weber", "Xu", "Young", "Zimmer", "Murphy", "Clarke",
)
STREETS = (
    "Main St", "Oak Ave", "Pine St", "Maple Dr", "Cedar Ln", "Elm St", "Lake Rd", "Hill St",
    "Park Ave", "Church St", "River Rd", "Sunset Blvd", "2nd St", "Washington Ave", "Lincoln Way",
)
# fmt: on
DOMAINS = ("example.com", "example.org", "example.net")
# (city, region, ZIP prefix, area code, UTC offset in hours); the rest of each ZIP varies.
CITIES = (
    ("San Francisco", "CA", "94", "415", -8),
    ("Sacramento", "CA", "958", "916", -8),
    ("Seattle", "WA", "981", "206", -8),
    ("Portland", "OR", "972", "503", -8),
    ("Denver", "CO", "802", "303", -7),
    ("Salt Lake City", "UT", "841", "801", -7),
    ("Phoenix", "AZ", "850", "602", -7),
    ("Austin", "TX", "787", "512", -6),
    ("Minneapolis", "MN", "554", "612", -6),
    ("Chicago", "IL", "606", "312", -6),
    ("Madison", "WI", "537", "608", -6),
    ("Atlanta", "GA", "303", "404", -5),
    ("Brooklyn", "NY", "112", "718", -5),
    ("Cambridge", "MA", "021", "617", -5),
    ("Burlington", "VT", "054", "802", -5),
    ("Asheville", "NC", "288", "828", -5),
)
CARRIERS = (  # (carrier, services, weight) for parcels within the US
    ("ups", ("Ground", "2nd Day Air", "Next Day Air"), 40),
    ("usps", ("Ground Advantage", "Priority Mail"), 35),
    ("fedex", ("Ground", "Home Delivery", "2Day", "Priority Overnight"), 20),
    ("dhl", ("Express Worldwide",), 5),
)
RECENT_STATUSES = (  # orders placed in the last two weeks: (status, weight)
    ("processing", 30),
    ("on_hold", 6),
    ("backordered", 8),
    ("partially_fulfilled", 10),
    ("fulfilled", 42),
    ("cancelled", 4),
)
OLD_STATUSES = (("fulfilled", 93), ("cancelled", 6), ("backordered", 1))
SHIPPED = frozenset({"fulfilled", "partially_fulfilled"})
_CARRIER_WEIGHTS = list(accumulate(weight for *_, weight in CARRIERS))
_RECENT = [s for s, _ in RECENT_STATUSES], list(accumulate(w for _, w in RECENT_STATUSES))
_OLD = [s for s, _ in OLD_STATUSES], list(accumulate(w for _, w in OLD_STATUSES))


def max_orders() -> int:
    """The most orders one data set can have with unique tracking numbers (two parcels each)."""
    return (SERIAL_SPACE - 1000) // 2  # and a thousand unused ones for lookups that miss


def customer_count(count: int) -> int:
    """How many customers share the `count` orders."""
    return max(1, count // ORDERS_PER_CUSTOMER)


def order_document(count: int, seed: int, index: int) -> Json:
    """Order `index` of the data set of `count` orders made from `seed`, as import JSON."""
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 (test data, not secrets)
    customer_id = rng.randrange(customer_count(count))
    city, region, zip_prefix, area, hours = CITIES[customer_id % len(CITIES)]
    offset = timezone(timedelta(hours=hours))
    age = HISTORY * (count - index) / count + timedelta(minutes=rng.randrange(0, 180))
    placed = (ANCHOR - age).astimezone(offset).replace(second=0, microsecond=0)
    status = _status(rng, age)
    items = _items(rng, status)
    shipments = _shipments(rng, status, items, placed, _parcel_seeds(seed, index))
    return {
        "order_number": f"WM-{FIRST_NUMBER + index}",
        "placed_at": placed.isoformat(),
        "status": status,
        "customer": _customer(seed, customer_id, area),
        "shipping_address": _address(customer_id, city, region, zip_prefix),
        "items": items,
        "promised_delivery": _window(rng, placed, status),
        "backorder_until": (
            (placed + timedelta(days=rng.randrange(7, 35))).date().isoformat()
            if status == "backordered"
            else None
        ),
        "shipments": shipments,
    }


def _status(rng: random.Random, age: timedelta) -> str:
    statuses, weights = _RECENT if age < timedelta(days=14) else _OLD
    return rng.choices(statuses, cum_weights=weights)[0]


def _customer(seed: int, customer_id: int, area: str) -> Json:
    first = FIRST_NAMES[(customer_id + seed) % len(FIRST_NAMES)]
    last = LAST_NAMES[(customer_id // len(FIRST_NAMES)) % len(LAST_NAMES)]
    domain = DOMAINS[customer_id % len(DOMAINS)]
    phone = f"+1{area}55501{customer_id % 100:02d}" if customer_id % 5 else None
    email = f"{first}.{last}.{customer_id}@{domain}".lower()
    return {"name": f"{first} {last}", "email": email, "phone": phone}


def _address(customer_id: int, city: str, region: str, zip_prefix: str) -> Json:
    street = STREETS[customer_id % len(STREETS)]
    postal_code = f"{zip_prefix}{customer_id % 10 ** (5 - len(zip_prefix)):0{5 - len(zip_prefix)}d}"
    return {
        "line1": f"{100 + customer_id % 9800} {street}",
        "line2": f"Apt {customer_id % 40 + 1}" if customer_id % 4 == 0 else None,
        "city": city,
        "region": region,
        "postal_code": postal_code,
        "country": "US",
    }


def _items(rng: random.Random, status: str) -> list[Json]:
    count = rng.choices((1, 2, 3), (55, 30, 15))[0]
    if status == "partially_fulfilled":
        count = max(count, 2)  # something shipped, something still to ship
    items = []
    for sku in rng.sample(SKUS, count):
        name, price = PRODUCTS[sku]
        quantity = rng.choices((1, 2, 3), (80, 15, 5))[0]
        items.append(
            {"sku": sku, "name": name, "quantity": quantity, "unit_price": price,
             "currency": CURRENCY}
        )  # fmt: skip
    return items


def _parcel_seeds(seed: int, index: int) -> tuple[int, int]:
    """Two serials no other order of the data set uses (for up to `max_orders()` orders)."""
    base = (2 * index + seed * 7_777_777) % SERIAL_SPACE
    return base, (base + 1) % SERIAL_SPACE


def _shipments(
    rng: random.Random, status: str, items: list[Json], placed: datetime, seeds: tuple[int, int]
) -> list[Json]:
    if status not in SHIPPED:
        return []
    parts = [{"sku": item["sku"], "quantity": item["quantity"]} for item in items]
    if status == "partially_fulfilled":
        parcels = [parts[:1]]
    elif len(parts) > 1 and rng.random() < 0.2:
        parcels = [parts[:1], parts[1:]]  # a split order: two parcels
    else:
        parcels = [parts]
    shipments = []
    for parcel, serial in zip(parcels, seeds, strict=False):
        carrier, services, _ = rng.choices(CARRIERS, cum_weights=_CARRIER_WEIGHTS)[0]
        service = rng.choice(services)
        shipped = placed + timedelta(minutes=rng.randrange(8 * 60, 3 * 24 * 60))
        shipments.append(
            {
                "carrier": carrier,
                "tracking_number": tracking_number(carrier, service, serial),
                "service": service,
                "shipped_at": shipped.isoformat(),
                "items": parcel,
            }
        )
    return shipments


def _window(rng: random.Random, placed: datetime, status: str) -> Json | None:
    if status == "cancelled" or rng.random() < 0.1:
        return None
    earliest = placed.date() + timedelta(days=rng.randrange(2, 6))
    latest = earliest + timedelta(days=rng.randrange(0, 4))
    return {"earliest": earliest.isoformat(), "latest": latest.isoformat()}


def unused_tracking_number(count: int, seed: int, k: int) -> str:
    """A valid-looking UPS number that no order of the data set has (for k < 1000)."""
    base = (2 * count + seed * 7_777_777 + k) % SERIAL_SPACE  # past the last order's serials
    return tracking_number("ups", "Ground", base)


def order_documents(count: int, seed: int) -> Iterator[Json]:
    """Every order of the data set, in file order."""
    for index in range(count):
        yield order_document(count, seed, index)


def write_orders(path: Path, count: int, seed: int, *, progress: bool = True) -> float:
    """Write the data set to `path` (atomically: a file there is always complete); seconds taken."""
    if not 0 < count <= max_orders():
        raise ValueError(f"count must be between 1 and {max_orders()}")
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    bar = Progress("generating orders", count, sys.stderr if progress else None)
    with partial.open("w", encoding="utf-8") as out:
        out.write('{"orders": [\n')
        for index, order in enumerate(order_documents(count, seed)):
            out.write(",\n" if index else "")
            out.write(json.dumps(order, separators=(",", ":")))
            bar.update(index + 1)
        out.write('\n], "tracking": []}\n')
    bar.close()
    os.replace(partial, path)
    return time.perf_counter() - started


class Progress:
    """A one-line progress bar on a stream (none when the stream is None).

    On a terminal the line is redrawn each percent; in a log it is written each tenth.
    """

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, max(total, 1), stream
        self.started = time.perf_counter()
        self.steps = 100 if stream is not None and stream.isatty() else 10
        self.shown = -1

    def update(self, done: int) -> None:
        """Show that `done` of the total are done."""
        step = done * self.steps // self.total
        if self.stream is None or step == self.shown:
            return
        self.shown = step
        bar = "#" * (done * self.WIDTH // self.total)
        elapsed = time.perf_counter() - self.started
        line = f"{self.label} [{bar:<{self.WIDTH}}] {done}/{self.total} {elapsed:.0f}s"
        self.stream.write("\r" + line if self.steps == 100 else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal."""
        if self.stream is not None and self.steps == 100:
            self.stream.write("\n")
            self.stream.flush()
