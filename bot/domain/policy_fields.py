"""Reading typed values out of a parsed policy file, noting each problem with its key."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar

E = TypeVar("E", bound=enum.Enum)
MISSING = object()


class Section:
    """One mapping of the file: reads typed values, notes problems and unknown keys."""

    def __init__(self, problems: list[str], path: str, data: object, quiet: bool = False) -> None:
        self.problems, self.path, self.read, self.quiet = problems, path, set[str](), quiet
        self.data: Mapping[str, object] = data if isinstance(data, Mapping) else {}
        if not isinstance(data, Mapping):  # reported once, not each key it lacks
            self.problems.append(f"{path or 'the file'}: must be a mapping of keys to values")
            self.quiet = True

    def key(self, name: str) -> str:
        """The full key of a name in this section."""
        return f"{self.path}.{name}" if self.path else name

    def problem(self, name: str, reason: str) -> None:
        """Note a problem of one key."""
        self.problems.append(f"{self.key(name)}: {reason}")

    def get(self, name: str, required: bool = True) -> object:
        """A raw value (MISSING when absent or null), noting a missing required key."""
        self.read.add(name)
        if name in self.data and self.data[name] is not None:
            return self.data[name]
        if required and not self.quiet:
            self.problem(name, "missing")
        return MISSING

    def section(self, name: str) -> Section:
        """A nested mapping; a missing one is reported once, not each of its keys."""
        value = self.get(name)
        if value is MISSING:  # already reported once: not each of its keys again
            return Section(self.problems, self.key(name), {}, quiet=True)
        return Section(self.problems, self.key(name), value, quiet=self.quiet)

    def done(self) -> None:
        """Note every key of this section that nothing asked for."""
        for name in sorted(set(self.data) - self.read, key=str):
            self.problem(str(name), "unknown key")

    def text(self, name: str, pattern: str = "text") -> str:
        """Non-empty text."""
        value = self.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is not MISSING:
            self.problem(name, f"must be {pattern}")
        return ""

    def duration(self, name: str, unit: str, positive: bool = True) -> timedelta:
        """A number of `unit` (> 0, or >= 0) as a timedelta."""
        value = self.get(name)
        if _is_number(value) and (value > 0 or (not positive and value == 0)):  # type: ignore[operator]
            return timedelta(**{unit: float(value)})  # type: ignore[arg-type]
        if value is not MISSING:
            self.problem(name, f"must be a number of {unit} {'>' if positive else '>='} 0")
        return timedelta(0)

    def optional_duration(self, name: str, unit: str) -> timedelta | None:
        """A duration, or None when absent."""
        if self.data.get(name) is None:
            self.read.add(name)
            return None
        return self.duration(name, unit)

    def count(self, name: str) -> int:
        """A whole number >= 0."""
        value = self.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if value is not MISSING:
            self.problem(name, "must be a whole number >= 0")
        return 0

    def flag(self, name: str, required: bool = True) -> bool:
        """true or false."""
        value = self.get(name, required)
        if isinstance(value, bool):
            return value
        if value is not MISSING:
            self.problem(name, "must be true or false")
        return False

    def money(self, name: str, required: bool = True) -> Decimal | None:
        """An amount >= 0 as a Decimal (quoted, to keep it exact)."""
        value = self.get(name, required)
        if value is MISSING:
            return None
        amount = _decimal(value)
        if amount is None or amount < 0:
            self.problem(name, 'must be an amount >= 0, like "150.00"')
        return amount

    def clock_time(self, name: str) -> time:
        """A time of day in quotes ("14:00"; unquoted YAML reads it as a number)."""
        value = self.get(name)
        try:
            if isinstance(value, str):
                return time.fromisoformat(value)
        except ValueError:
            pass
        if value is not MISSING:
            self.problem(name, 'must be a time of day in quotes, like "14:00"')
        return time(0)

    def dates(self, name: str) -> frozenset[date]:
        """A list of dates (absent: none)."""
        value = self.get(name, required=False)
        if value is MISSING:
            return frozenset()
        if not isinstance(value, list):
            self.problem(name, "must be a list of dates (YYYY-MM-DD)")
            return frozenset()
        found = set()
        for i, each in enumerate(value):
            day = _date(each)
            if day is None:
                self.problem(f"{name}[{i}]", "must be a date (YYYY-MM-DD)")
            else:
                found.add(day)
        return frozenset(found)

    def choice(self, name: str, kind: type[E]) -> E | None:
        """One value of an enum."""
        value = self.get(name)
        try:
            return kind(value)
        except ValueError:
            if value is not MISSING:
                self.problem(name, f"must be one of {_names(kind)}")
            return None

    def choices(self, name: str, kind: type[E]) -> tuple[E, ...]:
        """A non-empty list of values of an enum."""
        value = self.get(name)
        if not isinstance(value, list) or not value:
            if value is not MISSING:
                self.problem(name, f"must be a list of one or more of {_names(kind)}")
            return ()
        found = []
        for i, each in enumerate(value):
            try:
                found.append(kind(each))
            except ValueError:
                self.problem(f"{name}[{i}]", f"must be one of {_names(kind)}")
        return tuple(found)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _names(kind: type[enum.Enum]) -> str:
    return ", ".join(str(member.value) for member in kind)
