"""Orders, customers, items and shipments as the store knows them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class OrderStatus(enum.StrEnum):
    """The store's fulfilment status of an order (the import contract's `status`)."""

    PROCESSING = "processing"
    ON_HOLD = "on_hold"
    BACKORDERED = "backordered"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Customer:
    """Who placed the order."""

    name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class Address:
    """A delivery address."""

    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Item:
    """One line of an order."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    currency: str


@dataclass(frozen=True)
class ShipmentItem:
    """Which item, and how many, travel in one parcel."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class Shipment:
    """One parcel of an order."""

    carrier: str
    tracking_number: str
    shipped_at: datetime | None = None
    service: str | None = None
    items: tuple[ShipmentItem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DeliveryWindow:
    """The delivery dates promised at checkout."""

    earliest: date
    latest: date


@dataclass(frozen=True)
class Order:
    """An order with everything needed to answer "where is it?"."""

    order_number: str
    placed_at: datetime
    status: OrderStatus
    customer: Customer
    shipping_address: Address
    items: tuple[Item, ...] = field(default_factory=tuple)
    shipments: tuple[Shipment, ...] = field(default_factory=tuple)
    promised_delivery: DeliveryWindow | None = None
    backorder_until: date | None = None

    def unshipped_items(self) -> tuple[Item, ...]:
        """Items (or parts of them) that no shipment carries yet."""
        shipped: dict[str, int] = {}
        for shipment in self.shipments:
            for part in shipment.items:
                shipped[part.sku] = shipped.get(part.sku, 0) + part.quantity
        left = []
        for item in self.items:
            remaining = item.quantity - shipped.get(item.sku, 0)
            if remaining > 0:
                left.append(Item(item.sku, item.name, remaining, item.unit_price, item.currency))
        return tuple(left)
