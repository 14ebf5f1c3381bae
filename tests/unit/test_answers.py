"""Shoppers' free-text answers to the request form: a remedy, a one-time code, a new address."""

from __future__ import annotations

import pytest

from bot.domain.addresses import parse_address
from bot.domain.answers import chosen_remedy, one_time_code, wants_new_code
from bot.domain.orders import Address
from bot.domain.store_policy import Offer


@pytest.mark.parametrize(
    ("text", "remedy"),
    [
        ("Send a replacement", Offer.RESHIP),
        ("just send me a new one pls", Offer.RESHIP),
        ("can you reship it", Offer.RESHIP),
        ("Refund me", Offer.REFUND),
        ("I'd rather have my money back", Offer.REFUND),
        ("replacement or refund, whichever", None),  # both: ask again
        ("hmm not sure", None),
    ],
)
def test_the_remedy_is_read_from_the_shoppers_words(text: str, remedy: Offer | None) -> None:
    assert chosen_remedy(text) is remedy


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("483920", "483920"),
        ("the code is 483 920", "483920"),
        ("code: 483-920", "483920"),
        ("4839201", None),  # seven digits are not a code
        ("my zip is 94107", None),
        ("48 39 20", "483920"),
        ("it's 483920.", "483920"),
        ("the order is WM-104233", None),  # an order number is not a code
        ("call me on +1 415 555 0134", None),  # nor part of a phone number
        ("(415) 555-0134", None),
        ("order WM-104233, code 483 920", "483920"),
    ],
)
def test_a_one_time_code_is_six_digits_however_typed(text: str, code: str | None) -> None:
    assert one_time_code(text) == code


def test_asking_for_the_code_again_is_understood() -> None:
    assert wants_new_code("I didn't get it, can you send a new code")
    assert wants_new_code("resend please")
    assert not wants_new_code("yes")


def test_an_address_on_one_line_is_read_into_its_parts() -> None:
    assert parse_address("12 Oak Street, Apt 4, Portland, OR 97201", "US") == Address(
        "12 Oak Street", "Portland", "97201", "US", "Apt 4", "OR"
    )
    assert parse_address("12 Oak St, Portland, or, 97201-1234", "US") == Address(
        "12 Oak St", "Portland", "97201-1234", "US", None, "OR"
    )
    assert parse_address("10 Downing Street, London, SW1A 2AA", "GB") == Address(
        "10 Downing Street", "London", "SW1A 2AA", "GB"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Portland, OR 97201",  # no street line
        "12 Oak Street, Portland",  # no postal code
        "yes",
        "Oak Street, Portland, OR 97201",  # a street line has a number
        "1" * 90 + " Oak Street, Portland, OR 97201",  # too long to be an address part
    ],
)
def test_what_is_not_an_address_is_refused(text: str) -> None:
    assert parse_address(text, "US") is None
