"""Whatever document or file it is given, the import returns a batch or raises ImportInvalid."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.errors import ImportInvalid
from bot.services.importing import ImportBatch, import_file, load_file, parse_document
from tests.unit.builders import FakeOrders
from tests.unit.test_importing import CONTRACT_EXAMPLE

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text()
    | st.sampled_from(["", " ", "\x00", "\ud800", "2026-11-17T10:05:00-05:00", "0001-01-01", "1.5"])
    | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1" * 5000])
)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
FILE_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON-like document."""
    found = [path] if path else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        found.extend(_paths(inner, (*path, key)))
    return found


PATHS = _paths(CONTRACT_EXAMPLE)


def _mutated(path: tuple[Any, ...], value: object) -> dict[str, Any]:
    doc = copy.deepcopy(CONTRACT_EXAMPLE)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _batch_or_problems(read: Any, *args: Any) -> None:
    """`read(*args)` gives a batch, or ImportInvalid whose problems all have a path and reason."""
    try:
        result = read(*args)
    except ImportInvalid as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.path and problem.reason
            str(problem).encode("ascii", "backslashreplace")
    else:
        assert result is None or isinstance(result, ImportBatch) or hasattr(result, "orders")


def _file_of(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "doc.json"
    path.write_bytes(content)
    return path


def _encoded(document: object) -> bytes:
    return json.dumps(document).encode("utf-8", "surrogatepass")


@given(JSON_LIKE)
def test_any_json_like_document_gives_a_batch_or_import_invalid(document: object) -> None:
    _batch_or_problems(parse_document, document)


@given(st.dictionaries(st.sampled_from(["orders", "tracking", "note"]), JSON_LIKE))
def test_any_document_with_the_sections_gives_a_batch_or_import_invalid(document: object) -> None:
    _batch_or_problems(parse_document, document)


@given(st.sampled_from(PATHS), JSON_LIKE)
def test_a_valid_document_with_one_field_changed_gives_a_batch_or_import_invalid(
    path: tuple[Any, ...], value: object
) -> None:
    _batch_or_problems(parse_document, _mutated(path, value))


@FILE_SETTINGS
@given(st.sampled_from(PATHS), JSON_LIKE)
def test_a_file_with_one_field_changed_gives_a_batch_or_import_invalid(
    tmp_path: Path, path: tuple[Any, ...], value: object
) -> None:
    file = _file_of(tmp_path, _encoded(_mutated(path, value)))
    _batch_or_problems(load_file, file)
    repository = FakeOrders()
    try:
        import_file(file, repository)
    except ImportInvalid:
        assert repository.orders == []


@FILE_SETTINGS
@given(JSON_LIKE)
def test_any_json_file_gives_a_batch_or_import_invalid(tmp_path: Path, document: object) -> None:
    _batch_or_problems(load_file, _file_of(tmp_path, _encoded(document)))


@FILE_SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_give_import_invalid(tmp_path: Path, content: bytes) -> None:
    _batch_or_problems(load_file, _file_of(tmp_path, content))


@FILE_SETTINGS
@given(st.sampled_from(range(len(json.dumps(CONTRACT_EXAMPLE)))), st.binary(min_size=1, max_size=8))
def test_a_valid_file_with_bytes_spliced_in_gives_a_batch_or_import_invalid(
    tmp_path: Path, at: int, spliced: bytes
) -> None:
    valid = json.dumps(CONTRACT_EXAMPLE).encode()
    _batch_or_problems(load_file, _file_of(tmp_path, valid[:at] + spliced + valid[at:]))
