"""`wismo import` as a real process on a SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.adapters.db.engine import make_engine
from bot.adapters.db.models import Base
from bot.bootstrap import build_repository
from bot.config import Settings

WISMO = Path(sys.executable).parent / "wismo"
FIXTURES = Path(__file__).parents[1] / "fixtures"
VALID = FIXTURES / "orders_small.json"
INVALID = FIXTURES / "orders_invalid.json"


def wismo(database_url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WISMO_")}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [str(WISMO), *map(str, args)], env=env, capture_output=True, text=True, timeout=60
    )


def table_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def imported(sqlite_url: str) -> str:
    result = wismo(sqlite_url, "import", VALID)
    assert result.returncode == 0, result.stderr
    return sqlite_url


def test_importing_a_valid_file_stores_its_orders(sqlite_url: str) -> None:
    result = wismo(sqlite_url, "import", VALID)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 4 orders and 3 trackings"
    repository = build_repository(Settings(database_url=sqlite_url))
    order = repository.get_by_number("WM-104240")
    assert order is not None and len(order.shipments) == 2
    assert repository.sandbox_tracking("fedex", "794644790132") is not None


def test_a_file_with_problems_lists_them_all_and_writes_nothing(imported: str) -> None:
    before = table_rows(imported)
    result = wismo(imported, "import", INVALID)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "nothing was written"
    assert len(lines) == 15
    assert "orders[0].customer.email: not an email address" in lines
    assert "orders[1].items[0].unit_price: not a decimal string" in lines
    assert "orders[2].order_number: duplicate of orders[0]" in lines
    assert "tracking[1].events[1].time: events are not in time order" in lines
    assert table_rows(imported) == before


def test_importing_the_same_file_again_changes_nothing(imported: str) -> None:
    before = table_rows(imported)
    result = wismo(imported, "import", VALID)
    assert result.returncode == 0, result.stderr
    assert table_rows(imported) == before


def test_invalid_json_is_reported_with_its_line_and_column(sqlite_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"orders": [\n  {"order_number": "WM-1"\n]}\n')
    result = wismo(sqlite_url, "import", broken)
    assert result.returncode == 1
    assert "$: invalid JSON at line 3, column 1" in result.stderr
    assert "nothing was written" in result.stderr


def test_a_missing_file_is_a_usage_error(sqlite_url: str, tmp_path: Path) -> None:
    result = wismo(sqlite_url, "import", tmp_path / "nope.json")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_migrate_creates_the_tables(sqlite_url: str) -> None:
    result = wismo(sqlite_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert set(table_rows(sqlite_url)) == set(Base.metadata.tables)


def _contract_with(old: str, new: str) -> str:
    text = VALID.read_text()
    assert old in text
    return text.replace(old, new, 1)


HOSTILE = {
    "deep.json": ('{"orders": [' + "[" * 100_000 + "]}", "$: invalid JSON at line 1, column 13"),
    "long_number.json": ('{"orders": [], "n": ' + "7" * 5000 + "}", "n: a number of 5000 digits"),
    "surrogate.json": ('{"orders": [{"order_number": "\\ud800"}]}', "orders[0].order_number: "),
    "nul.json": ('{"orders": [{"order_number": "WM\\u0000"}]}', "orders[0].order_number: "),
    "repeated.json": ('{"orders": [{"status": "fulfilled", "status": "x"}]}', "orders[0].status: "),
    "latin1.json": (b'{"orders": [], "x": "caf\xe9"}', "$: not UTF-8 text (byte 24)"),
    "empty.json": ("", "$: invalid JSON at line 1, column 1"),
    "list.json": ("[1, 2]", "$: must be a JSON object"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_fails_with_its_problems_and_writes_nothing(
    name: str, imported: str, tmp_path: Path
) -> None:
    content, expected = HOSTILE[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = table_rows(imported)
    result = wismo(imported, "import", path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "nothing was written"
    assert any(line.startswith(expected) for line in lines[:-1]), lines
    assert all(": " in line for line in lines[:-1])
    assert "Traceback" not in result.stderr
    assert table_rows(imported) == before


def test_a_quantity_too_large_for_the_store_is_refused_before_writing(
    imported: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge_quantity.json"
    path.write_text(_contract_with('"quantity": 1', f'"quantity": {2**70}'))
    before = table_rows(imported)
    result = wismo(imported, "import", path)
    assert result.returncode == 1, result.stderr
    assert ": must be at most 100000" in result.stderr
    assert table_rows(imported) == before


def test_a_year_one_event_time_is_refused_before_writing(imported: str, tmp_path: Path) -> None:
    path = tmp_path / "year_one.json"
    text = VALID.read_text()
    first_time = text[text.index('"time": "') + 9 :].split('"', 1)[0]
    path.write_text(text.replace(first_time, "0001-01-01T00:00:00+00:00", 1))
    before = table_rows(imported)
    result = wismo(imported, "import", path)
    assert result.returncode == 1, result.stderr
    assert ".time: must be in the years 2000 to 2100" in result.stderr
    assert table_rows(imported) == before
