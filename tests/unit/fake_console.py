"""In-memory ports of the agent console: accounts and sessions, and Rasa's conversations."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from argon2 import PasswordHasher as Argon2Hasher

from bot.adapters.passwords import Argon2Passwords
from bot.domain.accounts import Account, ConsoleSession
from bot.domain.errors import MessagingUnavailable
from bot.domain.tickets import ConsoleEvent, Line, Ticket


def cheap_passwords(time_cost: int = 1, memory_cost: int = 8) -> Argon2Passwords:
    """The real argon2id hasher with parameters cheap enough for unit tests."""
    return Argon2Passwords(
        Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
    )


@dataclass
class FakeAccountStore:
    """An in-memory AccountStore."""

    accounts: dict[str, Account] = field(default_factory=dict)
    sessions: dict[str, ConsoleSession] = field(default_factory=dict)

    def add(self, account: Account) -> bool:
        if account.username in self.accounts:
            return False
        self.accounts[account.username] = replace(account, id=len(self.accounts) + 1)
        return True

    def by_username(self, username: str) -> Account | None:
        return self.accounts.get(username)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.accounts[username] = replace(self.accounts[username], password_hash=password_hash)

    def add_session(self, session: ConsoleSession) -> None:
        self.sessions[session.digest] = session

    def session(self, digest: str) -> ConsoleSession | None:
        return self.sessions.get(digest)

    def touch_session(self, digest: str, now: datetime) -> None:
        if digest in self.sessions:
            self.sessions[digest] = replace(self.sessions[digest], last_seen_at=now)

    def drop_session(self, digest: str) -> None:
        self.sessions.pop(digest, None)

    def drop_sessions_of(self, username: str) -> None:
        for digest in [d for d, s in self.sessions.items() if s.username == username]:
            del self.sessions[digest]


@dataclass
class FakeConversationControl:
    """A ConversationControl that records what it was asked, in order; can fail."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # the calls that raise

    def announce(self, ticket: Ticket, event: ConsoleEvent, agent_name: str) -> None:
        self._record("announce", ticket.conversation, event.value, agent_name)

    def resume(self, ticket: Ticket) -> None:
        self._record("resume", ticket.conversation)

    def say(self, ticket: Ticket, agent: Account, text: str) -> None:
        self._record("say", ticket.conversation, agent.username, text)

    def transcript(self, ticket: Ticket) -> list[Line]:
        self._record("transcript", ticket.conversation)
        return list(self.lines)

    def _record(self, *call: str) -> None:
        if call[0] in self.failing:
            raise MessagingUnavailable(f"Rasa did not answer {call[0]}")
        self.calls.append(call)
