"""Field readers of the import format: each value checked, each problem kept with its path.

A converter takes a JSON value and returns it typed, or raises `Bad` with the reason shown to
the user; `Reader` applies converters to record fields and collects the problems.
"""

from __future__ import annotations

import codecs
import enum
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, TypeVar

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
    """A converter to a member of `kind`, by value (make it once: it is called per record)."""
    members = {member.value: member for member in kind}
    reason = f"must be one of {', '.join(members)}"

    def convert(value: object) -> E:
        member = members.get(value) if isinstance(value, str) else None
        if member is None:
            raise Bad(reason)
        return member

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


# The document, streamed: its top-level members one by one, the items of a list one at a time,
# so a file of a million orders is never in memory at once.

LIST = object()  # the value announced for a member that is a list; its items follow
_CHUNK_BYTES = 1 << 20
_LAST_TOKEN = 64  # a JSON error this close to the end of what was read may be a cut token
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_BOM = codecs.BOM_UTF8


def members(raw: BinaryIO) -> Iterator[tuple[str, int | None, object]]:
    """The top-level object's members as `(key, index, value)`, read as a stream.

    A member is `(key, None, value)`; a list is `(key, None, LIST)` followed by
    `(key, index, item)` per item. Raises `Bad` for bad UTF-8, bad JSON, or a document that
    is not an object (its members until then have been given).
    """
    text = _Text(raw)
    if text.peek() != "{":
        text.value()
        text.end()
        raise Bad("must be a JSON object")
    text.take("{", "Expecting value")
    if text.peek() == "}":
        text.take("}", "")
    else:
        while True:
            key = text.key()
            text.take(":", "Expecting ':' delimiter")
            if text.peek() == "[":
                yield key, None, LIST
                yield from ((key, index, item) for index, item in enumerate(text.items()))
            else:
                yield key, None, text.value()
            if text.take(",}", "Expecting ',' delimiter") == "}":
                break
    text.end()


class _Text:
    """JSON text read from a binary file piece by piece, with positions for error messages."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text, self.pos, self.eof = "", 0, False
        head = raw.read(len(_BOM))
        self.head = b"" if head == _BOM else head  # a byte order mark is skipped
        self.bytes_read = len(head) - len(self.head)
        self.lines_before = 0  # newlines in the text already dropped
        self.column_before = 0  # characters of the dropped text after its last newline

    def _more(self) -> None:
        """Drop what was read, then decode the next piece of the file (raises Bad at EOF)."""
        dropped = self.text[: self.pos]
        newlines = dropped.count("\n")
        self.lines_before += newlines
        self.column_before = (
            len(dropped) - dropped.rfind("\n") - 1 if newlines else self.column_before + self.pos
        )
        data, self.head = self.head + self.raw.read(_CHUNK_BYTES), b""
        pending = len(self.decoder.getstate()[0])
        try:
            piece = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise Bad(f"not UTF-8 text (byte {self.bytes_read - pending + exc.start})") from exc
        self.bytes_read += len(data)
        self.text, self.pos, self.eof = self.text[self.pos :] + piece, 0, not data

    def error(self, message: str, pos: int) -> Bad:
        """Bad JSON at `pos` of the text, told by line and column of the file."""
        newlines = self.text.count("\n", 0, pos)
        line = self.lines_before + newlines + 1
        start = self.text.rfind("\n", 0, pos) if newlines else -1 - self.column_before
        column = pos - start
        return Bad(f"invalid JSON at line {line}, column {column}: {message}")

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or self.eof:
                return self.text[self.pos : self.pos + 1]
            self._more()

    def take(self, allowed: str, message: str) -> str:
        """Consume the next character, one of `allowed`, or raise `message`."""
        char = self.peek()
        if not char or char not in allowed:
            raise self.error(message, self.pos)
        self.pos += 1
        return char

    def value(self) -> object:
        """The next JSON value, read further until it is whole."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.text) - _LAST_TOKEN or exc.msg.startswith("Unterminated")
                if self.eof or not cut:
                    raise self.error(exc.msg, exc.pos) from exc
            else:
                if self.eof or end + _LAST_TOKEN < len(self.text):  # "-0" may be "-0.5e3" cut
                    self.pos = end
                    return value
            self._more()

    def key(self) -> str:
        """The next member's key."""
        if self.peek() != '"':
            raise self.error("Expecting property name enclosed in double quotes", self.pos)
        key = self.value()
        assert isinstance(key, str)  # a JSON value starting with a quote is a string
        return key

    def items(self) -> Iterator[object]:
        """The items of the list that starts here, one at a time."""
        self.take("[", "Expecting value")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.take(",]", "Expecting ',' delimiter") == "]":
                return

    def end(self) -> None:
        """Nothing but white space may follow the document."""
        if self.peek():
            raise self.error("Extra data", self.pos)
