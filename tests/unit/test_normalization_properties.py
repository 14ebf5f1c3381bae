"""What shoppers type, normalized: idempotent, total, linear, and every way of typing reads."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.identity import (
    OrderNumberFormat,
    normalize_email,
    normalize_phone,
    normalize_postal_code,
)

ORDER_NUMBERS = OrderNumberFormat()
NORMALIZERS: dict[str, Callable[[str], str | None]] = {
    "order_number": ORDER_NUMBERS.normalize,
    "email": normalize_email,
    "postal_code": normalize_postal_code,
    "phone": normalize_phone,
}
ANY_TEXT = st.text() | st.text(alphabet="aA0@.-_#:+'<>,; \n\t")
EMAILS = st.emails() | st.builds(lambda e, pad: f"{pad} <{e}>{pad}\n", st.emails(), st.text(" \n"))
LINEAR_SECONDS = 1.0  # generous: each of these takes milliseconds when the regex is linear
HOSTILE = [
    "a'" * 50_000,
    "a." * 50_000,
    "a@a." * 25_000,
    "a@" + "a." * 50_000 + "!",
    "a@" + "a-" * 50_000 + "!",
    "a@" + "a" * 100_000 + ".",
    "a@" + ".a" * 50_000,
    "@" * 100_000,
    "<" + " " * 100_000 + ">",
    "wm" + "-" * 100_000 + "1",
    "1" * 100_000,
    "\n" * 100_000 + "a@b.cc",
]


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
@given(text=ANY_TEXT)
def test_normalizing_never_raises_and_is_idempotent(name: str, text: str) -> None:
    normalize = NORMALIZERS[name]
    normalized = normalize(text)
    assert normalized is None or normalize(normalized) == normalized


@given(EMAILS)
def test_a_normalized_email_normalizes_to_itself(text: str) -> None:
    normalized = normalize_email(text)
    assert normalized is None or normalize_email(normalized) == normalized


def test_a_trailing_newline_is_not_kept_in_an_email() -> None:
    assert normalize_email(" jane@example.com\n>") in {"jane@example.com", None}


@given(
    digits=st.text(alphabet="0123456789", min_size=6, max_size=6),
    typed=st.sampled_from(["wm {}", "#WM-{}", "wm{}", "WM_{}", "WM-{}", " Wm.{} ", "#wm:{}"]),
)
def test_every_way_of_typing_an_order_number_reads_the_same(digits: str, typed: str) -> None:
    assert ORDER_NUMBERS.normalize(typed.format(digits)) == f"WM-{digits}"


@given(digits=st.text(alphabet="0123456789", min_size=0, max_size=12).filter(lambda d: len(d) != 6))
def test_an_order_number_with_another_count_of_digits_is_not_one(digits: str) -> None:
    assert ORDER_NUMBERS.normalize(f"WM-{digits}") is None


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_normalizing_100_kb_of_hostile_text_takes_under_a_second(name: str, text: str) -> None:
    start = time.perf_counter()
    NORMALIZERS[name](text)
    assert time.perf_counter() - start < LINEAR_SECONDS
