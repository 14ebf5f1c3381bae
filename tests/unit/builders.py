"""Small builders and fakes for unit tests: real domain objects, in-memory ports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from bot.domain.access import Client, Grant, Level, Limits
from bot.domain.claims import (
    CheckBack,
    Claim,
    ClaimState,
    Conversation,
    OrderChangeKind,
    ReferenceTaken,
    Remedy,
)
from bot.domain.clock import Clock
from bot.domain.errors import CarrierUnavailable
from bot.domain.identity import OrderIdentity, OrderRef, RefKind
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
from bot.services.access import Access, keyed_digest
from bot.services.ports import StoredCode
from bot.services.wismo import Wismo

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
    changes: list[tuple[str, OrderChangeKind, datetime, Conversation]] = field(default_factory=list)

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

    def identities(self, ref: OrderRef) -> list[OrderIdentity]:
        if ref.kind is RefKind.EMAIL:
            found = self.find_by_email(ref.value)
        elif ref.kind is RefKind.ORDER_NUMBER:
            found = [o for o in [self.get_by_number(ref.value)] if o]
        else:
            found = [o for o in [self.get_by_tracking(ref.value)] if o]
        return [OrderIdentity.of(o) for o in found]

    def save_snapshot(self, tracking: Tracking) -> None:
        self.snapshots[(tracking.carrier, tracking.tracking_number)] = tracking

    def last_snapshot(self, carrier: str, tracking_number: str) -> Tracking | None:
        return self.snapshots.get((carrier, tracking_number))

    def import_batch(self, orders: Sequence[Order], trackings: Sequence[Tracking]) -> None:
        self.orders.extend(orders)

    def cancel(self, order_number: str, now: datetime, by: Conversation) -> Order | None:
        return self._change(
            order_number, OrderChangeKind.CANCEL, now, by, status=OrderStatus.CANCELLED
        )

    def change_address(
        self, order_number: str, address: Address, now: datetime, by: Conversation
    ) -> Order | None:
        return self._change(
            order_number, OrderChangeKind.ADDRESS, now, by, shipping_address=address
        )

    def _change(
        self, number: str, kind: OrderChangeKind, now: datetime, by: Conversation, **values: object
    ) -> Order | None:
        found = self.get_by_number(number.strip().upper())
        if found is None:
            return None
        changed = replace(found, **values)  # type: ignore[arg-type]
        self.orders[self.orders.index(found)] = changed
        self.changes.append((changed.order_number, kind, now, by))
        return changed


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


@dataclass
class FakeAccessStore:
    """An in-memory AccessStore."""

    grants: list[tuple[str, str, Grant]] = field(default_factory=list)
    failures: list[tuple[str, datetime]] = field(default_factory=list)
    codes: list[StoredCode] = field(default_factory=list)
    spent: set[int] = field(default_factory=set)

    def live_grants(self, binding: str, conversation: str, since: datetime) -> list[Grant]:
        return [
            g
            for b, c, g in self.grants
            if (b, c) == (binding, conversation) and g.last_used and g.last_used > since
        ]

    def add_grants(self, binding: str, conversation: str, grants: Sequence[Grant]) -> None:
        self.grants += [(binding, conversation, g) for g in grants]

    def touch_grants(self, binding: str, conversation: str, now: datetime) -> None:
        self.grants = [
            (b, c, replace(g, last_used=now) if (b, c) == (binding, conversation) else g)
            for b, c, g in self.grants
        ]

    def failure_counts(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, at in self.failures:
            if key in keys and at > since:
                counts[key] = counts.get(key, 0) + 1
        return counts

    def add_failures(self, keys: Sequence[str], now: datetime) -> None:
        self.failures += [(key, now) for key in keys]

    def codes_sent(self, order_number: str, since: datetime) -> int:
        return sum(1 for c in self.codes if c.order_number == order_number and c.created_at > since)

    def add_code(self, code: StoredCode) -> None:
        self.codes.append(replace(code, id=len(self.codes) + 1))

    def live_code(
        self, binding: str, conversation: str, order_number: str, now: datetime
    ) -> StoredCode | None:
        mine = [
            c
            for c in self.codes
            if (c.binding, c.conversation, c.order_number) == (binding, conversation, order_number)
            and c.id not in self.spent
            and c.expires_at > now
        ]
        return mine[-1] if mine else None

    def spend_code(self, code: StoredCode, now: datetime) -> bool:
        if code.id in self.spent:
            return False
        self.spent.add(code.id or 0)
        return True


@dataclass
class FakeClaims:
    """An in-memory ClaimRepository over the orders it knows (for a customer's count)."""

    orders: FakeOrders = field(default_factory=FakeOrders)
    claims: list[Claim] = field(default_factory=list)

    def add(self, claim: Claim) -> Claim:
        if self.get(claim.reference) is not None:
            raise ReferenceTaken(claim.reference)
        for kept in self.claims:
            same = (kept.order_number, kept.tracking_number, kept.type)
            if kept.active and same == (claim.order_number, claim.tracking_number, claim.type):
                return kept
        self.claims.append(claim)
        return claim

    def get(self, reference: str) -> Claim | None:
        return next((c for c in self.claims if c.reference == reference), None)

    def for_order(self, order_number: str) -> list[Claim]:
        mine = [c for c in self.claims if c.order_number == order_number]
        return sorted(mine, key=lambda c: c.opened_at)

    def active(self, limit: int) -> list[Claim]:
        open_ = [c for c in self.claims if c.active]
        return sorted(open_, key=lambda c: (c.follow_up_on, c.opened_at))[:limit]

    def count_for_customer(self, email: str, since: datetime) -> int:
        numbers = {o.order_number for o in self.orders.find_by_email(email.strip())}
        return sum(1 for c in self.claims if c.order_number in numbers and c.opened_at >= since)

    def update(
        self,
        reference: str,
        state: ClaimState,
        remedy: Remedy,
        now: datetime,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> Claim | None:
        found = self.get(reference)
        if found is None:
            return None
        changed = replace(
            found, state=state, remedy=remedy, updated_at=now, amount=amount, currency=currency
        )
        self.claims[self.claims.index(found)] = changed
        return changed


@dataclass
class FakeCheckBacks:
    """An in-memory CheckBackRepository."""

    kept: list[CheckBack] = field(default_factory=list)

    def schedule(self, check_back: CheckBack) -> CheckBack:
        key = (check_back.order_number, check_back.kind, check_back.due_at)
        for each in self.kept:
            if (each.order_number, each.kind, each.due_at) == key:
                return each
        stored = replace(check_back, id=len(self.kept) + 1)
        self.kept.append(stored)
        return stored

    def due(self, now: datetime, limit: int) -> list[CheckBack]:
        ready = [
            c
            for c in self.kept
            if c.sent_at is None and c.due_at <= now and (c.retry_at is None or c.retry_at <= now)
        ]
        return sorted(ready, key=lambda c: (c.due_at, c.id or 0))[:limit]

    def mark_sent(self, check_back_id: int, now: datetime) -> bool:
        return self._set(check_back_id, lambda c: replace(c, sent_at=now))

    def record_failure(self, check_back_id: int, now: datetime, retry_at: datetime) -> None:
        self._set(check_back_id, lambda c: replace(c, attempts=c.attempts + 1, retry_at=retry_at))

    def _set(self, check_back_id: int, change: Callable[[CheckBack], CheckBack]) -> bool:
        for n, each in enumerate(self.kept):
            if each.id == check_back_id and each.sent_at is None:
                self.kept[n] = change(each)
                return True
        return False


@dataclass
class FakeMailer:
    """A Mailer that keeps what it was asked to send."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


@dataclass
class TickingClock:
    """A clock that a test moves forward (a Clock by its `now`)."""

    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


CLIENT = Client("rest", "shopper-1", "session-1", "127.0.0.1")


def make_access(orders: FakeOrders, clock: Clock | None = None, **limits: object) -> Access:
    """The access service over in-memory ports, with no time floor."""
    return Access(
        FakeAccessStore(),
        orders,
        keyed_digest(b"test-secret"),
        FakeMailer(),
        Limits(**limits),  # type: ignore[arg-type]
        clock or TickingClock(),  # type: ignore[arg-type]
        floor_seconds=0,
    )


def grant(
    access: Access, order_number: str, level: Level = Level.STATUS, client: Client = CLIENT
) -> None:
    """Give a client a grant on an order, as a successful check would."""
    access._add(client, [Grant(order_number, level)])


def granted_wismo(
    orders: FakeOrders,
    carrier: object,
    cache: timedelta = timedelta(0),
    level: Level = Level.STATUS,
) -> Wismo:
    """The use cases over in-memory ports, with CLIENT granted every order at `level`."""
    access = make_access(orders)
    for each in orders.orders:
        grant(access, each.order_number, level)
    return Wismo(orders, carrier, Clock(NOW), cache, access=access)  # type: ignore[arg-type]
