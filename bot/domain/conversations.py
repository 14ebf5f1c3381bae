"""Conversations as the support leads read them: events copied from Rasa, one summary each.

An event is one line of a conversation's history (a shopper's message, a bot's line, an
action, a slot, a new session ...) as Rasa's event broker published it, numbered by the
broker. A summary folds a conversation's events: its channel, when it started and last
moved, how many lines each side said, the intents seen, the orders it was about.

What is kept: what the shopper typed (the text), the intents, the entities, except the
values of entities that are personal data or tokens (`WITHHELD_ENTITIES`), and slot
values only of the slots naming an order (`ORDER_SLOTS`). Never the channel's sealed
identity. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

# Entities whose values are personal data (typed by the shopper, kept in the text only)
# or signed tokens of the notifier and the console: only their names are kept.
WITHHELD_ENTITIES = frozenset({"email", "zip_code", "phone_number", "notice", "console"})
ORDER_ENTITY = "order_number"
# Slots whose values are order numbers the assistant settled on (looked up).
ORDER_SLOTS = frozenset({"selected_order", "last_order"})
USER, BOT = "user", "bot"
ANSWER_SLOT = "last_order"  # set by the status answer (and a notice) to the order told of


@dataclass(frozen=True)
class Entity:
    """An entity found in a message: its name and, unless withheld, its value."""

    name: str
    value: str | None


@dataclass(frozen=True)
class ConversationEvent:
    """One event of a conversation, as copied from the broker (`number` is the broker's id).

    `kind` is Rasa's event name (user, bot, action, slot, session_started, restart ...);
    `action` the action run, or the response a bot line came from; `details` the little
    else worth keeping (the agent of a console line, a slot's name and order value)."""

    number: int
    conversation: str
    kind: str
    at: datetime
    intent: str | None = None
    confidence: float | None = None
    action: str | None = None
    text: str | None = None
    entities: tuple[Entity, ...] = ()
    input_channel: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    orders: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventBatch:
    """Events read from a source after a position, and the position after them.

    `position` can pass events that were not kept (unreadable rows): they are read once."""

    source: str
    events: tuple[ConversationEvent, ...]
    position: int


def _added(seen: tuple[str, ...], new: Iterable[str | None]) -> tuple[str, ...]:
    """`seen` and then what of `new` it lacks, in the order first seen."""
    out = list(seen)
    for item in new:
        if item and item not in out:
            out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class ConversationSummary:
    """What the leads see of a conversation in a list: one row per conversation."""

    conversation: str
    channel: str | None
    started_at: datetime
    last_event_at: datetime
    events: int = 0
    user_messages: int = 0
    bot_messages: int = 0
    intents: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    answered: bool = False  # the assistant answered about an order (`last_order` was set)

    @classmethod
    def of(cls, event: ConversationEvent) -> ConversationSummary:
        """The summary of a conversation whose first event this is, before counting it."""
        return cls(event.conversation, None, event.at, event.at)

    def add(self, event: ConversationEvent) -> ConversationSummary:
        """The summary with one more event counted (events are counted once, by the caller)."""
        return replace(
            self,
            channel=self.channel or (event.input_channel if event.kind == USER else None),
            started_at=min(self.started_at, event.at),
            last_event_at=max(self.last_event_at, event.at),
            events=self.events + 1,
            user_messages=self.user_messages + (event.kind == USER),
            bot_messages=self.bot_messages + (event.kind == BOT),
            intents=_added(self.intents, [event.intent]),
            order_numbers=_added(self.order_numbers, event.orders),
            answered=self.answered or answers(event),
        )


def answers(event: ConversationEvent) -> bool:
    """Whether the event is the assistant settling on an order it answered about."""
    return event.kind == "slot" and event.details.get("slot") == ANSWER_SLOT and bool(event.orders)


def summarise(
    known: Mapping[str, ConversationSummary], events: Iterable[ConversationEvent]
) -> dict[str, ConversationSummary]:
    """The summaries `known` updated with `events` (and new ones begun), by conversation."""
    summaries = dict(known)
    for event in events:
        current = summaries.get(event.conversation) or ConversationSummary.of(event)
        summaries[event.conversation] = current.add(event)
    return summaries
