"""One clock for every process: real time, or fixed by WISMO_NOW."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Clock:
    """Tells "now"; a fixed clock always answers the same instant."""

    fixed: datetime | None = None

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        if self.fixed is not None:
            return self.fixed
        return datetime.now(UTC)

    @classmethod
    def from_iso(cls, value: str | None) -> Clock:
        """A clock fixed at an ISO 8601 instant with offset, or the real clock when empty."""
        if not value:
            return cls()
        fixed = datetime.fromisoformat(value)
        if fixed.tzinfo is None:
            raise ValueError(f"WISMO_NOW needs a UTC offset: {value!r}")
        return cls(fixed)
