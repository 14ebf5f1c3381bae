"""Deciding what a conversation may see and do, from state the order store keeps.

A check of an identifier plus a factor either grants orders to the client
(bound to its conversation and its channel identity, until idle) or counts a
failure against every key it involved: the reference typed, an email given as
the factor, the client, the conversation and the source address. Counts live
in the store, in sliding windows, so `/restart`, a new session or a new
sender id reset nothing. An unknown order and a wrong factor take the same
path, and every check takes at least the same floor of time, so neither the
words nor the time of an answer tell whether an order exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.domain.access import (
    Client,
    Grant,
    KeyKind,
    Level,
    Limits,
    failure_keys,
    level_of,
    locked,
    strongest,
)
from bot.domain.clock import Clock
from bot.domain.errors import NotOrderOwner
from bot.domain.identity import (
    Factor,
    FactorKind,
    OrderRef,
    RefKind,
    factor_matches,
    proves_customer,
    same,
)
from bot.domain.mail import one_time_code_mail
from bot.domain.orders import Order
from bot.services.ports import AccessStore, Mailer, OrderRepository, StoredCode

Digest = Callable[[str], str]
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Verification:
    """The outcome of a check: the orders it proved, or why none."""

    proven: tuple[str, ...] = ()
    locked: bool = False


@dataclass
class Access:
    """Grants, failed checks and one-time codes, over the order store."""

    store: AccessStore
    orders: OrderRepository
    digest: Digest
    mailer: Mailer | None = None
    limits: Limits = field(default_factory=Limits)
    clock: Clock = field(default_factory=Clock)  # real time: windows are about elapsed time
    floor_seconds: float = 0.05
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    def grants(self, client: Client) -> dict[str, Grant]:
        """The client's live grants in this conversation, strongest per order."""
        now = self.clock.now()
        binding, conversation = self._ids(client)
        found = self.store.live_grants(binding, conversation, now - self.limits.idle)
        # Marked as used at most once a minute: a turn reads the grants several times.
        if found and min(g.last_used or now for g in found) < now - TOUCH_EVERY:
            self.store.touch_grants(binding, conversation, now)
        return strongest(found)

    def grant_for(self, client: Client, order_number: str, level: Level) -> Grant:
        """The client's grant on an order, if it is enough for `level`; else NotOrderOwner."""
        grant = self.grants(client).get(order_number)
        if grant is None or not grant.allows(level):
            raise NotOrderOwner(f"no {level.name.lower()} grant on this order")
        return grant

    def granted_orders(self, client: Client, level: Level = Level.STATUS) -> list[Order]:
        """The orders the client may see at `level`, newest first."""
        numbers = [n for n, g in self.grants(client).items() if g.allows(level)]
        found = (self.orders.get_by_number(number) for number in numbers)
        return sorted((o for o in found if o), key=lambda o: o.placed_at, reverse=True)

    def already_proven(self, client: Client, ref: OrderRef) -> str | None:
        """The granted order a reference points at; looks only among the client's grants."""
        grants = self.grants(client)
        if not grants or ref.kind is RefKind.EMAIL:
            return None
        if ref.kind is RefKind.ORDER_NUMBER:
            return ref.value if ref.value in grants else None
        for number, grant in grants.items():
            if grant.tracking_number == ref.value:
                return number
            order = self.orders.get_by_number(number) if grant.allows(Level.STATUS) else None
            if order and any(s.tracking_number == ref.value for s in order.shipments):
                return number
        return None

    def is_locked(self, client: Client) -> bool:
        """Whether the client, its conversation or its address has run out of tries."""
        return self._locked(failure_keys(client, None, None))

    def verify(self, client: Client, ref: OrderRef, factor: Factor) -> Verification:
        """Check a reference and a factor; grant what they prove, or count a failure."""
        started = self.monotonic()
        try:
            return self._verify(client, ref, factor)
        finally:
            self._pad(started)

    def _verify(self, client: Client, ref: OrderRef, factor: Factor) -> Verification:
        keys = failure_keys(client, ref, factor)
        if self._locked(keys):
            return Verification(locked=True)
        level = level_of(ref, factor)
        # The same small query and comparisons whether or not the order exists.
        matching = [i for i in self.orders.identities(ref) if factor_matches(i, factor)]
        if not matching or level is None:
            if factor.kind is FactorKind.CHANNEL_PHONE:
                # The phone a channel verified is no guess: a shopper texting about an
                # order on another phone is asked for proof, not counted as a failed check.
                return Verification()
            return Verification(locked=self._fail(keys))
        pointed = matching[0].order_number
        grants = [Grant(pointed, level, ref.value if level is Level.PARCEL else None)]
        if ref.kind is RefKind.EMAIL:
            grants = [Grant(i.order_number, Level.STATUS) for i in matching]
        elif proves_customer(factor):
            siblings = self.orders.identities(OrderRef(RefKind.EMAIL, matching[0].email))
            grants += [
                Grant(i.order_number, Level.STATUS)
                for i in siblings
                if i.order_number != pointed and factor_matches(i, factor)
            ]
        self._add(client, grants)
        return Verification(tuple(g.order_number for g in grants))

    def send_code(self, client: Client, ref: OrderRef) -> Verification:
        """Email a one-time code for the order a number points at; the same answer either way."""
        started = self.monotonic()
        try:
            keys = failure_keys(client, ref, None)
            if self._locked(keys):
                return Verification(locked=True)
            by_number = ref.kind is RefKind.ORDER_NUMBER
            order = self.orders.get_by_number(ref.value) if by_number else None
            if order is not None and self.mailer is not None:
                self._send_code(client, order)
            return Verification()
        finally:
            self._pad(started)

    def _send_code(self, client: Client, order: Order) -> None:
        now = self.clock.now()
        if self.store.codes_sent(order.order_number, now - self.limits.window) >= (
            self.limits.codes_per_order
        ):
            return
        code = f"{secrets.randbelow(10**6):06d}"
        binding, conversation = self._ids(client)
        self.store.add_code(
            StoredCode(
                binding,
                conversation,
                order.order_number,
                self.digest(f"code:{code}"),
                now,
                now + self.limits.code_life,
            )
        )
        assert self.mailer is not None
        subject, body = one_time_code_mail(order.order_number, code, self.limits.code_life)
        self.mailer.send(order.customer.email, subject, body)

    def confirm_code(self, client: Client, ref: OrderRef, code: str) -> Verification:
        """Check a one-time code; grant the change level on its order, or count a failure."""
        started = self.monotonic()
        try:
            factor = Factor(FactorKind.ONE_TIME_CODE, code)
            keys = failure_keys(client, ref, factor)
            if self._locked(keys):
                return Verification(locked=True)
            now = self.clock.now()
            binding, conversation = self._ids(client)
            stored = self.store.live_code(binding, conversation, ref.value, now)
            right = stored is not None and same(stored.digest, self.digest(f"code:{code}"))
            if stored is None or not right or not self.store.spend_code(stored, now):
                return Verification(locked=self._fail(keys))
            self._add(client, [Grant(stored.order_number, Level.CHANGE)])
            return Verification((stored.order_number,))
        finally:
            self._pad(started)

    def _add(self, client: Client, grants: list[Grant]) -> None:
        binding, conversation = self._ids(client)
        now = self.clock.now()
        self.store.add_grants(binding, conversation, [replace(g, last_used=now) for g in grants])

    def _locked(self, keys: Iterable[tuple[KeyKind, str]]) -> bool:
        by_digest = {self._key(k): k for k in keys}
        since = self.clock.now() - self.limits.window
        counts = self.store.failure_counts(list(by_digest), since)
        return locked({by_digest[d]: n for d, n in counts.items()}, self.limits)

    def _fail(self, keys: set[tuple[KeyKind, str]]) -> bool:
        """Count a failure against every key; whether that used up a key's tries."""
        self.store.add_failures([self._key(k) for k in keys], self.clock.now())
        return self._locked(keys)

    def _key(self, key: tuple[KeyKind, str]) -> str:
        return self.digest(f"{key[0].value}:{key[1]}")

    def _ids(self, client: Client) -> tuple[str, str]:
        conversation = f"{client.channel}:{client.conversation}"
        return self.digest(f"binding:{client.binding}"), self.digest(f"conv:{conversation}")

    def _pad(self, started: float) -> None:
        """Make every check last at least the floor, whatever it found."""
        left = self.floor_seconds - (self.monotonic() - started)
        if left > 0:
            self.sleep(left)


def keyed_digest(key: bytes) -> Digest:
    """HMAC-SHA256 digests: identifiers are kept and compared without being stored in clear."""

    def digest(value: str) -> str:
        return hmac.new(key, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()

    return digest
