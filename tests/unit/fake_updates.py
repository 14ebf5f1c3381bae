"""In-memory fakes of the notifier's ports: the ledger, subscriptions, Rasa's trigger, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.claims import CheckBack
from bot.domain.errors import MessagingUnavailable
from bot.domain.notices import Notice, NoticeState, StatusChange
from bot.domain.notices import Subscription as Sub
from tests.unit.builders import FakeCheckBacks


@dataclass
class FakeNotices:
    """An in-memory NoticeRepository."""

    kept: list[Notice] = field(default_factory=list)
    seen: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    check_backs: FakeCheckBacks = field(default_factory=FakeCheckBacks)

    def add(self, notice: Notice) -> bool:
        if any(n.key == notice.key for n in self.kept):
            return False
        self.kept.append(replace(notice, id=len(self.kept) + 1))
        return True

    def get(self, notice_id: int) -> Notice | None:
        return next((n for n in self.kept if n.id == notice_id), None)

    def due(self, now: datetime, limit: int) -> list[Notice]:
        open_ = (NoticeState.PENDING, NoticeState.DEFERRED)
        return [
            n
            for n in self.kept
            if n.state in open_ and n.triggered_at is None and n.next_attempt_at <= now
        ][:limit]

    def _set(self, notice_id: int, **changes: object) -> bool:
        found = self.get(notice_id)
        if found is None or found.state not in (NoticeState.PENDING, NoticeState.DEFERRED):
            return False
        self.kept[self.kept.index(found)] = replace(found, **changes)  # type: ignore[arg-type]
        return True

    def claim(self, notice_id: int, now: datetime) -> bool:
        return self._set(notice_id, state=NoticeState.SENT, sent_at=now)

    def mark_triggered(self, notice_id: int, now: datetime) -> None:
        self._set(notice_id, triggered_at=now)

    def defer(self, notice_id: int, until: datetime) -> None:
        self._set(notice_id, state=NoticeState.DEFERRED, next_attempt_at=until)

    def record_failure(
        self, notice_id: int, attempts: int, retry_at: datetime | None, error: str
    ) -> None:
        if retry_at is None:
            self._set(notice_id, attempts=attempts, state=NoticeState.FAILED, last_error=error)
        else:
            self._set(notice_id, attempts=attempts, next_attempt_at=retry_at, last_error=error)

    def check_backs_to_queue(self, now: datetime, limit: int) -> list[CheckBack]:
        queued = {n.check_back_id for n in self.kept}
        return [c for c in self.check_backs.due(now, limit) if c.id not in queued]

    def last_change(self, tracking_number: str) -> tuple[str, datetime] | None:
        return self.seen.get(tracking_number)

    def see(self, change: StatusChange, now: datetime, via: str) -> None:
        self.seen[change.tracking_number] = (change.key, now)


@dataclass
class FakeSubscriptions:
    """An in-memory SubscriptionRepository."""

    subs: list[Sub] = field(default_factory=list)
    stopped: set[tuple[str, str]] = field(default_factory=set)

    def subscribe(self, subscription: Sub) -> Sub:
        s = subscription
        self.subs = [
            x
            for x in self.subs
            if (x.order_number, x.channel, x.recipient) != (s.order_number, s.channel, s.recipient)
        ] + [s]
        return s

    def stop(self, channel: str, recipient: str, order_number: str | None, now: datetime) -> int:
        hits = [
            s
            for s in self.subs
            if s.active
            and (s.channel, s.recipient) == (channel, recipient)
            and order_number in (None, s.order_number)
        ]
        self.subs = [replace(s, stopped_at=now) if s in hits else s for s in self.subs]
        return len(hits)

    def active_for_order(self, order_number: str) -> list[Sub]:
        return [s for s in self.subs if s.active and s.order_number == order_number]

    def of_recipient(self, channel: str, recipient: str) -> list[Sub]:
        return [
            s for s in self.subs if s.active and (s.channel, s.recipient) == (channel, recipient)
        ]

    def subscribed_orders(self, limit: int, after: str | None = None) -> list[str]:
        numbers = sorted({s.order_number for s in self.subs if s.active})
        return [n for n in numbers if after is None or n > after][:limit]

    def opt_out(self, channel: str, recipient: str, now: datetime) -> None:
        self.stopped.add((channel, recipient))

    def opt_in(self, channel: str, recipient: str) -> None:
        self.stopped.discard((channel, recipient))

    def opted_out(self, channel: str, recipient: str) -> bool:
        return (channel, recipient) in self.stopped


@dataclass
class FakeTrigger:
    """A ConversationTrigger that records the notices it was asked to send, or fails."""

    calls: list[Notice] = field(default_factory=list)
    failing: bool = False

    def trigger(self, notice: Notice) -> None:
        self.calls.append(notice)
        if self.failing:
            raise MessagingUnavailable("Rasa answered 500")


class FakeTokens:
    def token(self, notice_id: int) -> str:
        return f"t{notice_id}"

    def notice_id(self, token: str) -> int | None:
        return int(token[1:]) if token.startswith("t") and token[1:].isdigit() else None
