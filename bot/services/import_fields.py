"""Field readers of the import format: each value checked, each problem kept with its path.

A converter takes a JSON value and returns it typed, or raises `Bad` with the reason shown to
the user; `Reader` applies converters to record fields and collects the problems.
"""

from __future__ import annotations

import codecs
import contextlib
import enum
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO, TypeVar

from bot.domain.errors import ImportProblem

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)
Record = Mapping[str, object]
Parse = Callable[["Reader", Record, str], T]

_MONEY = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
_MONEY_DIGITS = 10  # the store keeps 10 digits before the point and 2 after
MOST_ITEMS = 100_000  # of one sku in one order: a sane bound, far inside the store's integers
LONGEST_TEXT = 500  # names, address lines, numbers, codes
LONGEST_EMAIL = 254  # RFC 5321's longest path
LONGEST_DESCRIPTION = 2000
_LONGEST_TIME = 64
YEARS = (2000, 2100)  # times and dates outside these cannot be shown or compared safely
_MAX_DIGITS = 100  # a longer JSON number is refused, not converted (Python stops at 4300)
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHOWN_KEY = 40  # a key longer than this is cut in the paths shown


class Bad(ValueError):
    """A value has the wrong shape; the message is the reason shown to the user."""


def join(path: str, key: str) -> str:
    """The JSON path of `key` inside the record at `path` ("" is the document)."""
    return f"{path}.{key}" if path else key


def join_any(path: str, key: object) -> str:
    """The JSON path of any key: a plain name as `join` does, others quoted and escaped."""
    if isinstance(key, str) and _NAME.fullmatch(key):
        return join(path, key)
    shown = key if isinstance(key, str) else str(key)
    cut = json.dumps(shown[:_SHOWN_KEY]) + ("..." if len(shown) > _SHOWN_KEY else "")
    return f"{path or '$'}[{cut}]"


@dataclass(frozen=True)
class LongNumber:
    """A JSON number with too many digits to be converted; only its length is kept."""

    digits: int


class Repeated(dict[str, object]):
    """A JSON object in which keys appear more than once (the last value is kept)."""

    twice: tuple[str, ...] = ()


def unreadable(value: object) -> str | None:
    """Why no record may hold this value whatever its field, or None when it may."""
    if isinstance(value, str):
        bad = _BAD_CHAR.search(value)
        if bad is None:
            return None
        return "contains a NUL character" if bad[0] == "\x00" else "contains a lone surrogate"
    if isinstance(value, LongNumber):
        return f"a number of {value.digits} digits is too long"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    return None


def odd_values(value: object, path: str) -> Iterator[ImportProblem]:
    """Every unreadable value, bad key and repeated key in `value` (itself included)."""
    stack: list[tuple[str, object]] = [(path, value)]
    while stack:  # not recursive: a value may be nested as deep as the JSON reader allows
        where, item = stack.pop()
        if isinstance(item, list):
            inside = [(f"{where}[{n}]", child) for n, child in enumerate(item) if _worth(child)]
        elif isinstance(item, dict):
            yield from _bad_keys(item, where)
            inside = [(join_any(where, key), child) for key, child in item.items() if _worth(child)]
        else:
            reason = unreadable(item)
            inside = []
            if reason is not None:
                yield ImportProblem(where, reason)
        stack.extend(reversed(inside))


def _worth(child: object) -> bool:
    """Whether a value needs a look of its own: a container, or a leaf that may be unreadable."""
    if isinstance(child, str):
        return not child.isascii() or "\x00" in child
    return not (child is None or isinstance(child, int))


def _bad_keys(record: Mapping[object, object], where: str) -> Iterator[ImportProblem]:
    """The repeated keys and keys with characters that are not allowed of one object."""
    for twice in record.twice if isinstance(record, Repeated) else ():
        yield ImportProblem(join_any(where, twice), "appears twice in this object")
    for key in record:
        if isinstance(key, str) and key.isascii() and "\x00" not in key:
            continue
        reason = unreadable(key) if isinstance(key, str) else "must be a string"
        if reason is not None:
            yield ImportProblem(join_any(where, key), f"the key {reason}")


class Reader:
    """Reads fields of JSON records, collecting a problem for each bad one."""

    def __init__(self) -> None:
        self.problems: list[ImportProblem] = []
        self.reported: set[str] = set()  # paths `odd_values` has reported: not read again

    def problem(self, path: str, reason: str) -> None:
        """Record one problem."""
        self.problems.append(ImportProblem(path, reason))

    def report_odd(self, value: object, path: str) -> None:
        """Report the odd values in `value` (at `path`), then read none of them as fields."""
        odd = list(odd_values(value, path))
        self.problems.extend(odd)
        self.reported = {problem.path for problem in odd}

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
        if self.reported and join(path, key) in self.reported:
            return None
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
                if where not in self.reported:
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


def _short(value: str, longest: int) -> str:
    """`value` trimmed, or Bad when it is longer than `longest` characters."""
    trimmed = value.strip()
    if len(trimmed) > longest:
        raise Bad(f"is longer than {longest} characters")
    return trimmed


def text(value: object) -> str:
    """A string that is not blank, trimmed, of at most LONGEST_TEXT characters."""
    if not isinstance(value, str):
        raise Bad("must be a string")
    if not value.strip():
        raise Bad("must not be blank")
    return _short(value, LONGEST_TEXT)


def string(value: object) -> str:
    """Any string of at most LONGEST_DESCRIPTION characters, kept as given."""
    if not isinstance(value, str):
        raise Bad("must be a string")
    if len(value) > LONGEST_DESCRIPTION:
        raise Bad(f"is longer than {LONGEST_DESCRIPTION} characters")
    return value


def matching(pattern: str, reason: str, longest: int = LONGEST_TEXT) -> Callable[[object], str]:
    """A converter of trimmed strings that must match `pattern` entirely."""
    compiled = re.compile(pattern)

    def convert(value: object) -> str:
        if not isinstance(value, str):
            raise Bad(reason)
        trimmed = _short(value, longest)
        if not compiled.fullmatch(trimmed):
            raise Bad(reason)
        return trimmed

    return convert


email = matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "not an email address", LONGEST_EMAIL)
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


def _in_years(moment: date) -> None:
    """Bad unless `moment` falls in YEARS."""
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise Bad(f"must be in the years {YEARS[0]} to {YEARS[1]}")


def time(value: object) -> datetime:
    """An ISO 8601 time with a UTC offset of whole minutes, in YEARS."""
    parsed = None
    if isinstance(value, str) and len(value) <= _LONGEST_TIME:
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value)
    offset = None if parsed is None else parsed.utcoffset()
    if parsed is None or offset is None:
        raise Bad("not an ISO 8601 time with an offset")
    if offset % timedelta(minutes=1):
        raise Bad("has an offset that is not whole minutes")
    _in_years(parsed)
    return parsed


def day(value: object) -> date:
    """An ISO 8601 date in YEARS."""
    parsed = None
    if isinstance(value, str) and len(value) <= _LONGEST_TIME:
        with contextlib.suppress(ValueError):
            parsed = date.fromisoformat(value)
    if parsed is None:
        raise Bad("not an ISO 8601 date")
    _in_years(parsed)
    return parsed


def money(value: object) -> Decimal:
    """A non-negative amount written as a decimal string (a JSON number is refused)."""
    match = _MONEY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Bad("not a decimal string")
    whole, places = match[1].lstrip("0"), match[2] or ""
    if match[0].startswith("-") and (whole or places.strip("0")):
        raise Bad("must not be negative")
    if len(places) > 2:
        raise Bad("has more than 2 decimal places")
    if len(whole) > _MONEY_DIGITS:
        raise Bad("is too large")
    return abs(Decimal(match[0]))  # "-0.00" is zero


def quantity(value: object) -> int:
    """A positive integer of at most MOST_ITEMS."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad("must be a positive integer")
    if value > MOST_ITEMS:
        raise Bad(f"must be at most {MOST_ITEMS}")
    return value


# The document, streamed: its top-level members one by one, the items of a list one at a time,
# so a file of a million orders is never in memory at once.

LIST = object()  # the value announced for a member that is a list; its items follow
_CHUNK_BYTES = 1 << 20
_LAST_TOKEN = 64  # a JSON error this close to the end of what was read may be a cut token
_SPACE = re.compile(r"[ \t\n\r]*")


_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")  # how JSON text writes NUL or a surrogate


def _repeated(pairs: list[tuple[str, object]], record: dict[str, object]) -> Repeated:
    """A JSON object in which keys appear more than once."""
    repeated = Repeated(record)
    repeated.twice = tuple(key for key, count in Counter(k for k, _ in pairs).items() if count > 1)
    return repeated


_BOM = codecs.BOM_UTF8


def members(raw: BinaryIO) -> Iterator[tuple[str, int | None, object, bool]]:
    """The top-level object's members as `(key, index, value, odd)`, read as a stream.

    A member is `(key, None, value, odd)`; a list is `(key, None, LIST, False)` followed by
    `(key, index, item, odd)` per item; `odd` is False only when the value surely holds nothing
    `odd_values` would find. Raises `Bad` for bad UTF-8, bad JSON, or a document that is not an
    object (its members until then have been given).
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
                yield key, None, LIST, text.odd
                for index, item in enumerate(text.items()):
                    yield key, index, item, text.odd
            else:
                yield key, None, text.value(), text.odd
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
        self.odd = False  # whether the last value (or key) read may hold an odd value
        self.json = json.JSONDecoder(
            object_pairs_hook=self._object,
            parse_int=self._integer,
            parse_float=self._float,
            parse_constant=self._constant,
        )

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
            self.odd = False
            try:
                value, end = self.json.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.text) - _LAST_TOKEN or exc.msg.startswith("Unterminated")
                if self.eof or not cut:
                    raise self.error(exc.msg, exc.pos) from exc
            except RecursionError as exc:  # the decoder's own guard, far deeper than any record
                raise self.error("nested too deeply", self.pos) from exc
            else:
                if self.eof or end + _LAST_TOKEN < len(self.text):  # "-0" may be "-0.5e3" cut
                    escape = self.text.find("\\u", self.pos, end)
                    self.odd |= escape >= 0 and bool(_ESCAPE.search(self.text, escape, end))
                    self.pos = end
                    return value
            self._more()

    def _object(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        """A JSON object, as a `Repeated` when a key appears more than once."""
        record = dict(pairs)
        if len(record) == len(pairs):
            return record
        self.odd = True
        return _repeated(pairs, record)

    def _integer(self, digits: str) -> int | LongNumber:
        """A JSON integer, or a LongNumber when it has too many digits to convert safely."""
        if len(digits) <= _MAX_DIGITS:
            return int(digits)
        self.odd = True
        return LongNumber(len(digits.lstrip("-")))

    def _float(self, digits: str) -> float:
        """A JSON number with a fraction or an exponent (1e999 is infinite, so odd)."""
        number = float(digits)
        self.odd |= not math.isfinite(number)
        return number

    def _constant(self, name: str) -> float:
        """NaN, Infinity or -Infinity: not JSON, but Python's reader takes them."""
        self.odd = True
        return float(name)

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
