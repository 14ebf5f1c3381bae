"""The core's error tree.

WismoError
├── OrderNotFound        no order matches what the shopper gave
├── NotOrderOwner        the second factor does not match the order
├── VerificationLocked   too many failed checks (per order, email, client or address)
├── MessagingUnavailable an email or message could not be sent
├── ImportInvalid        an import file has problems (all of them, with paths)
└── CarrierError         a carrier could not answer (tree below)
"""

from __future__ import annotations

from dataclasses import dataclass


class WismoError(Exception):
    """Base of every error the core raises on purpose."""


class OrderNotFound(WismoError):
    """No order matches the reference the shopper gave."""


class NotOrderOwner(WismoError):
    """The second factor does not prove ownership of the order."""


class VerificationLocked(WismoError):
    """Too many failed checks for an order, an email, a client or an address."""


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


class CarrierError(WismoError):
    """A carrier could not answer as asked.

    CarrierError
    ├── CarrierUnavailable   timeout, connection refused, 5xx, garbage body
    ├── CarrierAuthError     the carrier refused our credentials (401/403)
    └── TrackingNotFound     the carrier does not know this tracking number
    """


class CarrierUnavailable(CarrierError):
    """The carrier did not answer in time or answered nonsense; try again later."""


class CarrierAuthError(CarrierError):
    """The carrier refused our credentials."""


class TrackingNotFound(CarrierError):
    """The carrier does not know the tracking number."""


class StoreUnavailable(WismoError):
    """The order store could not be read or written; try again later."""
