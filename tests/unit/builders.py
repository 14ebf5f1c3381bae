"""Small builders and fakes for unit tests: real domain objects, in-memory ports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from bot.domain.errors import CarrierUnavailable
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
from bot.domain.shipments import Location, ShipmentStatus, Tracking, TrackingEvent

EST = timezone(timedelta(hours=-5))
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EST)


def order(
    number: str = "WM-104233", email: str = "jane.doe@example.com", **changes: object
) -> Order:
    base = Order(
        order_number=number,
        placed_at=NOW - timedelta(days=4),
        status=OrderStatus.FULFILLED,
        customer=Customer("Jane Doe", email, "+14155550134"),
        shipping_address=Address(
            "500 Terry Francois St", "San Francisco", "94107", "US", region="CA"
        ),
        items=(Item("TENT-2P", "Two-person tent", 1, Decimal("189.00"), "USD"),),
        shipments=(
            Shipment(
                "ups",
                "1Z999AA10123456784",
                NOW - timedelta(days=3),
                items=(ShipmentItem("TENT-2P", 1),),
            ),
        ),
        promised_delivery=DeliveryWindow(date(2026, 11, 19), date(2026, 11, 21)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def tracking(
    status: ShipmentStatus = ShipmentStatus.IN_TRANSIT,
    *,
    detail: str | None = None,
    hours_ago: float = 3,
    eta: date | None = date(2026, 11, 21),
    number: str = "1Z999AA10123456784",
) -> Tracking:
    event = TrackingEvent(
        NOW - timedelta(hours=hours_ago),
        status,
        detail,
        "Departed from facility",
        Location("Memphis", "TN", None, "US"),
    )
    return Tracking("ups", number, status, detail, eta, (event,))


@dataclass
class FakeOrders:
    """An in-memory OrderRepository."""

    orders: list[Order] = field(default_factory=list)
    snapshots: dict[tuple[str, str], Tracking] = field(default_factory=dict)

    def get_by_number(self, order_number: str) -> Order | None:
        return next((o for o in self.orders if o.order_number == order_number), None)

    def find_by_email(self, email: str) -> list[Order]:
        mine = [o for o in self.orders if o.customer.email.lower() == email.lower()]
        return sorted(mine, key=lambda o: o.placed_at, reverse=True)

    def get_by_tracking(self, tracking_number: str) -> Order | None:
        return next(
            (o for o in self.orders for s in o.shipments if s.tracking_number == tracking_number),
            None,
        )

    def save_snapshot(self, tracking: Tracking) -> None:
        self.snapshots[(tracking.carrier, tracking.tracking_number)] = tracking

    def last_snapshot(self, carrier: str, tracking_number: str) -> Tracking | None:
        return self.snapshots.get((carrier, tracking_number))

    def import_batch(self, orders: Sequence[Order], trackings: Sequence[Tracking]) -> None:
        self.orders.extend(orders)


@dataclass
class FakeCarrier:
    """A TrackingProvider answering from a dict; `down` makes it fail like an outage."""

    answers: dict[str, Tracking] = field(default_factory=dict)
    down: bool = False
    calls: int = 0

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        self.calls += 1
        if self.down:
            raise CarrierUnavailable("timed out")
        return replace(self.answers[tracking_number], fetched_at=NOW)
