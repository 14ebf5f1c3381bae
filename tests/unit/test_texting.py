"""Plain text for phones (bot/channels/texting.py): parts, numbered buttons, keywords, `¡`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.texting import (
    SMS_LIMIT,
    keyword_of,
    numbered_buttons,
    pick_button,
    read_old_phone_text,
    split_message,
)

BUTTONS = [
    {"title": "Track my order", "payload": '/track{"order": "WM-1"}'},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]
LONG_REPLY = (
    "Your order WM-104233 left our warehouse on Monday. "
    "It is with UPS now, tracking number 1Z999AA10123456784. "
    "The latest scan was in Louisville, Kentucky, at 6:40 this morning. "
    "UPS expects to deliver it on Thursday, December 10, before end of day. "
    "If it has not arrived by Friday, reply here and I will open a claim for you. "
    "You can also ask me for updates by text whenever it moves."
)


def _letters(text: str) -> str:
    return "".join(text.split())


def test_a_long_reply_is_cut_at_sentence_ends_into_parts_within_the_limit() -> None:
    parts = split_message(LONG_REPLY, SMS_LIMIT)
    assert len(parts) == 2
    assert all(len(part) <= SMS_LIMIT for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts) == LONG_REPLY


def test_a_short_reply_is_one_part_and_an_empty_one_none() -> None:
    assert split_message("  Delivered yesterday.  ", SMS_LIMIT) == ["Delivered yesterday."]
    assert split_message("   ", SMS_LIMIT) == []


def test_a_sentence_longer_than_the_limit_is_cut_at_a_space_then_hard() -> None:
    assert split_message("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(alphabet="ab .!?\n", max_size=400), st.integers(min_value=1, max_value=60))
def test_no_part_is_over_the_limit_and_no_text_is_lost(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert _letters("".join(parts)) == _letters(text)


def test_buttons_read_as_a_numbered_list_without_their_payloads() -> None:
    shown = numbered_buttons("What would you like to do?", BUTTONS)
    assert shown == (
        "What would you like to do?\n1. Track my order\n2. Talk to a person\nReply with a number."
    )
    assert "/" not in shown and "WM-1" not in shown


def test_a_button_without_a_title_never_shows_its_payload() -> None:
    assert (
        numbered_buttons("Pick", [{"payload": "/secret"}])
        == "Pick\n1. Option 1\nReply with a number."
    )


@pytest.mark.parametrize(
    "reply", ["2", " 2 ", "2.", "2)", "talk to a PERSON", " Talk  to a person "]
)
def test_a_reply_picks_a_button_by_number_or_title(reply: str) -> None:
    assert pick_button(reply, BUTTONS) == "/human_handoff"


@pytest.mark.parametrize("reply", ["3", "0", "-1", "12", "track", "2 please", ""])
def test_a_reply_naming_no_button_picks_none(reply: str) -> None:
    assert pick_button(reply, BUTTONS) is None


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", "stop"),
        (" stop ", "stop"),
        ("Stop.", "stop"),
        ("unsubscribe", "stop"),
        ("STOPALL", "stop"),
        ("cancel", "stop"),
        ("end", "stop"),
        ("quit!", "stop"),
        ("optout", "stop"),
        ("revoke", "stop"),
        ("start", "start"),
        ("Unstop", "start"),
        ("HELP", "help"),
        ("info?", "help"),
    ],
)
def test_carrier_keywords_are_read_as_twilio_reads_them(text: str, keyword: str) -> None:
    assert keyword_of(text) == keyword


@pytest.mark.parametrize(
    "text", ["stop sending me texts", "please stop", "cancel my order", "yes", "help me find WM-1"]
)
def test_a_keyword_counts_only_as_the_whole_message(text: str) -> None:
    assert keyword_of(text) is None


def test_an_old_phones_inverted_mark_is_read_as_at_in_an_email() -> None:
    assert read_old_phone_text("it's ann.lee¡example.com") == "it's ann.lee@example.com"
    assert read_old_phone_text("ANN+shop¡mail.example.co.uk") == "ANN+shop@mail.example.co.uk"


@pytest.mark.parametrize("text", ["¡Hola!", "¡Dónde está mi pedido WM-104233!", "price ¡ 5"])
def test_an_inverted_mark_that_makes_no_email_is_left_alone(text: str) -> None:
    assert read_old_phone_text(text) == text
