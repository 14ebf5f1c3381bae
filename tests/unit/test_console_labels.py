"""The console names channels and proofs in the team's words (bot/web/labels.py)."""

from __future__ import annotations

import pytest

from bot.web.labels import channel_label, proof_label


@pytest.mark.parametrize(
    ("channel", "conversation", "label"),
    [
        ("socketio", "widget-3f2a", "website chat"),
        ("twilio", "sms:+14155550134", "SMS"),
        ("twilio", "whatsapp:+14155550134", "WhatsApp (Twilio)"),
        ("whatsapp_cloud", "wa:+14155550134", "WhatsApp"),
        ("rest", "shopper-1", "REST API"),
        ("telegram", "x", "telegram"),  # a channel someone added: as stored
        (None, "x", "unknown"),
    ],
)
def test_channels_read_as_the_team_calls_them(
    channel: str | None, conversation: str, label: str
) -> None:
    assert channel_label(channel, conversation) == label


def test_a_proof_reads_part_by_part_and_no_proof_reads_nothing() -> None:
    assert proof_label("parcel") == "one parcel (its tracking number and postal code)"
    assert proof_label("change+channel_phone") == (
        "the order, to change it (its number and email, or a one-time code);"
        " the phone they write from"
    )
    assert proof_label("none") == "nothing"
