from __future__ import annotations

import pytest

from bot.domain.identity import (
    Factor,
    FactorKind,
    OrderNumberFormat,
    OrderRef,
    RefKind,
    can_prove,
    factor_matches,
    normalize_email,
    normalize_phone,
    normalize_postal_code,
)
from tests.unit.builders import order


@pytest.mark.parametrize(
    "typed", ["WM-104233", "wm 104233", "wm104233", "#WM-104233", " Wm-104233 "]
)
def test_order_numbers_are_normalized_however_typed(typed: str) -> None:
    assert OrderNumberFormat().normalize(typed) == "WM-104233"


@pytest.mark.parametrize("typed", ["WM-10423", "WM-1042334", "XX-104233", "104233", "WM-10a233"])
def test_things_that_are_not_order_numbers_are_refused(typed: str) -> None:
    assert OrderNumberFormat().normalize(typed) is None


def test_the_order_number_shape_is_a_store_setting() -> None:
    assert OrderNumberFormat("SO#", 4).normalize("so 1234") == "SO#1234"


def test_emails_postal_codes_and_phones_normalize_for_comparison() -> None:
    assert normalize_email(" Jane.Doe@Example.COM ") == "jane.doe@example.com"
    assert normalize_email("jane at example") is None
    assert normalize_postal_code("94107-1234") == "94107"
    assert normalize_postal_code("sw1a 1aa") == "SW1A1AA"
    assert normalize_phone("(415) 555-0134") == normalize_phone("+1 415 555 0134") == "4155550134"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        # Every way of typing one number compares equal, national or international.
        ("07700 900872", "7700900872"),
        ("07700900872", "7700900872"),
        ("+44 7700 900872", "7700900872"),
        ("+44 (0)7700 900872", "7700900872"),
        ("020 7946 0321", "2079460321"),
        ("(020) 7946 0321", "2079460321"),
        ("+44 20 7946 0321", "2079460321"),
        ("4155550134", "4155550134"),
        ("14155550134", "4155550134"),
        ("1-415-555-0134", "4155550134"),
        ("+1 (415) 555-0134", "4155550134"),
    ],
)
def test_phones_normalize_the_same_however_typed(typed: str, normalized: str) -> None:
    assert normalize_phone(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("02139", "02139"),
        ("94107 ", "94107"),
        ("ec1a1bb", "EC1A1BB"),
        ("b33 8th", "B338TH"),
        ("K1A 0B1", "K1A0B1"),
        ("m5v3l9", "M5V3L9"),
        ("T2P-1J9", "T2P1J9"),
    ],
)
def test_postal_codes_normalize_the_same_however_typed(typed: str, normalized: str) -> None:
    assert normalize_postal_code(typed) == normalized


def test_each_second_factor_proves_the_order_it_matches() -> None:
    jane = order()
    assert factor_matches(jane, Factor(FactorKind.EMAIL, "jane.doe@example.com"))
    assert factor_matches(jane, Factor(FactorKind.POSTAL_CODE, "94107"))
    assert factor_matches(jane, Factor(FactorKind.PHONE, "4155550134"))
    assert not factor_matches(jane, Factor(FactorKind.EMAIL, "john@example.com"))
    assert not factor_matches(jane, Factor(FactorKind.POSTAL_CODE, "10001"))


def test_an_email_cannot_prove_an_email_lookup() -> None:
    ref = OrderRef(RefKind.EMAIL, "jane.doe@example.com")
    assert not can_prove(ref, Factor(FactorKind.EMAIL, "jane.doe@example.com"))
    assert can_prove(ref, Factor(FactorKind.POSTAL_CODE, "94107"))


def test_refs_and_factors_survive_a_slot_round_trip() -> None:
    ref = OrderRef(RefKind.TRACKING_NUMBER, "1Z999AA10123456784")
    assert OrderRef.decode(ref.encode()) == ref
    factor = Factor(FactorKind.PHONE, "4155550134")
    assert Factor.decode(factor.encode()) == factor
