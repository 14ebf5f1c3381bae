"""Hand-off tickets: what a person on the team needs to take over a conversation.

A ticket is opened once per conversation while one is open or taken, so asking
twice never queues the shopper twice. Its packet holds words-ready facts only
(statuses, carriers, estimates, the policy's reading, what the bot said, with
emails, phones and street lines masked): never a factor the shopper proved with.
The team works a weekly schedule in its own time zone, closed on holidays; the
wait a shopper is told comes from the real queue ahead of them.
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LINES_KEPT = 5  # the last bot lines a packet keeps
LINE_CHARS = 300
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOK_AHEAD_DAYS = 60  # how far ahead the next opening is looked for (holiday runs)


class TicketState(enum.StrEnum):
    """Where a ticket stands; `closed` is final."""

    OPEN = "open"  # waiting in the queue
    TAKEN = "taken"  # a person has it
    CLOSED = "closed"


class TicketOutcome(enum.StrEnum):
    """How a closed ticket ended."""

    HANDED_BACK = "handed_back"  # the person gave the conversation back to the assistant
    CLOSED = "closed"  # the person resolved it


class Contact(enum.StrEnum):
    """How a shopper nobody took in time asked to be answered instead."""

    CALLBACK = "callback"
    EMAIL = "email"


class ConsoleEvent(enum.StrEnum):
    """What a person's console tells the shopper's conversation (in the assistant's words)."""

    JOINED = "joined"  # a person took it: the assistant steps aside
    BACK = "back"  # handed back: the assistant answers again, with what it knows
    CLOSED = "closed"  # the person resolved it


class Speaker(enum.StrEnum):
    """Who said a line of a transcript."""

    SHOPPER = "shopper"
    BOT = "bot"
    AGENT = "agent"
    NOTE = "note"  # the conversation paused or resumed


@dataclass(frozen=True)
class Line:
    """One line of a conversation as a person on the team reads it."""

    speaker: Speaker
    text: str
    at: datetime | None
    agent_name: str | None = None


class Trigger(enum.StrEnum):
    """Why the conversation was handed to a person."""

    ASKED = "asked"
    FRUSTRATED = "frustrated"
    NOT_UNDERSTOOD = "not_understood"
    LOCKED_OUT = "locked_out"
    POLICY = "policy"  # the policy's answer needs a person to decide or investigate


@dataclass(frozen=True)
class Ticket:
    """One hand-off: who, where to reach them, about what, and what they were told."""

    reference: str
    trigger: Trigger
    channel: str
    conversation: str  # the Rasa sender id: where the team answers
    verified: bool
    how: str  # the grant level (and the kind of proof), never the proof itself
    order_number: str | None
    packet: dict[str, Any]
    created_at: datetime
    state: TicketState = TicketState.OPEN
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    agent: str | None = None  # the username of the person who took it
    outcome: TicketOutcome | None = None
    contact: Contact | None = None
    overdue_at: datetime | None = None  # when the shopper was told nobody had taken it yet
    id: int | None = None

    @property
    def active(self) -> bool:
        """Whether the ticket still stands for its conversation (open or taken)."""
        return self.state is not TicketState.CLOSED


def new_reference(choice: Callable[[str], str] = secrets.choice) -> str:
    """A reference a shopper can read out: HD- and six letters or digits."""
    return "HD-" + "".join(choice(REFERENCE_ALPHABET) for _ in range(6))


def last_lines(lines: list[str], redact: Callable[[str], str]) -> list[str]:
    """The last few lines the shopper saw, masked and cut to a readable length."""
    kept = [line.strip() for line in lines if line and line.strip()][-LINES_KEPT:]
    return [redact(line)[:LINE_CHARS] for line in kept]


def wait_minutes(ahead: int, minutes_per_ticket: float) -> int:
    """The expected wait: the tickets ahead times the minutes each takes, rounded up."""
    return int(-(-ahead * minutes_per_ticket // 1))


@dataclass(frozen=True)
class Shift:
    """One weekday's working hours (0 is Monday), start inclusive, end exclusive."""

    weekday: int
    start: time
    end: time


def parse_hours(text: str) -> tuple[Shift, ...]:
    """ "mon-fri 09:00-18:00; sat 10:00-14:00" as shifts; ValueError when malformed."""
    shifts: list[Shift] = []
    for part in filter(None, (p.strip().lower() for p in re.split(r"[;,]", text))):
        found = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(\d\d?):(\d\d)-(\d\d?):(\d\d)", part)
        if not found or found[1] not in DAYS or (found[2] or found[1]) not in DAYS:
            raise ValueError(f"{part!r} is not like 'mon-fri 09:00-18:00'")
        first, last = DAYS.index(found[1]), DAYS.index(found[2] or found[1])
        start, end = time(int(found[3]), int(found[4])), time(int(found[5]), int(found[6]))
        if first > last or start >= end:
            raise ValueError(f"{part!r}: days or hours run backwards")
        shifts += [Shift(day, start, end) for day in range(first, last + 1)]
    if not shifts:
        raise ValueError("no working hours given")
    return tuple(shifts)


def _never(day: date) -> bool:
    return False


@dataclass(frozen=True)
class BusinessHours:
    """When the team answers: weekly shifts in a time zone, none on a holiday."""

    shifts: tuple[Shift, ...]
    zone: ZoneInfo
    holiday: Callable[[date], bool] = field(default=_never)

    def is_open(self, at: datetime) -> bool:
        """Whether a person is at work at `at`."""
        local = at.astimezone(self.zone)
        if self.holiday(local.date()):
            return False
        now = local.time()
        return any(s.weekday == local.weekday() and s.start <= now < s.end for s in self.shifts)

    def next_opening(self, at: datetime) -> datetime | None:
        """The first moment after `at` the team is back, in its time zone; None if never."""
        today = at.astimezone(self.zone).date()
        for offset in range(LOOK_AHEAD_DAYS):
            day = today + timedelta(days=offset)
            if self.holiday(day):
                continue
            starts = sorted(s.start for s in self.shifts if s.weekday == day.weekday())
            for start in starts:
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if opening > at:
                    return opening
        return None

    def after_working(self, at: datetime, minutes: float) -> datetime | None:
        """The moment `minutes` of the team's working time have passed since `at` (in UTC);
        None if the schedule has not that much time ahead."""
        left = timedelta(minutes=minutes)
        cursor = at.astimezone(UTC)
        for start, end in self._periods(at):
            begin = max(start, cursor)
            if end <= begin:
                continue  # over already, or inside a shift counted before (overlapping)
            if begin + left <= end:
                return begin + left
            left -= end - begin
            cursor = end
        return None

    def _periods(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working periods from the day of `at` on, in UTC (exact across DST changes)."""
        today = at.astimezone(self.zone).date()
        for offset in range(LOOK_AHEAD_DAYS):
            day = today + timedelta(days=offset)
            if self.holiday(day):
                continue
            for shift in sorted((s for s in self.shifts if s.weekday == day.weekday()), key=_start):
                start = datetime.combine(day, shift.start, tzinfo=self.zone).astimezone(UTC)
                end = datetime.combine(day, shift.end, tzinfo=self.zone).astimezone(UTC)
                yield start, end


def _start(shift: Shift) -> time:
    return shift.start
