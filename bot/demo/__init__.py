"""The demo data set of Woodland Market, an outdoor-gear store, relative to "now".

`build_demo(now)` returns a document in the order import format (shared
contract orders-import.md); `SCENARIOS` maps a story name ("late_weather",
"delivered_missing" ...) to the order number that tells it. The customer's
email and postal code of each scenario are in the document.

    document = build_demo(clock.now())
    order_number = SCENARIOS["in_transit"]   # "WM-104233"
"""

from __future__ import annotations

from bot.demo.document import build_demo
from bot.demo.scenarios import SCENARIOS

__all__ = ["SCENARIOS", "build_demo"]
