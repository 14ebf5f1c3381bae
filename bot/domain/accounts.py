"""People on the support team who log in to the console, and their sessions.

An agent works the hand-off queue; a lead does too, and also reads the team's pages.
A password is kept only as a hash (the hasher is a port: argon2 in production). A
session ends after a while without use and, at the latest, a fixed time after login;
a browser holds only its random token, the store only the token's digest.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
MAX_NAME_CHARS = 64


class Role(enum.StrEnum):
    """What a person may open in the console."""

    AGENT = "agent"  # the queue and the conversations
    LEAD = "lead"  # the agent's pages and the team's

    def may(self, needed: Role) -> bool:
        """Whether this role opens pages that need `needed` (a lead opens an agent's)."""
        return self is Role.LEAD or needed is Role.AGENT


@dataclass(frozen=True)
class Account:
    """A console account; `name` is what shoppers see when this person answers."""

    username: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    disabled: bool = False
    id: int | None = None


@dataclass(frozen=True)
class ConsoleSession:
    """A logged-in browser: its token's digest, its CSRF token and when it ends."""

    digest: str
    username: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the latest end, whatever the use

    def alive(self, now: datetime, idle: timedelta) -> bool:
        """Whether the session may still be used at `now`."""
        return now < self.expires_at and now - self.last_seen_at < idle


def account_problems(username: str, name: str, password: str) -> list[str]:
    """Everything wrong with a new account's details, each said plainly; [] when none."""
    problems = []
    if not USERNAME.fullmatch(username):
        problems.append(
            "the username must be 2 to 32 lowercase letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    if not name.strip() or len(name) > MAX_NAME_CHARS or not name.isprintable():
        problems.append(f"the name must be 1 to {MAX_NAME_CHARS} printable characters")
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        problems.append(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    return problems


def new_token() -> str:
    """A random token for a browser's cookie (or a form's CSRF field)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a session token: a stolen table logs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()
