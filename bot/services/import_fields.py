"""Field readers of the import format: each value checked, each problem kept with its path.

A converter takes a JSON value and returns it typed, or raises `Bad` with the reason shown to
the user; `Reader` applies converters to record fields and collects the problems.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from bot.domain.errors import ImportProblem

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)
Record = Mapping[str, object]
Parse = Callable[["Reader", Record, str], T]

_MONEY = re.compile(r"-?[0-9]+(?:\.([0-9]+))?")
_MONEY_LIMIT = Decimal(10) ** 10  # the store keeps 10 digits before the point and 2 after


class Bad(ValueError):
    """A value has the wrong shape; the message is the reason shown to the user."""


def join(path: str, key: str) -> str:
    """The JSON path of `key` inside the record at `path` ("" is the document)."""
    return f"{path}.{key}" if path else key


class Reader:
    """Reads fields of JSON records, collecting a problem for each bad one."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []

    def problem(self, path: str, reason: str) -> None:
        """Record one problem."""
        self.problems.append(ImportProblem(path, reason))

    def field(
        self,
        record: Record,
        key: str,
        path: str,
        convert: Callable[[object], T],
        *,
        required: bool = True,
    ) -> T | None:
        """The converted `record[key]`, or None (with a problem when it is wrong or missing)."""
        value = record.get(key)
        if value is None:
            if required:
                self.problem(join(path, key), "is required")
            return None
        try:
            return convert(value)
        except Bad as bad:
            self.problem(join(path, key), str(bad))
            return None

    def nested(
        self, record: Record, key: str, path: str, parse: Parse[T], *, required: bool = True
    ) -> T | None:
        """The object at `record[key]` read by `parse`."""
        inner = self.field(record, key, path, json_object, required=required)
        return None if inner is None else parse(self, inner, join(path, key))

    def each(
        self, record: Record, key: str, path: str, parse: Parse[T | None], *, required: bool = False
    ) -> list[T | None] | None:
        """Every object of the list at `record[key]` read by `parse`, keeping positions.

        An absent list reads as empty; one that is not a list reads as None.
        """
        raws = self.field(record, key, path, json_list, required=required)
        if raws is None:
            return [] if record.get(key) is None else None
        results: list[T | None] = []
        for index, raw in enumerate(raws):
            where = f"{join(path, key)}[{index}]"
            if isinstance(raw, dict):
                results.append(parse(self, raw, where))
            else:
                self.problem(where, "must be an object")
                results.append(None)
        return results


def complete(results: list[T | None] | None) -> tuple[T, ...] | None:
    """All results, or None when one of them (or the list itself) could not be read."""
    if results is None:
        return None
    read = tuple(result for result in results if result is not None)
    return read if len(read) == len(results) else None


def json_object(value: object) -> Record:
    """A JSON object."""
    if not isinstance(value, dict):
        raise Bad("must be an object")
    return value


def json_list(value: object) -> list[object]:
    """A JSON list."""
    if not isinstance(value, list):
        raise Bad("must be a list")
    return value


def text(value: object) -> str:
    """A string that is not blank, trimmed."""
    if not isinstance(value, str):
        raise Bad("must be a string")
    if not value.strip():
        raise Bad("must not be blank")
    return value.strip()


def string(value: object) -> str:
    """Any string, kept as given."""
    if not isinstance(value, str):
        raise Bad("must be a string")
    return value


def matching(pattern: str, reason: str) -> Callable[[object], str]:
    """A converter of trimmed strings that must match `pattern` entirely."""
    compiled = re.compile(pattern)

    def convert(value: object) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value.strip()):
            raise Bad(reason)
        return value.strip()

    return convert


email = matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "not an email address")
phone = matching(r"\+[1-9][0-9]{1,14}", "not an E.164 phone number")
carrier = matching(r"[a-z][a-z0-9_]*", "not a lower-case carrier code")
currency = matching(r"[A-Z]{3}", "not an ISO 4217 currency code")
country = matching(r"[A-Z]{2}", "not an ISO 3166 two-letter country code")


def choice(kind: type[E]) -> Callable[[object], E]:
    """A converter to a member of `kind`, by value."""
    values = [member.value for member in kind]

    def convert(value: object) -> E:
        if value not in values:
            raise Bad(f"must be one of {', '.join(values)}")
        return kind(value)

    return convert


def time(value: object) -> datetime:
    """An ISO 8601 time with a UTC offset."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.utcoffset() is not None:
                return parsed
    raise Bad("not an ISO 8601 time with an offset")


def day(value: object) -> date:
    """An ISO 8601 date."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Bad("not an ISO 8601 date")


def money(value: object) -> Decimal:
    """A non-negative amount written as a decimal string (a JSON number is refused)."""
    match = _MONEY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Bad("not a decimal string")
    amount = Decimal(match[0])
    if amount < 0:
        raise Bad("must not be negative")
    if len(match[1] or "") > 2:
        raise Bad("has more than 2 decimal places")
    if amount >= _MONEY_LIMIT:
        raise Bad("is too large")
    return amount


def quantity(value: object) -> int:
    """A positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad("must be a positive integer")
    return value
