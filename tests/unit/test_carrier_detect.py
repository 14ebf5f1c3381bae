"""Carrier detection from the tracking number's format and check digit."""

from __future__ import annotations

import pytest

from bot.adapters.carriers.detect import detect_carrier, normalize_tracking_number


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z999AA10123456784", "ups"),
        ("9400111899223344556677", "usps"),
        ("449044304137821", "fedex"),
        ("3473287543", "dhl"),
    ],
)
def test_valid_numbers_are_detected(number: str, carrier: str) -> None:
    assert detect_carrier(number) == carrier


@pytest.mark.parametrize(
    ("text", "carrier"),
    [
        ("1Z 999 AA1 0123 4567 84", "ups"),
        ("1z999aa10123456784", "ups"),
        ("9400-1118-9922-3344-5566-77", "usps"),
        (" 4490 4430 4137 821 ", "fedex"),
        ("1z 999 aa1 01 2345 6784", "ups"),
        ("1Z-999-AA1-01-2345-6784", "ups"),
        ("9400 1118 9922 3344 5566 77", "usps"),
        ("4490-4430-4137-821", "fedex"),
    ],
)
def test_spaces_dashes_and_case_are_tolerated(text: str, carrier: str) -> None:
    assert detect_carrier(text) == carrier


@pytest.mark.parametrize(
    "text", ["4155550134", "+1 415 555 0134", "garbage", "", "   ", "1Z999AA10123456785"]
)
def test_phone_numbers_garbage_and_bad_check_digits_are_not_detected(text: str) -> None:
    assert detect_carrier(text) is None


def test_normalize_strips_separators_and_upper_cases() -> None:
    assert normalize_tracking_number(" 1z 999-aa1\t0123 4567 84 ") == "1Z999AA10123456784"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("1z 999 aa1 01 2345 6784", "1Z999AA10123456784"),
        ("9405 5112 9873 4410 2287 63", "9405511298734410228763"),
        ("ea 123 456 785 us", "EA123456785US"),
        ("jd 0146 0000 0628 1234 56", "JD014600000628123456"),
        ("7712-4039-5816", "771240395816"),
    ],
)
def test_spaced_dashed_and_lower_case_numbers_normalize(typed: str, normalized: str) -> None:
    assert normalize_tracking_number(typed) == normalized
