"""`make validate` fails on every warning of Rasa's about our data, and only on those."""

from __future__ import annotations

from tests.support.rasa_warnings import unexplained
from tests.support.responses import sendable

PREFIX = "/x/rasa/shared/utils/io.py:100: UserWarning: "


def test_only_responses_the_actions_send_are_excused_from_the_unused_warning() -> None:
    log = [
        PREFIX + "The utterance 'utter_parcel_in_transit' is not used in any story or rule.",
        PREFIX + "The utterance 'utter_left_over' is not used in any story or rule.",
        PREFIX + "The following duplicated intents have been found across multiple domain "
        "files: faq",
        PREFIX + "Slot 'x' has no mapping.",
        "INFO rasa.validator - Validating intents...",
    ]
    found = unexplained(log, sendable())
    assert found == [log[1], log[3]]


def test_the_actions_can_send_the_parcel_responses() -> None:
    assert "utter_parcel_in_transit" in sendable() and "utter_left_over" not in sendable()


def test_retrieval_intents_are_excused_but_no_other_duplicate_or_group() -> None:
    log = [
        PREFIX + "The following duplicated intents have been found across multiple domain "
        "files: faq, out_of_scope",
        PREFIX + "The following duplicated intents have been found across multiple domain "
        "files: faq, greet",
        PREFIX + "The utterance 'utter_out_of_scope' is not used in any story or rule.",
        PREFIX + "The utterance 'utter_nobody_sends' is not used in any story or rule.",
    ]
    assert unexplained(log, sendable()) == [log[1], log[3]]
