"""The trained model reads an entity's kind, never its value (bot/nlu/entity_masker.py).

Which postcode or order number a shopper types must not change what the bot
thinks they want. The trained model parses messages in the Rasa environment;
messages that differ only in an entity's value get the same intent with the
same confidence, and the entities themselves still come out whole.
"""

from __future__ import annotations

import pytest

from tests.support.parsing import parse

pytestmark = pytest.mark.conversation


# Each pair differs only in an entity's value; the first value of some pairs is
# one that a training example of another intent contains.
PAIRS = [
    ("V5K 0A1", "K1A 0B1"),
    ("update the postal code to V5K 0A1", "update the postal code to M4W 1A8"),
    ("where is WM-104233", "where is WM-918273"),
    ("my email is jane.doe@example.com", "my email is p.kowalski@mail.example.org"),
    ("the phone on it is (415) 555-0134", "the phone on it is (212) 555-0199"),
    ("track 1Z999AA10123456784 please", "track 9400111899223344556677 please"),
    ("any news on claim CL-5TGW8M", "any news on claim CL-Q3H7RX"),
]


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, object]]:
    return parse([text for pair in PAIRS for text in pair])


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_the_value_of_an_entity_does_not_change_the_intent(
    parsed: dict[str, dict[str, object]], first: str, second: str
) -> None:
    a, b = parsed[first], parsed[second]
    assert a["intent"] == b["intent"]
    assert a["confidence"] == pytest.approx(b["confidence"], abs=1e-5)


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_entities_are_still_extracted_whole(
    parsed: dict[str, dict[str, object]], first: str, second: str
) -> None:
    for text in (first, second):
        values = [value for _, value in parsed[text]["entities"]]  # type: ignore[attr-defined]
        assert len(values) == 1 and values[0] in text, parsed[text]


def test_a_bare_postcode_is_a_detail_given(parsed: dict[str, dict[str, object]]) -> None:
    assert parsed["V5K 0A1"]["intent"] == "inform"
    assert parsed["V5K 0A1"]["entities"] == [["zip_code", "V5K 0A1"]]
