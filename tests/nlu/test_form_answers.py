"""Answers a shopper types while a form waits: understood, never taken for leaving.

While the assistant waits for a remedy choice or a one-time code, the form reads the
text itself; the NLU only has to keep such answers out of `out_of_scope`, `goodbye`
and `nlu_fallback` (below the fallback threshold, or two intents too close). A
refund chosen is `request_refund`; a replacement chosen is `inform` (or `affirm`).
A six-digit code is no entity (docs/nlu.md).
"""

from __future__ import annotations

import pytest

from tests.support.parsing import parse

pytestmark = pytest.mark.conversation

LEAVING = {"out_of_scope", "goodbye", "nlu_fallback"}

REPLACEMENT = ["send a replacement please", "reship", "just send me a new one", "replacement"]
REFUND = ["refund", "I'd rather have my money back", "refund please", "money back"]
CODES = ["483920", "the code is 483920", "code: 48 39 20", "it's 905127"]


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict[str, object]]:
    return parse(REPLACEMENT + REFUND + CODES)


@pytest.mark.parametrize("text", REPLACEMENT)
def test_a_replacement_chosen_is_understood(
    parsed: dict[str, dict[str, object]], text: str
) -> None:
    assert parsed[text]["intent"] in {"inform", "affirm"}, parsed[text]


@pytest.mark.parametrize("text", REFUND)
def test_a_refund_chosen_is_a_refund(parsed: dict[str, dict[str, object]], text: str) -> None:
    assert parsed[text]["intent"] == "request_refund", parsed[text]


@pytest.mark.parametrize("text", CODES)
def test_a_one_time_code_is_no_entity_and_no_goodbye(
    parsed: dict[str, dict[str, object]], text: str
) -> None:
    assert parsed[text]["entities"] == [], parsed[text]
    assert parsed[text]["intent"] not in LEAVING, parsed[text]
