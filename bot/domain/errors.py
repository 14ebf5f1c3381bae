"""The core's error tree, drawn once here (every other module points to it).

WismoError                   raised on purpose by the core or an adapter
├── NotOrderOwner            the conversation has no grant on that order (bot.services.access)
├── MessagingUnavailable     an email or message could not be sent; nothing was promised
├── StoreUnavailable         the order store could not be read or written, or is misconfigured
├── ImportInvalid            an import file has problems (all of them, with their paths)
├── PolicyInvalid            the store's policy file has problems (all of them, with their keys)
└── CarrierError             the carrier rejected our request (400, 422, other 4xx)
    ├── CarrierUnavailable   timeout, connection refused, 5xx, 429, garbage body, open breaker
    ├── CarrierAuthError     the carrier refused our credentials (401/403)
    └── TrackingNotFound     the carrier does not know this tracking number (404)

A locked-out check is not an error: `bot.services.access.Verification` says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class WismoError(Exception):
    """Base of every error the core raises on purpose."""


class NotOrderOwner(WismoError):
    """The conversation has not proven, at the level needed, that the order is the shopper's."""


class MessagingUnavailable(WismoError):
    """An email or message could not be sent; nothing was promised."""


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import file: where it is and why it is wrong."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ImportInvalid(WismoError):
    """An import file has problems; nothing was written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the import file")


class PolicyInvalid(WismoError):
    """The store's policy file has problems (one `key: reason` line each); nothing may start."""

    def __init__(self, problems: Sequence[str], source: str = "the store policy") -> None:
        self.problems = tuple(problems)
        self.source = source
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n{lines}")


class CarrierError(WismoError):
    """A carrier could not answer as asked (the tree is drawn in this module's docstring)."""


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time or answered nonsense; try again later."""


class CarrierAuthError(CarrierError):
    """The carrier refused our credentials."""


class TrackingNotFound(CarrierError):
    """The carrier does not know the tracking number."""


class StoreUnavailable(WismoError):
    """The order store could not be read or written; try again later."""
