"""Orders made for the phone benchmarks: copies of demo orders, each its own shopper's.

A copy keeps the demo order's story (its items, address, promise and its parcel's
scans) under a new order number, customer phone and email, and a new UPS number
that the carrier detector accepts, so the phone channels and the notifier treat it
as any order. Copies are imported with `wismo import`, as an operator would.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.adapters.carriers.detect import detect_carrier
from bot.demo import build_demo
from tests.support.stack import ROOT, Stack

Json = dict[str, Any]
UPS_SERIALS = 21_000_000  # the detector finds no valid check digit for some low serials


def phone_number(index: int) -> str:
    """A +1555 number (E.164) of no demo customer."""
    return f"+1555{index:07d}"


def ups_numbers(count: int, serial: int) -> list[str]:
    """`count` UPS numbers the carrier detector accepts, each check digit found by trying."""
    found: list[str] = []
    for tried in range(serial, serial + 10 * count + 100):
        if len(found) == count:
            break
        base = f"1Z999BB1{tried:09d}"
        digit = next((d for d in "0123456789" if detect_carrier(base + d) == "ups"), None)
        if digit is not None:
            found.append(base + digit)
    if len(found) < count:
        raise ValueError(f"no {count} valid UPS numbers from serial {serial}")
    return found


def order_copies(now: datetime, sources: Sequence[str], count: int, first: int) -> Json:
    """An import document of `count` copies of the demo orders `sources` (in turn), each
    shipping one UPS parcel: copy i is order WM-<first + i>, texted from +1555<first + i>,
    its parcel a new UPS number with the source parcel's history."""
    document = build_demo(now)
    orders = {order["order_number"]: order for order in document["orders"]}
    tracking = {parcel["tracking_number"]: parcel for parcel in document["tracking"]}
    copies, parcels = [], []
    for index, ups in enumerate(ups_numbers(max(0, count), UPS_SERIALS + first)):
        order = deepcopy(orders[sources[index % len(sources)]])
        parcel = deepcopy(tracking[order["shipments"][0]["tracking_number"]])
        order["order_number"] = f"WM-{first + index:06d}"
        email = f"shopper.{first + index}@example.com"
        order["customer"].update(phone=phone_number(first + index), email=email)
        order["shipments"][0]["tracking_number"] = parcel["tracking_number"] = ups
        copies.append(order)
        parcels.append(parcel)
    return {"orders": copies, "tracking": parcels}


def import_document(stack: Stack, document: Json) -> None:
    """`wismo import` of a document into the stack's store, as an operator runs it."""
    if not document["orders"] and not document["tracking"]:
        return
    with tempfile.TemporaryDirectory(prefix="wismo-bench-phones-") as tmp:
        path = Path(tmp) / "import.json"
        path.write_text(json.dumps(document))
        wismo = ROOT / ".venv" / "bin" / "wismo"
        subprocess.run(
            [str(wismo), "import", str(path)], env=stack.env, check=True, stdout=subprocess.DEVNULL
        )
