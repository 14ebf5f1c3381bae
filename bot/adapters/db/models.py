"""The order store's tables as SQLAlchemy 2 typed declarative models."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain.accounts import Role
from bot.domain.claims import CheckBackKind, ClaimState, ClaimType, OrderChangeKind, Remedy
from bot.domain.helpdesk import DeliveryState
from bot.domain.notices import NoticeKind, NoticeState
from bot.domain.orders import OrderStatus
from bot.domain.shipments import ShipmentStatus
from bot.domain.tickets import Contact, TicketOutcome, TicketState, Trigger


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC, read back aware on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive times; store UTC (naive on databases without time zones)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused by the order store: {value!r}")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _string_enum(kind: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its values in a plain string column (no native enum type)."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class ShipmentItemJson(TypedDict):
    """One entry of `shipments.items`."""

    sku: str
    quantity: int


class LocationJson(TypedDict):
    """A scan location inside an event."""

    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None


class EventJson(TypedDict):
    """One entry of a tracking's `events`; `time` is ISO 8601 with its original offset."""

    time: str
    status: str
    detail: str | None
    description: str
    location: LocationJson | None


class EntityJson(TypedDict):
    """One entry of `conversation_events.entities`; `value` is None when withheld."""

    name: str
    value: str | None


class Base(DeclarativeBase):
    """Declarative base of the order store; named constraints keep migrations portable."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_N_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class CustomerRow(Base):
    """A customer, one per (lower-cased) email."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String, unique=True, index=True)
    name: Mapped[str] = mapped_column(String)
    phone: Mapped[str | None] = mapped_column(String)


class OrderRow(Base):
    """An order with its shipping address and promises."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String, unique=True, index=True)
    status: Mapped[OrderStatus] = mapped_column(_string_enum(OrderStatus, "order_status"))
    placed_at: Mapped[datetime] = mapped_column(AwareDateTime())
    placed_at_offset: Mapped[int] = mapped_column(Integer, comment="UTC offset in seconds")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    ship_line1: Mapped[str] = mapped_column(String)
    ship_line2: Mapped[str | None] = mapped_column(String)
    ship_city: Mapped[str] = mapped_column(String)
    ship_region: Mapped[str | None] = mapped_column(String)
    ship_postal_code: Mapped[str] = mapped_column(String)
    ship_country: Mapped[str] = mapped_column(String(2))
    promised_earliest: Mapped[date | None] = mapped_column(Date)
    promised_latest: Mapped[date | None] = mapped_column(Date)
    backorder_until: Mapped[date | None] = mapped_column(Date)

    customer: Mapped[CustomerRow] = relationship(lazy="raise")
    items: Mapped[list[OrderItemRow]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OrderItemRow.position",
        lazy="raise",
    )
    shipments: Mapped[list[ShipmentRow]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ShipmentRow.position",
        lazy="raise",
    )


class OrderItemRow(Base):
    """One line of an order."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))


class ShipmentRow(Base):
    """One parcel of an order; `items` says what travels in it."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String)
    tracking_number: Mapped[str] = mapped_column(String, index=True)
    service: Mapped[str | None] = mapped_column(String)
    shipped_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    shipped_at_offset: Mapped[int | None] = mapped_column(Integer, comment="UTC offset in seconds")
    items: Mapped[list[ShipmentItemJson]] = mapped_column(JSON)


class TrackingSnapshotRow(Base):
    """The last tracking answer a carrier gave for a parcel."""

    __tablename__ = "tracking_snapshots"
    __table_args__ = (UniqueConstraint("carrier", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String)
    tracking_number: Mapped[str] = mapped_column(String)
    status: Mapped[ShipmentStatus] = mapped_column(_string_enum(ShipmentStatus, "shipment_status"))
    detail: Mapped[str | None] = mapped_column(String)
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    events: Mapped[list[EventJson]] = mapped_column(JSON)
    fetched_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class SandboxTrackingRow(Base):
    """An imported tracking history the sandbox carrier serves."""

    __tablename__ = "sandbox_trackings"
    __table_args__ = (UniqueConstraint("carrier", "tracking_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String)
    tracking_number: Mapped[str] = mapped_column(String)
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    events: Mapped[list[EventJson]] = mapped_column(JSON)


class GrantRow(Base):
    """What a client proved about an order in a conversation (identifiers as digests)."""

    __tablename__ = "grants"
    __table_args__ = (Index("ix_grants_binding_conversation", "binding", "conversation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    binding: Mapped[str] = mapped_column(String(64))
    conversation: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str] = mapped_column(String)
    level: Mapped[int] = mapped_column(Integer)
    tracking_number: Mapped[str | None] = mapped_column(String)
    last_used: Mapped[datetime] = mapped_column(AwareDateTime())


class FailureRow(Base):
    """One failed check counted against one key (a digest), at a time."""

    __tablename__ = "check_failures"
    __table_args__ = (Index("ix_check_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(AwareDateTime())


class OneTimeCodeRow(Base):
    """A one-time code sent for an order: its digest, never the code."""

    __tablename__ = "one_time_codes"
    __table_args__ = (
        Index("ix_one_time_codes_order_number_created_at", "order_number", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    binding: Mapped[str] = mapped_column(String(64))
    conversation: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str] = mapped_column(String)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    used_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


# The one predicate of the partial unique index on claims; an upsert names it word for word.
ACTIVE_CLAIM = "state != 'closed'"


class ClaimRow(Base):
    """A claim on an order or one of its parcels; at most one active per order, parcel, type."""

    __tablename__ = "claims"
    __table_args__ = (
        Index(
            "uq_claims_active_order_number_tracking_number_type",
            "order_number",
            "tracking_number",
            "type",
            unique=True,
            sqlite_where=text(ACTIVE_CLAIM),
            postgresql_where=text(ACTIVE_CLAIM),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.order_number"))
    # Empty for a claim on the whole order: NULLs would never collide in the unique index.
    tracking_number: Mapped[str] = mapped_column(String, comment="'' for the whole order")
    type: Mapped[ClaimType] = mapped_column(_string_enum(ClaimType, "claim_type"))
    state: Mapped[ClaimState] = mapped_column(_string_enum(ClaimState, "claim_state"))
    remedy: Mapped[Remedy] = mapped_column(_string_enum(Remedy, "remedy"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    opened_at: Mapped[datetime] = mapped_column(AwareDateTime())
    follow_up_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class CheckBackRow(Base):
    """A message promised for later; the conversation is a digest, never an address."""

    __tablename__ = "check_backs"
    __table_args__ = (
        UniqueConstraint("order_number", "kind", "due_at"),
        Index("ix_check_backs_sent_at_due_at", "sent_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.order_number"))
    claim_reference: Mapped[str | None] = mapped_column(ForeignKey("claims.reference"))
    kind: Mapped[CheckBackKind] = mapped_column(_string_enum(CheckBackKind, "check_back_kind"))
    due_at: Mapped[datetime] = mapped_column(AwareDateTime())
    channel: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    retry_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # The Rasa sender id the notifier delivers it to; NULL: promised where it cannot be.
    recipient: Mapped[str | None] = mapped_column(String(128))


class OrderChangeRow(Base):
    """Who cancelled an order or changed its address, and when (the new address is the order's)."""

    __tablename__ = "order_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.order_number"), index=True)
    kind: Mapped[OrderChangeKind] = mapped_column(
        _string_enum(OrderChangeKind, "order_change_kind")
    )
    at: Mapped[datetime] = mapped_column(AwareDateTime())
    channel: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str] = mapped_column(String(64))


class SubscriptionRow(Base):
    """A shopper's consent to updates on an order, on a channel, with its time."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("order_number", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.order_number"))
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(128))
    consented_at: Mapped[datetime] = mapped_column(AwareDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class OptOutRow(Base):
    """A recipient who said STOP: no proactive message reaches them until START."""

    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(128))
    opted_out_at: Mapped[datetime] = mapped_column(AwareDateTime())


class NoticeRow(Base):
    """The ledger of proactive messages: one row per message, unique by its key."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[NoticeKind] = mapped_column(_string_enum(NoticeKind, "notice_kind"))
    order_number: Mapped[str | None] = mapped_column(ForeignKey("orders.order_number"), index=True)
    tracking_number: Mapped[str | None] = mapped_column(String)
    check_back_id: Mapped[int | None] = mapped_column(ForeignKey("check_backs.id"))
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(128))
    facts: Mapped[dict[str, str]] = mapped_column(JSON)
    state: Mapped[NoticeState] = mapped_column(_string_enum(NoticeState, "notice_state"))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(AwareDateTime())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    triggered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))


class TrackingStateRow(Base):
    """The last notable state of a parcel the notifier saw, and when it last looked."""

    __tablename__ = "tracking_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String, unique=True)
    change_key: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime] = mapped_column(AwareDateTime())
    via: Mapped[str] = mapped_column(String(16), comment="webhook or poll")


class TicketRow(Base):
    """A hand-off to a person: one active ticket per conversation (`active_key`)."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    state: Mapped[TicketState] = mapped_column(_string_enum(TicketState, "ticket_state"))
    trigger: Mapped[Trigger] = mapped_column(_string_enum(Trigger, "ticket_trigger"))
    channel: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str] = mapped_column(String(256))
    # channel:conversation while the ticket is open or taken, NULL once closed: unique,
    # so two hand-offs of one conversation racing each other make one ticket.
    active_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    verified: Mapped[bool] = mapped_column()
    how: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str | None] = mapped_column(String)
    packet: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    agent: Mapped[str | None] = mapped_column(String(32))  # the username who took it
    outcome: Mapped[TicketOutcome | None] = mapped_column(
        _string_enum(TicketOutcome, "ticket_outcome")
    )
    contact: Mapped[Contact | None] = mapped_column(_string_enum(Contact, "ticket_contact"))
    overdue_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class AccountRow(Base):
    """A person on the support team who logs in to the console."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_string_enum(Role, "account_role"))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    disabled: Mapped[bool] = mapped_column(default=False)


class ConsoleSessionRow(Base):
    """A logged-in browser: the digest of its cookie, never the cookie itself."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_username", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(32))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(AwareDateTime())
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())


class HelpdeskDeliveryRow(Base):
    """The ledger of webhooks to the store's helpdesk: one row per ticket and event."""

    __tablename__ = "helpdesk_deliveries"
    __table_args__ = (
        UniqueConstraint("reference", "event"),
        Index("ix_helpdesk_deliveries_state_next_at", "state", "next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(ForeignKey("tickets.reference"))
    event: Mapped[str] = mapped_column(String(32))
    state: Mapped[DeliveryState] = mapped_column(_string_enum(DeliveryState, "delivery_state"))
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class ConversationEventRow(Base):
    """One event of a conversation, copied once from Rasa's event broker (issue 17)."""

    __tablename__ = "conversation_events"
    __table_args__ = (
        UniqueConstraint("source", "number"),
        Index("ix_conversation_events_conversation_at", "conversation", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), comment="the broker file's id")
    number: Mapped[int] = mapped_column(BigInteger, comment="the broker's id of the event")
    conversation: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32), comment="Rasa's event name")
    at: Mapped[datetime] = mapped_column(AwareDateTime())
    intent: Mapped[str | None] = mapped_column(String(128))
    confidence: Mapped[float | None] = mapped_column(Float)
    action: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str | None] = mapped_column(Text)
    entities: Mapped[list[EntityJson]] = mapped_column(JSON)
    input_channel: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, str]] = mapped_column(JSON)


class ConversationRow(Base):
    """A conversation as the leads list it: one row, folded from its events."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_last_event_at", "last_event_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation: Mapped[str] = mapped_column(String(256), unique=True)
    channel: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(AwareDateTime())
    last_event_at: Mapped[datetime] = mapped_column(AwareDateTime())
    events: Mapped[int] = mapped_column(Integer)
    user_messages: Mapped[int] = mapped_column(Integer)
    bot_messages: Mapped[int] = mapped_column(Integer)
    intents: Mapped[list[str]] = mapped_column(JSON)
    order_numbers: Mapped[list[str]] = mapped_column(JSON)
    answered: Mapped[bool] = mapped_column(default=False)


class ConsumerCursorRow(Base):
    """How far a consumer has copied a source (the broker's id of the last event kept)."""

    __tablename__ = "consumer_cursors"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime())


class SurveyRow(Base):
    """An NPS survey asked at the end of a conversation, and its answers (issue 17)."""

    __tablename__ = "nps_surveys"
    __table_args__ = (
        Index("ix_nps_surveys_shopper_asked_at", "shopper", "asked_at"),
        Index("ix_nps_surveys_conversation_asked_at", "channel", "conversation", "asked_at"),
        Index("ix_nps_surveys_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper: Mapped[str] = mapped_column(String(64), comment="keyed digest of the shopper")
    channel: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[str] = mapped_column(String(256))
    order_number: Mapped[str | None] = mapped_column(String)
    asked_at: Mapped[datetime] = mapped_column(AwareDateTime())
    score: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text, comment="as typed; masked when shown")
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class RevealRow(Base):
    """A lead showed one conversation's personal data: who, and when (issue 17)."""

    __tablename__ = "reveals"
    __table_args__ = (Index("ix_reveals_conversation_at", "conversation", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation: Mapped[str] = mapped_column(String(256))
    username: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(AwareDateTime())


class ToldParcelRow(Base):
    """What a status answer told of one parcel, for the leads' trends (issue 17)."""

    __tablename__ = "told_parcels"
    __table_args__ = (Index("ix_told_parcels_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation: Mapped[str] = mapped_column(String(256), comment="Rasa's sender id")
    at: Mapped[datetime] = mapped_column(AwareDateTime())
    order_number: Mapped[str] = mapped_column(String)
    carrier: Mapped[str] = mapped_column(String)
    tracking_number: Mapped[str] = mapped_column(String)
    situation: Mapped[str] = mapped_column(String(32), comment="the policy's reading")
    cause: Mapped[str | None] = mapped_column(String(32), comment="the delay's, if any")
    estimate: Mapped[date | None] = mapped_column(Date, comment="the day told, if any")
