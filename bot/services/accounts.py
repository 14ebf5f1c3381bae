"""Console accounts: adding people, logging in, and the sessions that expire.

Logging in is limited the way order checks are: failures are counted in windows the
store keeps, per username and per address, and past the limit even the right password
is refused until the window passes. An unknown username costs the same hashing work
as a known one, so the answer's time does not tell which usernames exist. A session
ends after `idle` without use and `lifetime` after login at the latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.accounts import (
    Account,
    ConsoleSession,
    Role,
    account_problems,
    new_token,
    token_digest,
)
from bot.domain.errors import WismoError
from bot.services.access import Digest
from bot.services.ports import AccessStore, AccountStore, PasswordHasher

LOGIN_USER = "login-user:"
LOGIN_ADDRESS = "login-address:"


class AccountInvalid(WismoError):
    """A new account's details are wrong; `problems` says each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class LoginRefused(WismoError):
    """Wrong username or password, or too many tries (`retry_minutes` then)."""

    def __init__(self, limited: bool = False, retry_minutes: int = 0) -> None:
        super().__init__("too many attempts" if limited else "wrong username or password")
        self.limited = limited
        self.retry_minutes = retry_minutes


@dataclass(frozen=True)
class LoggedIn:
    """A new session: the token for the browser's cookie, and the account."""

    token: str
    session: ConsoleSession
    account: Account


@dataclass
class Accounts:
    """Adds accounts and logs people in and out, over the account and failure stores."""

    store: AccountStore
    failures: AccessStore
    hasher: PasswordHasher
    digest: Digest  # keyed: usernames and addresses are counted as digests
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)
    window: timedelta = timedelta(minutes=15)
    max_failures: int = 5  # per username, per window
    max_failures_per_address: int = 20

    def add(self, username: str, name: str, role: Role, password: str, now: datetime) -> Account:
        """A new account; AccountInvalid lists every problem (a taken username too)."""
        problems = account_problems(username, name, password)
        if problems:
            raise AccountInvalid(problems)
        account = Account(username, name.strip(), role, self.hasher.hash(password), now)
        if not self.store.add(account):
            raise AccountInvalid([f"the username {username!r} is taken"])
        return account

    def log_in(self, username: str, password: str, address: str, now: datetime) -> LoggedIn:
        """A new session for the right password; LoginRefused otherwise (or when limited)."""
        keys = [self.digest(LOGIN_USER + username.lower()), self.digest(LOGIN_ADDRESS + address)]
        counts = self.failures.failure_counts(keys, now - self.window)
        if (
            counts.get(keys[0], 0) >= self.max_failures
            or counts.get(keys[1], 0) >= self.max_failures_per_address
        ):
            raise LoginRefused(limited=True, retry_minutes=int(self.window.total_seconds() // 60))
        account = self.store.by_username(username.lower())
        if account is None or account.disabled:
            self.hasher.verify(_UNKNOWN_HASH.get(self.hasher), password)  # the same work
            self.failures.add_failures(keys, now)
            raise LoginRefused()
        if not self.hasher.verify(account.password_hash, password):
            self.failures.add_failures(keys, now)
            raise LoginRefused()
        if self.hasher.needs_rehash(account.password_hash):
            self.store.set_password_hash(account.username, self.hasher.hash(password))
        token = new_token()
        session = ConsoleSession(
            digest=token_digest(token),
            username=account.username,
            csrf=new_token(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.lifetime,
        )
        self.store.add_session(session)
        return LoggedIn(token, session, account)

    def current(
        self, token: str, now: datetime, touch: bool = True
    ) -> tuple[Account, ConsoleSession] | None:
        """The account and session a browser's token stands for, if alive; touched (kept
        alive) unless `touch` is False: a page refreshing itself is not a person at work."""
        if not token:
            return None
        session = self.store.session(token_digest(token))
        if session is None:
            return None
        if not session.alive(now, self.idle):
            self.store.drop_session(session.digest)
            return None
        account = self.store.by_username(session.username)
        if account is None or account.disabled:
            return None
        if touch:
            self.store.touch_session(session.digest, now)
        return account, session

    def log_out(self, token: str) -> None:
        """End the session of this token (nothing when there is none)."""
        if token:
            self.store.drop_session(token_digest(token))

    def name_of(self, username: str) -> str | None:
        """The name a person on the team goes by (what shoppers and the team see), if any."""
        account = self.store.by_username(username)
        return None if account is None else account.name


class _UnknownHash:
    """One hash of a random password per hasher: what an unknown username is checked
    against, so that it costs what a known one does."""

    def __init__(self) -> None:
        self._hashes: dict[int, str] = {}

    def get(self, hasher: PasswordHasher) -> str:
        key = id(hasher)
        if key not in self._hashes:
            self._hashes[key] = hasher.hash(new_token())
        return self._hashes[key]


_UNKNOWN_HASH = _UnknownHash()
