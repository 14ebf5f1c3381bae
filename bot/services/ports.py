"""The ports: what the services need from the outside world."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from bot.domain.access import Grant
from bot.domain.accounts import Account, ConsoleSession
from bot.domain.claims import CheckBack, Claim, ClaimState, Conversation, Remedy
from bot.domain.conversations import ConversationEvent, EventBatch
from bot.domain.helpdesk import Delivery
from bot.domain.identity import OrderIdentity, OrderRef
from bot.domain.leads import ConversationFilter, Listed
from bot.domain.notices import Notice, StatusChange, Subscription
from bot.domain.nps import Survey
from bot.domain.orders import Address, Order
from bot.domain.shipments import Tracking
from bot.domain.tickets import ConsoleEvent, Contact, Line, Ticket, TicketOutcome
from bot.domain.trends import ToldParcel, TrendInputs


class OrderRepository(Protocol):
    """The order store."""

    def get_by_number(self, order_number: str) -> Order | None:
        """The order with this (normalized) number, or None."""
        ...

    def find_by_email(self, email: str) -> list[Order]:
        """Every order of the customer with this email (case-insensitive), newest first."""
        ...

    def get_by_tracking(self, tracking_number: str) -> Order | None:
        """The order one of whose shipments has this tracking number, or None."""
        ...

    def identities(self, ref: OrderRef) -> list[OrderIdentity]:
        """The owner details of the orders a reference points at (newest first), and nothing
        more: a check reads the same small rows whether or not the order exists."""
        ...

    def save_snapshot(self, tracking: Tracking) -> None:
        """Keep the latest tracking answer of a parcel (replaces the previous one)."""
        ...

    def last_snapshot(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The last tracking answer kept for a parcel, with its `fetched_at`."""
        ...

    def import_batch(self, orders: Sequence[Order], trackings: Sequence[Tracking]) -> None:
        """Upsert orders (by number) and sandbox trackings (by carrier and number) atomically."""
        ...

    def cancel(self, order_number: str, now: datetime, by: Conversation) -> Order | None:
        """Mark the order cancelled and note who did it, in one transaction (None: no order)."""
        ...

    def change_address(
        self, order_number: str, address: Address, now: datetime, by: Conversation
    ) -> Order | None:
        """Write a new shipping address and note who did it, in one transaction.

        The caller has checked the policy (nothing shipped yet); the store just writes.
        """
        ...


class SandboxTrackingSource(Protocol):
    """What the sandbox carrier serves: the imported tracking histories."""

    def sandbox_tracking(self, carrier: str, tracking_number: str) -> Tracking | None:
        """The imported history of a parcel, or None when it was never imported."""
        ...


class TrackingProvider(Protocol):
    """A carrier API client, carrier-neutral."""

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        """The parcel's current tracking; raises a `CarrierError` subclass on failure."""
        ...


@dataclass(frozen=True)
class StoredCode:
    """A one-time code as the store keeps it: a digest, never the code."""

    binding: str
    conversation: str
    order_number: str
    digest: str
    created_at: datetime
    expires_at: datetime
    id: int | None = None


class AccessStore(Protocol):
    """Grants, failed checks and one-time codes; identifiers arrive as digests."""

    def live_grants(self, binding: str, conversation: str, since: datetime) -> list[Grant]:
        """Grants of this client and conversation used since `since`."""
        ...

    def add_grants(self, binding: str, conversation: str, grants: Sequence[Grant]) -> None:
        """Keep new grants (each with its `last_used` time)."""
        ...

    def touch_grants(self, binding: str, conversation: str, now: datetime) -> None:
        """Mark this client's grants in this conversation as used now."""
        ...

    def failure_counts(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        """How many failures each key has had since `since` (keys with none are left out)."""
        ...

    def add_failures(self, keys: Sequence[str], now: datetime) -> None:
        """Count one failure against each key."""
        ...

    def codes_sent(self, order_number: str, since: datetime) -> int:
        """How many one-time codes were made for an order since `since`."""
        ...

    def add_code(self, code: StoredCode) -> None:
        """Keep a new one-time code."""
        ...

    def live_code(
        self, binding: str, conversation: str, order_number: str, now: datetime
    ) -> StoredCode | None:
        """The newest unspent, unexpired code of this client for an order."""
        ...

    def spend_code(self, code: StoredCode, now: datetime) -> bool:
        """Mark a code used; False when it was already used (it works once)."""
        ...


class Mailer(Protocol):
    """Sends an email; raises `MessagingUnavailable` when it cannot."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text email."""
        ...


class ClaimRepository(Protocol):
    """Claims, known by their reference."""

    def add(self, claim: Claim) -> Claim:
        """Keep a new claim; while one for the same order, parcel and type is still active
        (not closed), return that one instead and keep nothing. Raises `ReferenceTaken`."""
        ...

    def get(self, reference: str) -> Claim | None:
        """The claim with this reference, or None."""
        ...

    def for_order(self, order_number: str) -> list[Claim]:
        """An order's claims, oldest first."""
        ...

    def count_for_customer(self, email: str, since: datetime) -> int:
        """How many claims were opened since `since` (inclusive) on the orders of the
        customer with this email (case-insensitive)."""
        ...

    def active(self, limit: int) -> list[Claim]:
        """Claims not closed, the soonest follow-up first (then the oldest): the team's queue."""
        ...

    def update(
        self,
        reference: str,
        state: ClaimState,
        remedy: Remedy,
        now: datetime,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> Claim | None:
        """Set a claim's state, remedy and amount; None when there is no such claim."""
        ...


class CheckBackRepository(Protocol):
    """Messages promised for later, each sent at most once."""

    def schedule(self, check_back: CheckBack) -> CheckBack:
        """Keep a check-back, with its id; the one already kept for the same order, kind
        and due time is returned instead of a second."""
        ...

    def due(self, now: datetime, limit: int) -> list[CheckBack]:
        """Unsent check-backs due by `now` and not waiting for a retry, oldest first."""
        ...

    def mark_sent(self, check_back_id: int, now: datetime) -> bool:
        """Mark a check-back sent; True only for the one call that did it."""
        ...

    def record_failure(self, check_back_id: int, now: datetime, retry_at: datetime) -> None:
        """Count a failed attempt at sending; it is not due again before `retry_at`."""
        ...


class NoticeRepository(Protocol):
    """The ledger of proactive messages, and the last parcel states the notifier saw."""

    def add(self, notice: Notice) -> bool:
        """Keep a new notice; False (and nothing kept) when its key is already there."""
        ...

    def get(self, notice_id: int) -> Notice | None:
        """The notice with this id, or None."""
        ...

    def due(self, now: datetime, limit: int) -> list[Notice]:
        """Pending or deferred notices not yet handed to Rasa whose time has come, oldest first."""
        ...

    def claim(self, notice_id: int, now: datetime) -> bool:
        """Mark a pending or deferred notice sent; True only for the one call that did it."""
        ...

    def mark_triggered(self, notice_id: int, now: datetime) -> None:
        """Note that Rasa accepted the trigger: the notifier will not send it again."""
        ...

    def defer(self, notice_id: int, until: datetime) -> None:
        """Hold a notice until `until` (quiet hours)."""
        ...

    def record_failure(
        self, notice_id: int, attempts: int, retry_at: datetime | None, error: str
    ) -> None:
        """Count a failed send; try again at `retry_at`, or, when None, mark it failed."""
        ...

    def check_backs_to_queue(self, now: datetime, limit: int) -> list[CheckBack]:
        """Unsent check-backs due by `now` that no notice delivers yet, oldest first."""
        ...

    def last_change(self, tracking_number: str) -> tuple[str, datetime] | None:
        """The key of the last change seen for a parcel, and when it was last looked at."""
        ...

    def see(self, change: StatusChange, now: datetime, via: str) -> None:
        """Remember a parcel's state as seen now (by a `webhook` or a `poll`)."""
        ...


class SubscriptionRepository(Protocol):
    """Who wants updates on which order, and who said STOP."""

    def subscribe(self, subscription: Subscription) -> Subscription:
        """Keep a consent (a stopped one is started again with the new time)."""
        ...

    def stop(self, channel: str, recipient: str, order_number: str | None, now: datetime) -> int:
        """Stop one order's updates to a recipient, or all of them; how many were stopped."""
        ...

    def active_for_order(self, order_number: str) -> list[Subscription]:
        """The order's subscriptions not stopped."""
        ...

    def of_recipient(self, channel: str, recipient: str) -> list[Subscription]:
        """A recipient's subscriptions not stopped, oldest first."""
        ...

    def subscribed_orders(self, limit: int, after: str | None = None) -> list[str]:
        """Numbers of the orders someone wants updates on, in order, after `after`."""
        ...

    def opt_out(self, channel: str, recipient: str, now: datetime) -> None:
        """Note that a recipient said STOP."""
        ...

    def opt_in(self, channel: str, recipient: str) -> None:
        """Forget a recipient's STOP."""
        ...

    def opted_out(self, channel: str, recipient: str) -> bool:
        """Whether a recipient said STOP (and not START since)."""
        ...


class ConversationTrigger(Protocol):
    """Starts a turn in a shopper's conversation that utters a notice."""

    def trigger(self, notice: Notice) -> None:
        """Ask the assistant to send `notice`; raises `MessagingUnavailable` when it cannot."""
        ...


class NoticeTokens(Protocol):
    """Signed tokens that name a notice (so a trigger cannot be forged)."""

    def token(self, notice_id: int) -> str:
        """A token naming the notice."""
        ...

    def notice_id(self, token: str) -> int | None:
        """The notice a valid token names, else None."""
        ...


class TicketRepository(Protocol):
    """Hand-off tickets: one standing per conversation, the open ones queued oldest first."""

    def open(self, ticket: Ticket) -> Ticket:
        """Keep a new ticket, unless its conversation has one standing: that one, then."""
        ...

    def active_for(self, channel: str, conversation: str) -> Ticket | None:
        """The conversation's open or taken ticket, if it has one."""
        ...

    def ahead_of(self, ticket: Ticket) -> int:
        """How many open tickets were queued before this one."""
        ...

    def queue(self, limit: int) -> list[Ticket]:
        """The open tickets, oldest first."""
        ...

    def by_reference(self, reference: str) -> Ticket | None:
        """The ticket with this reference, in any state."""
        ...

    def taken_by(self, agent: str, limit: int) -> list[Ticket]:
        """The tickets this person has taken and not yet closed, oldest first."""
        ...

    def take(self, reference: str, now: datetime, agent: str) -> bool:
        """A person takes an open ticket; True only for the one call that did it."""
        ...

    def close(
        self, reference: str, now: datetime, outcome: TicketOutcome = TicketOutcome.CLOSED
    ) -> bool:
        """Close a standing ticket; its conversation may then get a new one."""
        ...

    def mark_overdue(self, reference: str, now: datetime) -> bool:
        """Note that the shopper was told nobody took the ticket in time; True only once."""
        ...

    def set_contact(self, reference: str, contact: Contact | None) -> bool:
        """Record how the shopper asked to be answered instead (None: here, as they wait);
        True if the ticket stands."""
        ...

    def untaken(self, opened_by: datetime, limit: int) -> list[Ticket]:
        """Open tickets opened by `opened_by` and never marked overdue, oldest first."""
        ...

    def release(self, reference: str) -> bool:
        """Put a taken ticket back in the queue (its taking could not be told)."""
        ...

    def tally(self, since: datetime) -> dict[tuple[str, str], int]:
        """How many tickets opened since `since`, by state and trigger."""
        ...


class ConversationControl(Protocol):
    """The shopper's conversation as the console drives it (Rasa's HTTP API); every
    failure is `MessagingUnavailable`."""

    def announce(self, ticket: Ticket, event: ConsoleEvent, agent_name: str) -> None:
        """Have the assistant tell the shopper (a person joined, handed back, closed)."""
        ...

    def resume(self, ticket: Ticket) -> None:
        """Let the assistant answer the conversation again."""
        ...

    def say(self, ticket: Ticket, agent: Account, text: str) -> None:
        """Send a person's words to the shopper's channel, as theirs in the transcript."""
        ...

    def transcript(self, ticket: Ticket) -> list[Line]:
        """The conversation's lines, oldest first."""
        ...


class AccountStore(Protocol):
    """Console accounts and their sessions (kept as digests of the browsers' tokens)."""

    def add(self, account: Account) -> bool:
        """Keep a new account; False when the username is taken."""
        ...

    def by_username(self, username: str) -> Account | None:
        """The account with this username."""
        ...

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Replace an account's password hash (a new password, or a stronger hash)."""
        ...

    def add_session(self, session: ConsoleSession) -> None:
        """Keep a new session."""
        ...

    def session(self, digest: str) -> ConsoleSession | None:
        """The session whose token has this digest."""
        ...

    def touch_session(self, digest: str, now: datetime) -> None:
        """The session was used at `now`."""
        ...

    def drop_session(self, digest: str) -> None:
        """End one session (log out)."""
        ...

    def drop_sessions_of(self, username: str) -> None:
        """End every session of an account (a new password, a disabled account)."""
        ...


class PasswordHasher(Protocol):
    """Password hashes: argon2 in production."""

    def hash(self, password: str) -> str:
        """A new salted hash of the password."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches the hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        ...


class HelpdeskOutbox(Protocol):
    """Where a hand-off is queued for the store's own helpdesk."""

    def queue(self, delivery: Delivery) -> bool:
        """Keep a new delivery; False when its ticket and event are already kept."""
        ...


class HelpdeskDeliveries(HelpdeskOutbox, Protocol):
    """The ledger of deliveries to the store's helpdesk."""

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        ...

    def claim(self, delivery: Delivery, now: datetime, lease_until: datetime) -> bool:
        """Take a due delivery for one attempt (counted now, due again at `lease_until`
        if nothing is recorded); True only for the one caller that took it."""
        ...

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        """The receiver took it: final."""
        ...

    def record_failure(self, delivery_id: int, retry_at: datetime | None, error: str) -> None:
        """An attempt failed: try again at `retry_at`, or mark the delivery failed when None."""
        ...


class WebhookSender(Protocol):
    """POSTs a signed body to the configured URL; no answer at all is `MessagingUnavailable`."""

    def post(self, body: bytes, headers: Mapping[str, str]) -> int:
        """Send the body; the receiver's HTTP status."""
        ...


class EventSource(Protocol):
    """Where conversation events come from: Rasa's event broker (its SQLite file today;
    a RabbitMQ queue in production would be another adapter of this port)."""

    def name(self) -> str | None:
        """The source's identity (a new broker file is a new source, numbered from 1
        again); None while it is not there yet (Rasa has not started)."""
        ...

    def read_after(self, source: str, position: int, limit: int) -> EventBatch:
        """Up to `limit` events of `source` after `position`, oldest first."""
        ...

    def release(self, source: str, position: int) -> None:
        """The events of `source` up to `position` are kept elsewhere now: the source may
        forget them (a file that is no longer `source` keeps everything)."""
        ...


class ConversationLog(Protocol):
    """The conversations' events and summaries the project keeps, with each source's cursor."""

    def position(self, source: str) -> int:
        """How far the events of `source` have been stored (0: none yet)."""
        ...

    def store(self, batch: EventBatch, now: datetime) -> int:
        """Keep the batch's events (each once: one already kept is skipped), update the
        summaries and move the source's cursor to `batch.position`, all in one
        transaction; how many events were new."""
        ...


class SurveyStore(Protocol):
    """The NPS surveys asked and their answers (issue 17)."""

    def add(self, survey: Survey) -> Survey:
        """Keep a survey just asked; it, with its id."""
        ...

    def last_asked(self, shopper: str, channel: str, conversation: str) -> datetime | None:
        """When this shopper, or this conversation, was last asked; None if never."""
        ...

    def answer_score(self, survey_id: int, score: int, now: datetime) -> bool:
        """Record the score of a survey not yet scored; True if it was recorded."""
        ...

    def answer_reason(self, survey_id: int, reason: str) -> bool:
        """Record the reason of a scored survey; True if it was recorded."""
        ...

    def open_for(self, channel: str, conversation: str) -> Survey | None:
        """The conversation's latest survey, if it is still waiting for its score or reason."""
        ...

    def scores(self, since: datetime, until: datetime) -> list[int]:
        """The scores answered in [since, until)."""
        ...


class ConversationReader(Protocol):
    """The leads' read side of the conversation log, and the record of reveals."""

    def find(self, wanted: ConversationFilter, limit: int, offset: int = 0) -> list[Listed]:
        """The conversations `wanted` selects, the latest first."""
        ...

    def listed(self, key: int) -> Listed | None:
        """One conversation by its key, as the list shows it."""
        ...

    def events(self, conversation: str) -> list[ConversationEvent]:
        """A conversation's events, in order."""
        ...

    def record(self, conversation: str, username: str, at: datetime) -> None:
        """A lead revealed a conversation's personal data."""
        ...

    def reveals(self, conversation: str) -> list[tuple[str, datetime]]:
        """Who revealed the conversation, and when, the latest first."""
        ...


class AnswerLog(Protocol):
    """What status answers told of each parcel, kept for the leads' trends."""

    def record(self, told: Sequence[ToldParcel]) -> None:
        """Keep what one answer told of its parcels."""
        ...


class TrendSource(Protocol):
    """The tallies the leads' trends are folded from."""

    def gather(self, since: datetime, until: datetime) -> TrendInputs:
        """The tallies of the period [since, until)."""
        ...
